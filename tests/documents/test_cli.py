"""``qudao docs …``: render a document to a file, list documents and templates, edit a
template from a file (an escape is refused with the reason and a non-zero exit)."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from sqlalchemy import func, select

from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.documents import fonts, templates
from qudao.documents.models import DocumentTemplate
from tests.documents.builders import COMPANY_ZH, PARTNER_ZH, make_partner, make_plan, make_program
from tests.fixtures.security import run_cli


def test_render_writes_the_file_and_keeps_the_document(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    program = make_program(db)
    plan = make_plan(db, program)
    partner = make_partner(db)
    out = tmp_path / "agreement.docx"
    result = run_cli(settings, "docs", "render", "agreement", "--lang", "en", "--format",
                     "docx", "-o", str(out), "--partner", str(partner), "--plan", str(plan))
    assert result.exit_code == 0, result.output
    assert "template version 1" in result.output
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(out.read_bytes())).paragraphs)
    assert COMPANY_ZH in text
    assert PARTNER_ZH in text
    again = run_cli(settings, "docs", "render", "agreement", "--lang", "en", "--format",
                    "docx", "-o", str(out), "--partner", str(partner), "--plan", str(plan))
    assert "used again" in again.output
    listed = run_cli(settings, "docs", "list")
    assert listed.exit_code == 0
    assert "1 documents" in listed.output
    assert "agreement" in listed.output


@pytest.mark.skipif(not fonts.cjk_font_installed(), reason="no CJK font installed")
def test_render_a_chinese_pdf(settings: Settings, db: Database, tmp_path: Path) -> None:
    make_program(db)
    out = tmp_path / "nda.pdf"
    result = run_cli(settings, "docs", "render", "nda", "--lang", "zh", "--format", "pdf",
                     "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")


def test_render_needs_a_program_and_a_known_kind(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    out = tmp_path / "x.pdf"
    assert run_cli(settings, "docs", "render", "nda", "-o", str(out)).exit_code == 2
    make_program(db)
    result = run_cli(settings, "docs", "render", "memo", "-o", str(out))
    assert result.exit_code == 2
    assert "not a document kind" in result.output
    assert not out.exists()


def test_template_set_makes_a_version_and_refuses_escapes(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    listed = run_cli(settings, "docs", "templates")
    assert listed.exit_code == 0
    assert "built in" in listed.output
    evil = tmp_path / "evil.md"
    evil.write_text("# NDA\n\n{{ cycler.__init__.__globals__.os.popen('id').read() }}\n")
    refused = run_cli(settings, "docs", "template-set", "nda", "--lang", "en", "--file",
                      str(evil))
    assert refused.exit_code == 2
    assert "_ cannot be used" in refused.output
    with db.unit_of_work(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(DocumentTemplate)) == 0
    good = tmp_path / "nda.md"
    good.write_text(templates.builtin_body("nda", "en").replace("## 11. General",
                                                                "## 11. Miscellaneous"))
    saved = run_cli(settings, "docs", "template-set", "nda", "--lang", "en", "--file",
                    str(good), "--note", "Heading")
    assert saved.exit_code == 0, saved.output
    assert "Saved version 2" in saved.output
    shown = run_cli(settings, "docs", "template-get", "nda", "--lang", "en")
    assert "## 11. Miscellaneous" in shown.output
    first = run_cli(settings, "docs", "template-get", "nda", "--lang", "en", "--version", "1")
    assert "## 11. General" in first.output
