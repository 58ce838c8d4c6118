"""Markdown to the four formats: the one function every document goes through."""

from __future__ import annotations

from typing import Literal

from qudao.core import clock
from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_, LocaleCode, coerce_locale
from qudao.documents import markdown_render
from qudao.documents.docx_writer import write_docx
from qudao.documents.html_page import page
from qudao.documents.pdf_writer import write_pdf


def render_markdown(markdown: str, *, fmt: Literal["md", "html", "docx", "pdf"], title: str,
                    locale: str) -> bytes:
    """The document as bytes: Markdown as is (UTF-8), a standalone HTML page, a DOCX, or a
    PDF printed from the HTML page. A PDF with Chinese text and no CJK font installed is
    refused (``FontMissing``) rather than drawn with empty boxes."""
    language: LocaleCode | None = coerce_locale(locale)
    if language is None:
        raise Unprocessable(N_("%(value)s is not a language of qudao; use zh-CN or en."),
                            field="locale", value=locale)
    if fmt == "md":
        return markdown.encode("utf-8")
    tokens = markdown_render.parse(markdown)
    if fmt == "docx":
        return write_docx(tokens, title=title, locale=language, created=clock.now())
    html = page(markdown_render.html_fragment(tokens), title=title, locale=language)
    if fmt == "html":
        return html.encode("utf-8")
    if fmt == "pdf":
        return write_pdf(html, text=f"{title}\n{markdown}", locale=language)
    raise Unprocessable(N_("%(value)s is not a document format; use pdf, docx, md or html."),
                        field="format", value=fmt)
