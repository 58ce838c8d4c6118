"""The value proposition as a document: Markdown with its headings and labels in the chosen
language and the user's own text exactly as written, then rendered to HTML, DOCX or PDF by
the documents renderer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core.i18n import LocaleCode, Translator
from qudao.documents.render import render_markdown
from qudao.programs import repository, value_proposition
from qudao.programs.schemas import ValuePropositionContent
from qudao.programs.value_proposition import LABELS, SWOT_PARTS
from qudao.programs.vp_diff import figure_text

DocumentFormat = Literal["md", "html", "docx", "pdf"]
MEDIA_TYPES: dict[DocumentFormat, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
# Characters that mean something to Markdown anywhere in a line. A backslash makes any
# ASCII punctuation literal (CommonMark §2.4); "%" and the like need nothing.
_INLINE = re.compile(r"([\\`*_\[\]{}<>#|~&!])")
# Line starts that open a list, a quote, a heading underline or a thematic break.
_BLOCK_START = re.compile(r"^(\d{1,9})([.)])|^([-+=])")
# Units written right after the figure (20%, 20倍); others take a space (20 days).
_TIGHT_UNIT = re.compile(r"^[%‰\u3000-\u9fff\uff00-\uffef]")


def escape_line(line: str) -> str:
    text = _INLINE.sub(r"\\\1", line.strip())
    return _BLOCK_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1)
                            else f"\\{m.group(3)}", text, count=1)


def escape(text: str, indent: str = "") -> str:
    """The user's text, shown literally; its line breaks stay line breaks."""
    lines = [escape_line(line) for line in text.splitlines() if line.strip()]
    return f"\\\n{indent}".join(lines)


def figure(value_text: str, unit: str) -> str:
    if not unit:
        return value_text
    return f"{value_text}{unit}" if _TIGHT_UNIT.match(unit) else f"{value_text} {unit}"


@dataclass(frozen=True)
class Heading:
    """What the document says about where it comes from."""

    company: str
    profile: str | None
    program: str
    version: int
    saved: str


class _Writer:
    def __init__(self, t: Translator) -> None:
        self.t = t
        self.blocks: list[str] = []

    def heading(self, level: int, text: str) -> None:
        self.blocks.append(f"{'#' * level} {text}")

    def paragraph(self, text: str) -> None:
        if text.strip():
            self.blocks.append(escape(text))

    def bullets(self, items: list[str]) -> None:
        if items:
            self.blocks.append("\n".join(f"- {escape(item, '  ')}" for item in items))

    def labelled(self, rows: list[tuple[str, str]]) -> None:
        """A list of "label: the user's text" lines; empty values are left out."""
        lines = [f"- **{self.t.gettext(msgid)}** {escape(value, '  ')}"
                 for msgid, value in rows if value.strip()]
        if lines:
            self.blocks.append("\n".join(lines))

    def section(self, key: str) -> None:
        self.heading(2, escape_line(self.t.gettext(LABELS[key])))

    def text(self) -> str:
        return "\n\n".join(self.blocks) + "\n"


def markdown_of(content: ValuePropositionContent, head: Heading, locale: LocaleCode) -> str:
    t = Translator(locale)
    out = _Writer(t)
    out.heading(1, escape_line(t.gettext("Value proposition: %(product)s",
                                         product=content.product)))
    out.paragraph(t.gettext("%(company)s · %(program)s · version %(version)s · %(date)s",
                            company=head.company, program=head.program,
                            version=head.version, date=head.saved))
    if head.profile:
        out.heading(2, escape_line(t.gettext("About %(company)s", company=head.company)))
        out.paragraph(head.profile)
    out.section("product")
    out.paragraph(content.product)
    if content.pains:
        out.section("pains")
        out.bullets(content.pains)
    if content.usp:
        out.section("usp")
        out.paragraph(content.usp)
    if content.features:
        out.section("features")
        out.bullets(content.features)
    if content.segments:
        out.section("segments")
        out.bullets(content.segments)
    if content.benefits:
        out.section("benefits")
        for benefit in content.benefits:
            out.heading(3, escape_line(benefit.claim))
            out.labelled([
                ("Proof point:", figure(figure_text(benefit.value), benefit.unit)),
                ("Evidence:", benefit.evidence)])
    if content.competitors:
        out.section("competitors")
        for competitor in content.competitors:
            out.heading(3, escape_line(competitor.name))
            out.labelled([("Their strengths:", competitor.their_strengths),
                          ("Their weaknesses:", competitor.their_weaknesses),
                          ("Our advantage:", competitor.our_advantage)])
    if any(getattr(content.swot, part) for part in SWOT_PARTS):
        out.section("swot")
        for part in SWOT_PARTS:
            items = getattr(content.swot, part)
            if items:
                out.heading(3, escape_line(t.gettext(LABELS[f"swot.{part}"])))
                out.bullets(items)
    return out.text()


def value_proposition_markdown(
    session: Session, subject: AuthSubject, *, program_id: int, locale: LocaleCode,
    version: int | None = None,
) -> tuple[str, str]:
    """(title, Markdown) of a version (the newest by default) in ``locale``."""
    program = repository.get_program(session, subject, program_id)
    row = value_proposition.get_version(session, subject, program.id, version)
    content = value_proposition.content_of(row)
    t = Translator(locale)
    head = Heading(company=program.company_name, profile=program.company_profile,
                   program=program.name, version=row.version, saved=t.date(row.created_at))
    title = t.gettext("Value proposition: %(product)s", product=content.product)
    return title, markdown_of(content, head, locale)


@dataclass(frozen=True)
class RenderedDocument:
    body: bytes
    media_type: str
    filename: str


def render_value_proposition(
    session: Session, subject: AuthSubject, *, program_id: int, locale: LocaleCode,
    fmt: DocumentFormat, version: int | None = None,
) -> RenderedDocument:
    row = value_proposition.get_version(session, subject, program_id, version)
    title, markdown = value_proposition_markdown(session, subject, program_id=program_id,
                                                 locale=locale, version=row.version)
    body = render_markdown(markdown, fmt=fmt, title=title, locale=locale)
    return RenderedDocument(body, MEDIA_TYPES[fmt],
                            f"value-proposition-v{row.version}-{locale}.{fmt}")
