"""Markdown is parsed once, by markdown-it-py, into the tokens every format is written from.

Raw HTML is off (it shows as text), tables and strikethrough are on, and images are off: a
document never fetches anything, so a template cannot point the PDF renderer at a URL."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token


@cache
def parser() -> MarkdownIt:
    return (MarkdownIt("commonmark", {"html": False, "typographer": False})
            .enable(["table", "strikethrough"]).disable("image"))


def parse(markdown: str) -> list[Token]:
    return parser().parse(markdown)


def html_fragment(tokens: list[Token]) -> str:
    md = parser()
    return str(md.renderer.render(tokens, md.options, {}))


def inline_text(token: Token) -> str:
    """The plain text of an inline token, without its markup."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def first_heading(tokens: list[Token]) -> str | None:
    """The text of the first heading: a document's title."""
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            text = inline_text(tokens[index + 1])
            if text:
                return text
    return None
