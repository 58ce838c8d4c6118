"""The contract is generated from the agreement's data: a PDF at signing, kept on the
agreement; DOCX (or another language) on request."""

from __future__ import annotations

import io

from docx import Document as DocxDocument
from pypdf import PdfReader

from qudao.accounts.subject import SYSTEM
from qudao.agreements import contract, repository
from qudao.db.session import Database
from qudao.documents.models import GeneratedDocument
from tests.agreements.builders import draft, signed
from tests.fixtures.accounts import make_partner


def _docx_text(content: bytes) -> str:
    document = DocxDocument(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows
             for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_signing_keeps_a_pdf_contract_with_the_terms(db: Database) -> None:
    partner = make_partner(db, "Contract Partner", country="China")
    agreement_id = signed(db, partner, territory="Jiangsu and Zhejiang")
    with db.unit_of_work() as session:
        agreement = repository.get(session, SYSTEM, agreement_id)
        found = contract.stored(session, SYSTEM, agreement)
        document = session.get(GeneratedDocument, agreement.document_id)
        assert document is not None
        assert (document.kind, document.format, document.agreement_id) == (
            "agreement", "pdf", agreement_id)
    assert found.media_type == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(found.content)).pages)
    assert "Contract Partner" in text
    assert "Jiangsu and Zhejiang" in text


def test_a_docx_on_request_holds_the_territory_partner_kpis_and_milestones(
    db: Database,
) -> None:
    partner = make_partner(db, "Docx Partner Ltd")
    agreement_id = draft(db, partner, territory="Greater Bay Area")
    with db.unit_of_work() as session:
        agreement = repository.get(session, SYSTEM, agreement_id)
        english = contract.file_of(contract.generate_on_request(session, SYSTEM, agreement,
                                                                fmt="docx", locale="en"))
        chinese = contract.file_of(contract.generate_on_request(session, SYSTEM, agreement,
                                                                fmt="docx", locale="zh-CN"))
    assert english.filename.endswith(".docx")
    text = _docx_text(english.content)
    for expected in ("Docx Partner Ltd", "Greater Bay Area", "Channel revenue",
                     "CN¥100,000.00", "First quarter: 10 pilot customers",
                     "Each party keeps its own IP.", "Exclusive in the territory"):
        assert expected in text, expected
    zh = _docx_text(chinese.content)
    assert "Docx Partner Ltd" in zh
    assert "Greater Bay Area" in zh
    assert "2026年12月31日" in zh
