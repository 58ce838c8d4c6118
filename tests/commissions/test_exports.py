"""Statement exports on both databases: every format reads the lines through the scoped
service, keeps the currency's decimals and keeps a customer's text out of formulas; the PDF
says how the total comes from the lines under the plan's rounding."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from qudao.accounts.roles import Role
from qudao.accounts.subject import SYSTEM, AuthSubject
from qudao.commissions import exports, runs, statements, transactions
from qudao.commissions.models import CommissionStatement
from qudao.core.errors import NotFound, Unprocessable
from qudao.db.session import Database
from tests.commissions import builders


def _run(db: Database, period: str = "2011-01") -> None:
    with db.unit_of_work() as session:
        runs.run_period(session, SYSTEM, period=period)


def _statements(db: Database, partner_id: int | None = None) -> list[CommissionStatement]:
    with db.unit_of_work() as session:
        query = select(CommissionStatement).order_by(CommissionStatement.id)
        if partner_id is not None:
            query = query.where(CommissionStatement.partner_id == partner_id)
        return list(session.scalars(query))


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_formats_and_names(db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, tier_mode="marginal")
    alpha = builders.partner(db, program, plan, "Alpha")
    beta = builders.partner(db, program, plan, "Beta")
    builders.won_deal(db, alpha, program, date(2011, 1, 5), [("A", 15_000_000)],
                      customer="+SUM(A1)")
    builders.won_deal(db, beta, program, date(2011, 1, 6), [("A", 1_000_000)])
    _run(db)
    found = _statements(db)
    with db.unit_of_work() as session:
        with pytest.raises(Unprocessable) as refused:
            exports.export_statements(session, SYSTEM, found, "docx", "en")
        assert refused.value.field == "format"
        single = exports.export_statements(session, SYSTEM, found[:1], "PDF", "en")
        both = exports.export_statements(session, SYSTEM, found, "csv", "en")
        listed = exports.export_statements(session, SYSTEM, found, "json", "zh-CN")
    assert (single.filename, single.media_type) == (f"statement-{found[0].id}.pdf",
                                                     "application/pdf")
    assert both.filename == "statements-2011-01.csv"
    assert both.media_type.startswith("text/csv")
    rows = _csv_rows(both.content)
    kind = rows[0].index("Line kind")
    assert [row[kind] for row in rows[1:]] == ["Sale", "Total", "Sale", "Total"]
    assert "'+SUM(A1)" in rows[1]
    documents = json.loads(listed.content)
    assert [d["partner_name"] for d in documents] == ["Alpha", "Beta"]
    assert documents[0]["state_label"] == "草稿"
    assert documents[0]["total"] == "25000.00"
    assert documents[1]["total"] == "1500.00"


def test_custom_period_file_name(db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, kind="flat", flat_rate="0.10")
    for name in ("Gamma", "Delta"):
        partner = builders.partner(db, program, plan, name)
        builders.won_deal(db, partner, program, date(2011, 1, 10), [("A", 100_000)])
    _run(db, "2011-01-05..2011-02-04")
    with db.unit_of_work() as session:
        export = exports.export_statements(session, SYSTEM, _statements(db), "json", "en")
    assert export.filename == "statements-2011-01-05_2011-02-04.json"


def test_a_partner_exports_only_its_own(db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, kind="flat", flat_rate="0.10")
    alpha = builders.partner(db, program, plan, "Alpha")
    beta = builders.partner(db, program, plan, "Beta")
    for partner in (alpha, beta):
        builders.won_deal(db, partner, program, date(2011, 1, 5), [("A", 100_000)])
    _run(db)
    reader = AuthSubject(kind="partner_user", role=Role.PARTNER_MEMBER, user_id=None,
                         partner_id=alpha, label="alpha user")
    (own,) = _statements(db, alpha)
    (other,) = _statements(db, beta)
    with db.unit_of_work() as session:
        document = exports.statement_document(session, reader, own, "en")
        assert document["partner_name"] == "Alpha"
        for fmt in ("csv", "json"):
            with pytest.raises(NotFound):
                exports.export_statements(session, reader, [other], fmt, "en")
        with pytest.raises(NotFound):
            exports.statement_document(session, reader, other, "en")


def test_clawbacks_stay_numbers_and_lines_sum(db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, kind="flat", flat_rate="0.125",
                         rounding_level="statement", rounding_mode="half_even")
    partner = builders.partner(db, program, plan, "Epsilon")
    line = builders.won_deal(db, partner, program, date(2011, 1, 5),
                             [("A", 1_001), ("B", 1_003)])[0]
    _run(db)
    with db.unit_of_work() as session:
        transactions.record_refund(session, SYSTEM, amount="4.00", occurred_on=date(2011, 1, 9),
                                   deal_line_id=line)
    _run(db)
    (statement,) = _statements(db)
    with db.unit_of_work() as session:
        document = exports.statement_document(session, SYSTEM, statement, "en")
        csv_export = exports.export_statements(session, SYSTEM, [statement], "csv", "en")
        pdf = exports.export_statements(session, SYSTEM, [statement], "pdf", "en")
    lines = document["lines"]
    assert [entry["kind"] for entry in lines] == ["sale", "sale", "clawback"]
    assert sum(entry["commission_minor"] for entry in lines) == document["total_minor"]
    assert sum(Decimal(entry["commission_exact"]) + Decimal(entry["rounding"])
               for entry in lines) == Decimal(document["total"])
    rows = _csv_rows(csv_export.content)
    commission = rows[0].index("Commission")
    clawback = rows[3][commission]
    assert clawback.startswith("-")  # a number, not text neutralised like a formula
    assert Decimal(clawback) == Decimal(lines[2]["commission"])
    assert rows[-1][commission] == document["total"]
    text = _pdf_text(pdf.content)
    if text is not None:
        assert "Epsilon" in text
        assert "running total" in " ".join(text.split())


def _pdf_text(content: bytes) -> str | None:
    assert content.startswith(b"%PDF")
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover
        return None
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_yen_and_dinar_in_every_format(db: Database) -> None:
    program = builders.program(db)
    yen = builders.partner(db, program, builders.plan(db, program, currency="JPY",
                                                      kind="flat", flat_rate="0.10"), "Yen")
    dinar = builders.partner(db, program, builders.plan(db, program, currency="KWD",
                                                        kind="flat", flat_rate="0.10"),
                             "Dinar")
    builders.won_deal(db, yen, program, date(2011, 1, 5), [("A", 1_234_567)], currency="JPY")
    builders.won_deal(db, dinar, program, date(2011, 1, 5), [("A", 1_234_567)],
                      currency="KWD")
    _run(db)
    found = _statements(db)
    with db.unit_of_work() as session:
        made = {fmt: exports.export_statements(session, SYSTEM, found, fmt, "en")
                for fmt in ("csv", "xlsx", "json", "pdf")}
    totals = {d["currency"]: d["total"] for d in json.loads(made["json"].content)}
    assert totals == {"JPY": "123457", "KWD": "123.457"}
    rows = _csv_rows(made["csv"].content)
    base = rows[0].index("Base")
    assert sorted(row[base] for row in rows[1:]) == ["1234.567", "1234.567", "1234567",
                                                     "1234567"]
    book = openpyxl.load_workbook(io.BytesIO(made["xlsx"].content))
    summary = list(book["Statements"].iter_rows(min_row=2))
    formats = {row[5].value: row[7].number_format for row in summary}
    assert formats == {"JPY": "#,##0", "KWD": "#,##0.000"}
    text = _pdf_text(made["pdf"].content)
    if text is not None:
        assert "123,457 JPY" in text
        assert "123.457 KWD" in text


def test_a_chinese_pdf_renders_chinese(db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, kind="flat", flat_rate="0.10")
    partner = builders.partner(db, program, plan, "华东渠道伙伴")
    builders.won_deal(db, partner, program, date(2011, 1, 5), [("A", 100_000)],
                      customer="上海客户 | *粗体*")
    _run(db)
    with db.unit_of_work() as session:
        pdf = exports.export_statements(session, SYSTEM, _statements(db), "pdf", "zh-CN")
        listed, _total = statements.list_statements(session, SYSTEM, limit=5, offset=0)
    assert len(listed) == 1
    text = _pdf_text(pdf.content)
    if text is not None:
        assert "华东渠道伙伴" in text
        assert "上海客户" in text, text
        assert "*粗体*" in text  # Markdown in a name is shown, not applied
