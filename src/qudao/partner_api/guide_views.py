"""The partner API guide, in the reader's language, served next to the OpenAPI reference."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markdown_it import MarkdownIt
from markupsafe import Markup

from qudao.core.i18n import LocaleCode, coerce_locale
from qudao.http.auth import PagePublic
from qudao.http.locale import request_locale
from qudao.http.templates import render

router = APIRouter(include_in_schema=False)
GUIDES = Path(__file__).resolve().parent / "guide"


@lru_cache(maxsize=2)
def guide_html(locale: LocaleCode) -> Markup:
    text = (GUIDES / f"{locale}.md").read_text(encoding="utf-8")
    # The guide is our own file; raw HTML in it is still not passed through.
    return Markup(MarkdownIt("commonmark", {"html": False}).enable("table").render(text))  # noqa: S704


@router.get("/partner-api")
def partner_api_guide(request: Request, _subject: PagePublic) -> Response:
    locale = coerce_locale(request.query_params.get("lang")) or request_locale(request)
    return render(request, "guide.html", {"guide": guide_html(locale)})
