"""The value proposition as a document: headings and labels in the chosen language, the
user's own text exactly as written (Markdown characters included), in Markdown, HTML, DOCX
and PDF."""

from __future__ import annotations

import html
import io
import re
import zipfile

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from qudao.accounts.subject import SYSTEM
from qudao.core.i18n import LocaleCode
from qudao.db.session import Database
from qudao.documents.render import render_markdown
from qudao.programs.vp_document import escape, value_proposition_markdown
from tests.programs.guide import GUIDE_VP, PROOF_POINT, make_program, save_vp

HEADINGS: dict[LocaleCode, list[str]] = {
    "en": ["# Value proposition: 供应链优化工具", "## Product", "## Pain points solved",
           "## Unique selling point", "## Key features", "## Target customer segments",
           "## Expected benefits", "## Competitor comparison", "## SWOT analysis",
           "### Strengths", "### Weaknesses", "### Opportunities", "### Threats",
           "**Proof point:**", "**Their weaknesses:**", "## About 云链电商"],
    "zh-CN": ["# 价值主张：供应链优化工具", "## 产品", "## 解决的痛点", "## 独特卖点",
              "## 核心功能", "## 目标客户群", "## 预期收益", "## 竞品对比", "## SWOT 分析",
              "### 优势", "### 弱点", "### 机会", "### 威胁", "**量化证据：**",
              "**对方劣势：**", "## 关于云链电商"],
}
# Text that Markdown would turn into formatting, links, headings or lists if not escaped.
TRICKY = "**不是粗体** _斜体_ `代码` <b>标签</b> [链接](http://example.com) ~~删~~ | 表 | & &amp;"
TRICKY_LINES = ["# 不是标题", "1. 不是编号", "- 不是列表", "> 不是引用", "+ 加号", "---",
                "反斜杠 \\ 结尾\\"]


def _markdown(db: Database, program_id: int, locale: LocaleCode) -> str:
    with db.unit_of_work(read_only=True) as session:
        _title, text = value_proposition_markdown(session, SYSTEM, program_id=program_id,
                                                  locale=locale)
    return text


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_headings_are_translated_and_the_user_text_is_untouched(
    db: Database, locale: LocaleCode
) -> None:
    program_id = make_program(db)
    save_vp(db, program_id)
    text = _markdown(db, program_id, locale)
    for heading in HEADINGS[locale]:
        assert heading in text, (locale, heading)
    other = HEADINGS["en" if locale == "zh-CN" else "zh-CN"]
    assert not [h for h in other[1:] if h in text and h not in HEADINGS[locale]]
    assert f"### {PROOF_POINT}" in text
    assert "20%" in text
    for item in (*GUIDE_VP["pains"], *GUIDE_VP["swot"]["opportunities"], GUIDE_VP["usp"],
                 GUIDE_VP["benefits"][0]["evidence"]):
        assert item in text


def _visible(html_text: str) -> str:
    body = html_text.split("<body", 1)[-1]
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_markdown_characters_in_user_text_show_literally(db: Database) -> None:
    program_id = make_program(db, company_profile="\n".join(TRICKY_LINES))
    save_vp(db, program_id, usp=TRICKY, pains=[TRICKY, *TRICKY_LINES],
            benefits=[{"claim": "*省* 20%", "value": "20", "unit": "%", "evidence": TRICKY}])
    text = _markdown(db, program_id, "en")
    page = render_markdown(text, fmt="html", title="t", locale="en").decode()
    assert "<strong>不是粗体" not in page
    assert "<em>" not in page
    assert "<a " not in page
    assert "<del>" not in page
    assert "<table" not in page
    assert "<blockquote" not in page
    assert "<ol" not in page
    assert "<hr" not in page
    visible = _visible(page)
    assert TRICKY in visible
    assert "*省* 20%" in visible
    for line in TRICKY_LINES:
        assert line.rstrip("\\").strip() in visible, line


def test_escape_keeps_plain_text_plain() -> None:
    assert escape(PROOF_POINT) == PROOF_POINT
    plain = "AI驱动的预测分析，而不是简单的数据存储"
    assert escape(plain) == plain
    assert escape("a*b") == "a\\*b"
    assert escape("1. x") == "1\\. x"


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_api_renders_every_format(
    api: TestClient, staff: dict[str, str], db: Database, lang: str
) -> None:
    program_id = make_program(db)
    save_vp(db, program_id)
    url = f"/api/v1/programs/{program_id}/value-proposition/render"
    markdown = api.get(url, headers=staff, params={"format": "md", "lang": lang})
    assert markdown.status_code == 200, markdown.text
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert PROOF_POINT in markdown.text
    heading = "## 解决的痛点" if lang == "zh_CN" else "## Pain points solved"
    assert heading in markdown.text
    page = api.get(url, headers=staff, params={"format": "html", "lang": lang})
    assert page.headers["content-type"].startswith("text/html")
    assert PROOF_POINT in page.text
    word = api.get(url, headers=staff, params={"format": "docx", "lang": lang})
    assert word.status_code == 200
    assert "attachment" in word.headers["content-disposition"]
    document_xml = zipfile.ZipFile(io.BytesIO(word.content)).read("word/document.xml").decode()
    assert PROOF_POINT in document_xml
    assert heading.lstrip("# ") in document_xml
    pdf = api.get(url, headers=staff, params={"format": "pdf", "lang": lang})
    assert pdf.content.startswith(b"%PDF")
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "物流成本" in pdf_text


def test_a_version_renders_as_it_was(
    api: TestClient, staff: dict[str, str], db: Database
) -> None:
    program_id = make_program(db)
    save_vp(db, program_id)
    save_vp(db, program_id, product="供应链优化平台")
    url = f"/api/v1/programs/{program_id}/value-proposition/render"
    old = api.get(url, headers=staff, params={"format": "md", "version": 1, "lang": "en"})
    assert "# Value proposition: 供应链优化工具" in old.text
    assert "version 1" in old.text
    new = api.get(url, headers=staff, params={"format": "md", "lang": "en"})
    assert "# Value proposition: 供应链优化平台" in new.text
    assert api.get(url, headers=staff, params={"format": "md", "version": 3}
                   ).status_code == 404
    assert api.get(url, headers=staff, params={"format": "md", "lang": "fr"}
                   ).status_code == 422
    assert api.get(url, headers=staff, params={"format": "rtf"}).status_code == 422
