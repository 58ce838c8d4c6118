"""The value proposition as a generated document: its Markdown comes from the program's
value proposition, and it is rendered and kept like the templated documents."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from qudao.accounts.subject import SYSTEM
from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.documents import fonts, service
from qudao.programs import value_proposition
from qudao.programs.schemas import ValuePropositionContent
from tests.documents.builders import COMPANY_ZH, make_program
from tests.fixtures.security import run_cli

CONTENT = ValuePropositionContent(
    product="渠道云 CRM", pains=["销售线索分散在多个表格里"], usp="十分钟完成渠道伙伴入驻",
    features=["商机报备与冲突检测", "佣金自动对账"], segments=["中小型软件公司"])


def _with_value_proposition(db: Database) -> int:
    program = make_program(db)
    with db.unit_of_work() as session:
        value_proposition.save_version(session, SYSTEM, program, CONTENT, note="first")
    return program


@pytest.mark.skipif(not fonts.cjk_font_installed(), reason="no CJK font installed")
def test_value_proposition_as_pdf_and_docx(db: Database) -> None:
    program = _with_value_proposition(db)
    with db.unit_of_work() as session:
        pdf = service.generate(session, SYSTEM, kind="value_proposition", locale="zh-CN",
                               fmt="pdf", program_id=program)
        word = service.generate(session, SYSTEM, kind="value_proposition", locale="en",
                                fmt="docx", program_id=program)
        assert pdf.template_version is None
        assert pdf.kind == "value_proposition"
        pdf_bytes, word_bytes = pdf.content, word.content
        again = service.generate_document(session, SYSTEM, kind="value_proposition",
                                          locale="zh-CN", fmt="pdf", program_id=program)
        assert again.reused
        assert again.document.id == pdf.id
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes)).pages)
    compact = text.replace(" ", "").replace("\n", "")
    for value in ("渠道云CRM", "十分钟完成渠道伙伴入驻", "佣金自动对账", COMPANY_ZH):
        assert value in compact, value
    paragraphs = "\n".join(p.text for p in docx.Document(io.BytesIO(word_bytes)).paragraphs)
    assert "商机报备与冲突检测" in paragraphs
    assert "渠道云 CRM" in paragraphs


def test_value_proposition_from_the_cli(settings: Settings, db: Database,
                                        tmp_path: Path) -> None:
    _with_value_proposition(db)
    out = tmp_path / "vp.md"
    result = run_cli(settings, "docs", "render", "value-proposition", "--lang", "en",
                     "--format", "md", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "十分钟完成渠道伙伴入驻" in out.read_text(encoding="utf-8")
