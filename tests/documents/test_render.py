"""Markdown to Markdown, HTML, DOCX and PDF: the structure survives in every format, Word is
told which font draws Chinese, and the PDF holds real Chinese text (or is refused when no
CJK font is installed)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from qudao.documents import fonts
from qudao.documents.fonts import FontMissing
from qudao.documents.render import render_markdown

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "documents"
SAMPLE = """# 保密协议

**甲方**：渠道云科技有限公司\\
**乙方**：华东智联分销有限公司

## 第一条 目的

1. 第一项
2. 第二项
   - 子项

| 期间销售额 | 佣金比例 |
|---|--:|
| 低于 ¥100,000.00 | 15% |
| ¥100,000.00 及以上 | 20% |

> 引用

Text with *emphasis*, `code`, ~~old~~ and [a link](https://example.com).

Numbers restart:

1. again one
"""


def _docx(markdown: str, locale: str = "zh-CN") -> docx.document.Document:
    return docx.Document(io.BytesIO(render_markdown(markdown, fmt="docx", title="标题",
                                                    locale=locale)))


def test_markdown_is_returned_as_written() -> None:
    assert render_markdown(SAMPLE, fmt="md", title="x", locale="zh-CN") == \
        SAMPLE.encode("utf-8")


def test_docx_keeps_headings_lists_tables_and_marks() -> None:
    document = _docx(SAMPLE)
    styles = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    assert styles[0] == ("Title", "保密协议")
    assert ("Heading 1", "第一条 目的") in styles
    assert ("List Number", "第一项") in styles
    assert ("List Bullet 2", "子项") in styles
    assert ("Quote", "引用") in styles
    bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    assert "甲方" in bold
    [table] = document.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["期间销售额", "佣金比例"], ["低于 ¥100,000.00", "15%"], ["¥100,000.00 及以上", "20%"]]
    link = next(p.text for p in document.paragraphs if "a link" in p.text)
    assert "(https://example.com)" in link


def test_each_numbered_list_starts_at_its_own_first_number() -> None:
    document = _docx(SAMPLE)
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    ids = {p._p.pPr.numPr.numId.val for p in numbered}
    assert len(ids) == 2  # the second list got a numbering instance of its own
    numbering = document.part.numbering_part.element
    for num_id in ids:
        assert numbering.num_having_numId(num_id).lvlOverride_lst[0].startOverride.val == 1


def test_docx_names_an_east_asian_font_for_every_style() -> None:
    document = _docx(SAMPLE)
    qn = docx.oxml.ns.qn
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "Microsoft YaHei"
    heading = document.styles["Heading 1"].element.rPr.rFonts
    assert heading.get(qn("w:eastAsia")) == "Microsoft YaHei"
    assert heading.get(qn("w:eastAsiaTheme")) is None
    assert document.core_properties.title == "标题"


def test_html_is_a_standalone_page_that_escapes_everything() -> None:
    page = render_markdown("# T\n\n<script>alert(1)</script> [x](javascript:alert(1))",
                           fmt="html", title="</title><script>", locale="en").decode()
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in page
    assert "<script>" not in page
    assert 'href="javascript' not in page
    assert "WenQuanYi Micro Hei" in page
    assert "@page" in page


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.skipif(not fonts.cjk_font_installed(), reason="no CJK font installed")
def test_pdf_holds_the_chinese_text() -> None:
    content = render_markdown(SAMPLE, fmt="pdf", title="保密协议", locale="zh-CN")
    assert content.startswith(b"%PDF")
    text = _pdf_text(content)
    for expected in ("保密协议", "渠道云科技有限公司", "第一条 目的", "¥100,000.00", "20%"):
        assert expected in text
    assert "1 / 1" in text  # the page number
    reader = PdfReader(io.BytesIO(content))
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # A4
    _save_png(content, "sample-zh")


def _save_png(content: bytes, name: str) -> None:
    """The first page as an image for people to look at (when poppler's pdftoppm exists)."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    pdf.write_bytes(content)
    subprocess.run([pdftoppm, "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(ARTIFACTS / name)], check=True, timeout=60)
    assert (ARTIFACTS / f"{name}.png").stat().st_size > 5_000


def test_a_chinese_pdf_without_a_cjk_font_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "cjk_font_installed", lambda: False)
    with pytest.raises(FontMissing) as refused:
        render_markdown(SAMPLE, fmt="pdf", title="保密协议", locale="zh-CN")
    assert "fonts-wqy-microhei" in refused.value.render("en")
    assert refused.value.status == 503
    # Chinese names in an English document need the font just as much.
    with pytest.raises(FontMissing):
        render_markdown("# NDA\n\nWith 华东智联.", fmt="pdf", title="NDA", locale="en")
    english = render_markdown("# NDA\n\nPlain English.", fmt="pdf", title="NDA", locale="en")
    assert "Plain English." in _pdf_text(english)


def test_a_pdf_fetches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Markdown images are off; and should a page name a URL anyway, the renderer's URL
    fetcher refuses it: no file is read, no connection is made."""
    import socket

    from qudao.documents.pdf_writer import write_pdf

    attempts: list[object] = []
    monkeypatch.setattr(socket.socket, "connect",
                        lambda _socket, address: attempts.append(address))
    image = tmp_path / "dot.png"
    image.write_bytes(render_png_dot())
    html = (f'<html><body><p>T</p><img src="{image.as_uri()}">'
            '<img src="http://169.254.169.254/latest/meta-data"></body></html>')
    content = write_pdf(html, text="T", locale="en")
    page = PdfReader(io.BytesIO(content)).pages[0]
    assert not page["/Resources"].get("/XObject")
    assert attempts == []
    markdown = render_markdown("# T\n\n![x](http://169.254.169.254/)", fmt="html",
                               title="T", locale="en").decode()
    assert "<img" not in markdown


def render_png_dot() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()
