"""PDF through WeasyPrint, from the same page as the HTML format. Nothing is fetched: the
page has no images, and the URL fetcher refuses every URL anyway."""

from __future__ import annotations

from qudao.core.i18n import LocaleCode
from qudao.documents.fonts import require_cjk_font


def write_pdf(html: str, *, text: str, locale: LocaleCode) -> bytes:
    """``text`` is the document's text, checked for Chinese before a font is needed."""
    require_cjk_font(text, locale)
    # Imported here: loading pango costs a moment that only PDFs should pay.
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    no_fetching = URLFetcher(allowed_protocols=frozenset(), allow_redirects=False, timeout=1)
    pdf = HTML(string=html, base_url=None, url_fetcher=no_fetching).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
