"""Generating documents from the data: the values are filled in (DOCX read back with
python-docx, PDF text extracted with pypdf), each document is kept with its template
version and the hash of its inputs, and the same inputs give the same stored document."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from qudao.accounts.models import User
from qudao.accounts.roles import Role
from qudao.accounts.service import subject_for_user
from qudao.accounts.subject import SYSTEM
from qudao.audit.models import AuditEntry
from qudao.core import clock
from qudao.core.errors import Forbidden, NotFound, Unprocessable
from qudao.db.session import Database
from qudao.documents import fonts, service, templates
from qudao.documents.models import DocumentTemplate, GeneratedDocument
from tests.documents.builders import (
    COMPANY_ZH,
    PARTNER_ZH,
    make_partner,
    make_plan,
    make_program,
)
from tests.fixtures.accounts import make_user

DAY = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


def _text_of_docx(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _world(db: Database) -> dict[str, int]:
    program = make_program(db)
    return {"program": program, "plan": make_plan(db, program), "partner": make_partner(db)}


@pytest.mark.parametrize(("locale", "expected"), [
    ("zh-CN", ["合作伙伴协议", COMPANY_ZH, PARTNER_ZH, "王芳", "15%", "20%", "¥100,000.00",
               "2026年3月9日", "¥80,000.00", "终止后 30 天内移交未完成的商机。"]),
    ("en", ["Partner Agreement", COMPANY_ZH, PARTNER_ZH, "王芳", "15%", "20%",
            "CN¥100,000.00", "March 9, 2026", "CN¥80,000.00", "Northwind Gold"]),
])
def test_docx_holds_the_filled_values(db: Database, locale: str, expected: list[str]) -> None:
    ids = _world(db)
    with clock.frozen(DAY), db.unit_of_work() as session:
        document = service.generate(session, SYSTEM, kind="agreement", locale=locale,
                                    fmt="docx", program_id=ids["program"],
                                    partner_id=ids["partner"], plan_id=ids["plan"])
        content, version = document.content, document.template_version
        assert document.filename == f"partner-agreement-partner-{ids['partner']}-{locale}-" \
                                    "2026-03-09.docx"
    text = _text_of_docx(content)
    for value in expected:
        assert value in text, value
    assert "{{" not in text
    assert "{%" not in text
    assert version == 1


@pytest.mark.skipif(not fonts.cjk_font_installed(), reason="no CJK font installed")
def test_pdf_text_holds_the_chinese(db: Database) -> None:
    ids = _world(db)
    with db.unit_of_work() as session:
        document = service.generate(session, SYSTEM, kind="nda", locale="zh-CN", fmt="pdf",
                                    partner_id=ids["partner"])
        content = document.content
        assert document.title == "保密协议"
        assert document.program_id == ids["program"]  # the only program is the default
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    compact = text.replace(" ", "").replace("\n", "")
    for value in ("保密协议", COMPANY_ZH, PARTNER_ZH, "第一条目的"):
        assert value in compact, value


def test_the_same_inputs_give_the_same_document(db: Database) -> None:
    ids = _world(db)
    with clock.frozen(DAY):
        with db.unit_of_work() as session:
            first = service.generate_document(session, SYSTEM, kind="loi", locale="en",
                                              fmt="md", partner_id=ids["partner"],
                                              plan_id=ids["plan"])
            first_id, digest = first.document.id, first.document.inputs_sha256
            assert not first.reused
        with db.unit_of_work() as session:
            again = service.generate_document(session, SYSTEM, kind="loi", locale="en",
                                              fmt="md", partner_id=ids["partner"],
                                              plan_id=ids["plan"])
            assert again.reused
            assert again.document.id == first_id
            assert again.document.inputs_sha256 == digest
            other_format = service.generate_document(session, SYSTEM, kind="loi", locale="en",
                                                     fmt="html", partner_id=ids["partner"],
                                                     plan_id=ids["plan"])
            assert other_format.document.inputs_sha256 != digest
            no_plan = service.generate_document(session, SYSTEM, kind="loi", locale="en",
                                                fmt="md", partner_id=ids["partner"])
            assert no_plan.document.inputs_sha256 != digest
    with clock.frozen(DAY.replace(day=10)), db.unit_of_work() as session:
        next_day = service.generate_document(session, SYSTEM, kind="loi", locale="en",
                                             fmt="md", partner_id=ids["partner"],
                                             plan_id=ids["plan"])
        assert not next_day.reused  # the date is part of the document
    with db.unit_of_work(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(GeneratedDocument)) == 4
        actions = list(session.scalars(select(AuditEntry.action)
                                       .where(AuditEntry.action == "document.generate")))
        assert len(actions) == 4


def test_a_changed_partner_changes_the_hash(db: Database) -> None:
    ids = _world(db)
    other = make_partner(db, "Second Partner Ltd.", country="UK", contact="Sam")
    with db.unit_of_work() as session:
        one = service.generate(session, SYSTEM, kind="nda", locale="en", fmt="md",
                               partner_id=ids["partner"])
        two = service.generate(session, SYSTEM, kind="nda", locale="en", fmt="md",
                               partner_id=other)
        assert one.inputs_sha256 != two.inputs_sha256
        assert b"Second Partner Ltd." in two.content
        assert two.partner_id == other


def test_an_edit_makes_a_new_version_and_documents_record_it(db: Database) -> None:
    ids = _world(db)
    with db.unit_of_work() as session:
        before = service.generate(session, SYSTEM, kind="nda", locale="en", fmt="md",
                                  partner_id=ids["partner"])
        assert before.template_version == 1
        body = templates.builtin_body("nda", "en").replace(
            "# Mutual Non-Disclosure Agreement", "# Confidentiality Agreement")
        saved = templates.save(session, SYSTEM, "nda", "en", body=body, note="New title")
        assert saved.version == 2
        after = service.generate(session, SYSTEM, kind="nda", locale="en", fmt="md",
                                 partner_id=ids["partner"])
        assert after.template_version == 2
        assert after.title == "Confidentiality Agreement"
        assert after.inputs_sha256 != before.inputs_sha256
    with db.unit_of_work(read_only=True) as session:
        rows = session.scalars(select(DocumentTemplate).where(DocumentTemplate.kind == "nda")
                               .order_by(DocumentTemplate.version)).all()
        assert [(r.version, r.note) for r in rows] == [(1, "built-in"), (2, "New title")]
        assert rows[0].body == templates.builtin_body("nda", "en")


def test_the_agreement_terms_come_from_the_caller(db: Database) -> None:
    ids = _world(db)
    extra = {"territory": "华东地区", "starts_on": "2026年2月1日", "ends_on": "2027年1月31日",
             "exclusive": True, "exclusivity": "区域内独家", "partner_type": "分销商",
             "kpis": [{"metric": "销售额", "target": "¥500,000.00", "period": "每季度"}],
             "milestones": [{"title": "首季度：10 家试点客户", "due_on": "2026年4月30日",
                             "target": "10", "metric": "试点客户"}],
             "ip_clause": "双方各自保留其知识产权。", "termination_terms": "提前 60 日书面通知。"}
    with db.unit_of_work() as session:
        document = service.generate(session, SYSTEM, kind="agreement", locale="zh-CN",
                                    fmt="md", partner_id=ids["partner"], plan_id=ids["plan"],
                                    agreement_id=77, extra=extra)
        assert document.agreement_id == 77
        text = document.content.decode()
    for value in ("华东地区", "2027年1月31日", "¥500,000.00", "首季度：10 家试点客户",
                  "双方各自保留其知识产权。", "提前 60 日书面通知。", "作为分销商"):
        assert value in text, value


def test_refusals_write_nothing(db: Database) -> None:
    ids = _world(db)
    second = make_program(db, name="Second program", company="Other Co.")
    analyst = make_user(db, "ana@example.com", Role.ANALYST)
    with db.unit_of_work() as session:
        with pytest.raises(Unprocessable, match="several programs"):
            service.generate(session, SYSTEM, kind="nda", locale="en", fmt="md")
        with pytest.raises(Unprocessable, match="not a plan of this program"):
            service.generate(session, SYSTEM, kind="agreement", locale="en", fmt="md",
                             program_id=second, plan_id=ids["plan"])
        with pytest.raises(NotFound):
            service.generate(session, SYSTEM, kind="nda", locale="en", fmt="md",
                             program_id=ids["program"], partner_id=99_999)
        with pytest.raises(Unprocessable, match="document kind"):
            service.generate(session, SYSTEM, kind="memo", locale="en", fmt="md",
                             program_id=ids["program"])
        with pytest.raises(Unprocessable, match="language"):
            service.generate(session, SYSTEM, kind="nda", locale="fr", fmt="md",
                             program_id=ids["program"])
        user = session.get(User, analyst)
        assert user is not None
        with pytest.raises(Forbidden):
            service.generate(session, subject_for_user(user), kind="nda", locale="en",
                             fmt="md", program_id=ids["program"])
    with db.unit_of_work(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(GeneratedDocument)) == 0


def test_a_broken_template_is_refused_at_render_time_too(db: Database) -> None:
    """A template row that escaped validation (written by hand) is still sandboxed."""
    ids = _world(db)
    with db.unit_of_work() as session:
        session.add(DocumentTemplate(kind="nda", locale="en", version=1,
                                     body="{{ ''.__class__.__mro__[1].__subclasses__() }}",
                                     created_at=clock.now()))
    with db.unit_of_work() as session, pytest.raises(Unprocessable) as refused:
        service.generate(session, SYSTEM, kind="nda", locale="en", fmt="md",
                         program_id=ids["program"])
    assert "_ cannot be used" in refused.value.render("en")


def test_two_identical_requests_at_once_keep_one_document(db: Database) -> None:
    ids = _world(db)
    barrier = threading.Barrier(2)
    made: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def generate() -> None:
        try:
            barrier.wait(timeout=10)
            with db.unit_of_work() as session:
                result = service.generate_document(session, SYSTEM, kind="nda", locale="en",
                                                   fmt="md", partner_id=ids["partner"])
                made.append((result.document.id, result.reused))
        except BaseException as error:
            errors.append(error)

    with clock.frozen(DAY):
        threads = [threading.Thread(target=generate) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    assert len({document_id for document_id, _ in made}) == 1
    assert sorted(reused for _, reused in made) == [False, True]
    with db.unit_of_work(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(GeneratedDocument)) == 1
