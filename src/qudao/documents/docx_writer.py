"""DOCX through python-docx, written from markdown-it's tokens: headings, paragraphs, bold,
italic, struck and code text, links, bullet and numbered lists (nested), tables, quotes and
rules. Every style names an East Asian font, so that Word draws Chinese with a Chinese
font instead of guessing."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from markdown_it.token import Token

from qudao.core.i18n import LocaleCode

EAST_ASIAN_FONT = "Microsoft YaHei"
MONOSPACE_FONT = "Consolas"
_ALIGN = {"text-align:right": WD_ALIGN_PARAGRAPH.RIGHT,
          "text-align:center": WD_ALIGN_PARAGRAPH.CENTER}


def _east_asian(rpr: BaseOxmlElement) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    # A theme font attribute wins over a named font: drop it.
    for theme in ("w:eastAsiaTheme", "w:hint"):
        if fonts.get(qn(theme)) is not None:
            del fonts.attrib[qn(theme)]
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)


def _set_fonts(document: DocxDocument, locale: LocaleCode) -> None:
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _east_asian(rpr)
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                rpr.append(lang)
            lang.set(qn("w:val"), "zh-CN" if locale == "zh-CN" else "en-US")
            lang.set(qn("w:eastAsia"), "zh-CN")
    for style in document.styles:
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
            _east_asian(style.element.get_or_add_rPr())


@dataclass
class _CellSpec:
    header: bool
    align: str | None
    inline: Token | None = None


@dataclass
class _Table:
    rows: list[list[_CellSpec]] = field(default_factory=list)


@dataclass
class _List:
    ordered: bool
    num_id: int | None = None
    item_started: bool = False


class _Writer:
    def __init__(self, document: DocxDocument) -> None:
        self.document = document
        self.lists: list[_List] = []
        self.table: _Table | None = None
        self.quote = 0
        self.heading: int | None = None
        self.paragraph: Paragraph | None = None

    # Blocks

    def write(self, tokens: list[Token]) -> None:
        for token in tokens:
            handler = getattr(self, f"_on_{token.type}", None)
            if handler is not None:
                handler(token)

    def _on_heading_open(self, token: Token) -> None:
        self.heading = int(token.tag[1:])

    def _on_heading_close(self, _token: Token) -> None:
        self.heading = None

    def _on_paragraph_open(self, _token: Token) -> None:
        self.paragraph = None  # made when its text arrives, with the right style

    def _on_bullet_list_open(self, _token: Token) -> None:
        self.lists.append(_List(ordered=False))

    def _on_ordered_list_open(self, token: Token) -> None:
        start = int(str(token.attrs.get("start", 1)))
        style = self._list_style(ordered=True, depth=len(self.lists) + 1)
        self.lists.append(_List(ordered=True, num_id=self._restart_numbering(style, start)))

    def _on_bullet_list_close(self, _token: Token) -> None:
        self.lists.pop()

    _on_ordered_list_close = _on_bullet_list_close

    def _on_list_item_open(self, _token: Token) -> None:
        self.lists[-1].item_started = False

    def _on_blockquote_open(self, _token: Token) -> None:
        self.quote += 1

    def _on_blockquote_close(self, _token: Token) -> None:
        self.quote -= 1

    def _on_hr(self, _token: Token) -> None:
        paragraph = self.document.add_paragraph()
        border = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                            ("w:color", "999999")):
            bottom.set(qn(name), value)
        border.append(bottom)
        paragraph._p.get_or_add_pPr().append(border)

    def _on_code_block(self, token: Token) -> None:
        paragraph = self.document.add_paragraph(style="No Spacing")
        for index, line in enumerate(token.content.rstrip("\n").split("\n")):
            if index:
                paragraph.add_run().add_break()
            run = paragraph.add_run(line)
            run.font.name = MONOSPACE_FONT
            run.font.size = Pt(9.5)

    _on_fence = _on_code_block

    def _on_table_open(self, _token: Token) -> None:
        self.table = _Table()

    def _on_tr_open(self, _token: Token) -> None:
        assert self.table is not None
        self.table.rows.append([])

    def _on_th_open(self, token: Token) -> None:
        assert self.table is not None
        style = token.attrs.get("style")
        self.table.rows[-1].append(_CellSpec(header=token.type == "th_open",
                                          align=str(style) if style else None))

    _on_td_open = _on_th_open

    def _on_table_close(self, _token: Token) -> None:
        assert self.table is not None
        rows = self.table.rows
        self.table = None
        columns = max((len(r) for r in rows), default=0)
        if not rows or not columns:
            return
        table = self.document.add_table(rows=len(rows), cols=columns)
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                self._fill_cell(table.cell(r, c), cell)
        self.document.add_paragraph()

    def _fill_cell(self, target: _Cell, cell: _CellSpec) -> None:
        paragraph = target.paragraphs[0]
        if cell.align in _ALIGN:
            paragraph.alignment = _ALIGN[cell.align]
        if cell.header:
            shading = OxmlElement("w:shd")
            shading.set(qn("w:val"), "clear")
            shading.set(qn("w:fill"), "EEEEEE")
            target._tc.get_or_add_tcPr().append(shading)
        if cell.inline is not None:
            _Runs(paragraph, bold=cell.header).add(cell.inline)

    def _on_inline(self, token: Token) -> None:
        if self.table is not None and self.table.rows and self.table.rows[-1]:
            self.table.rows[-1][-1].inline = token
            return
        if self.heading is not None:
            # "#" is the document's title; "##" its sections.
            paragraph = self.document.add_heading(level=max(0, min(self.heading - 1, 8)))
        else:
            paragraph = self._new_paragraph()
        _Runs(paragraph).add(token)

    def _new_paragraph(self) -> Paragraph:
        if self.lists:
            current = self.lists[-1]
            depth = len(self.lists)
            if not current.item_started:
                current.item_started = True
                paragraph = self.document.add_paragraph(
                    style=self._list_style(ordered=current.ordered, depth=depth))
                if current.num_id is not None:
                    numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                    numbering.get_or_add_ilvl().val = 0
                    numbering.get_or_add_numId().val = current.num_id
                return paragraph
            continued = "List Continue" if depth == 1 else f"List Continue {min(depth, 3)}"
            return self.document.add_paragraph(style=continued)
        return self.document.add_paragraph(style="Quote" if self.quote else None)

    @staticmethod
    def _list_style(*, ordered: bool, depth: int) -> str:
        base = "List Number" if ordered else "List Bullet"
        return base if depth == 1 else f"{base} {min(depth, 3)}"

    def _restart_numbering(self, style_name: str, start: int) -> int | None:
        """A numbered list starts again at its own first number, not where the previous
        list of the document stopped: a new numbering instance of the style's definition."""
        style = self.document.styles[style_name].element
        if style.pPr is None or style.pPr.numPr is None or style.pPr.numPr.numId is None:
            return None
        numbering = self.document.part.numbering_part.element
        abstract = numbering.num_having_numId(style.pPr.numPr.numId.val).abstractNumId.val
        instance = numbering.add_num(abstract)
        instance.add_lvlOverride(ilvl=0).add_startOverride(start)
        return int(instance.numId)


class _Runs:
    """The runs of one inline token, with the marks that are open."""

    def __init__(self, paragraph: Paragraph, *, bold: bool = False) -> None:
        self.paragraph = paragraph
        self.bold = 1 if bold else 0
        self.italic = 0
        self.strike = 0
        self.link: str | None = None
        self.link_text: list[str] = []

    def add(self, token: Token) -> None:
        for child in token.children or []:
            kind = child.type
            if kind == "text":
                self._run(child.content)
            elif kind == "code_inline":
                self._run(child.content, code=True)
            elif kind == "softbreak":
                self._run(" ")
            elif kind == "hardbreak":
                self.paragraph.add_run().add_break()
            elif kind in ("strong_open", "strong_close"):
                self.bold += 1 if child.nesting > 0 else -1
            elif kind in ("em_open", "em_close"):
                self.italic += 1 if child.nesting > 0 else -1
            elif kind in ("s_open", "s_close"):
                self.strike += 1 if child.nesting > 0 else -1
            elif kind == "link_open":
                self.link = str(child.attrs.get("href", ""))
                self.link_text = []
            elif kind == "link_close":
                shown = "".join(self.link_text).strip()
                if self.link and self.link not in (shown, f"mailto:{shown}"):
                    self._run(f" ({self.link})")
                self.link = None

    def _run(self, text: str, *, code: bool = False) -> None:
        run = self.paragraph.add_run(text)
        run.bold = self.bold > 0 or None
        run.italic = self.italic > 0 or None
        if self.strike > 0:
            run.font.strike = True
        if code:
            run.font.name = MONOSPACE_FONT
        if self.link is not None:
            self.link_text.append(text)
            run.font.underline = True
            run.font.color.rgb = RGBColor(0x1F, 0x4E, 0x9A)


def write_docx(tokens: list[Token], *, title: str, locale: LocaleCode,
               created: datetime) -> bytes:
    document = Document()
    _set_fonts(document, locale)
    properties = document.core_properties
    properties.title = title[:250]
    properties.language = locale
    properties.author = "qudao"
    properties.last_modified_by = "qudao"
    properties.created = created
    properties.modified = created
    properties.revision = 1
    _Writer(document).write(tokens)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
