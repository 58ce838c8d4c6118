"""What each kind of line becomes, on a small file written for the purpose, on SQLite and
PostgreSQL: won deals and their lines, refunds and the line each refunds, sales credited to
no partner, the lines skipped, the rounding, a second import, a bad line."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from qudao.audit.models import AuditEntry
from qudao.commissions.models import SalesTransaction
from qudao.core import child_process
from qudao.db.session import Database
from qudao.deals.models import Deal, DealLine
from qudao.partners.models import Partner
from qudao.programs.models import Product, ProductPrice
from qudao.retail import importer as importer_module
from qudao.retail.catalogue import ensure_products
from qudao.retail.importer import ImportReport, import_file
from qudao.retail.models import DirectSale
from qudao.retail.partners import ensure_country_partners
from qudao.retail.reader import RetailColumnsError, RetailFormatError
from qudao.retail.summary import summarise
from tests.conftest import skip_or_fail
from tests.fixtures.retail import gift_ware_program
from tests.support.databases import PostgresFactory, SqliteFactory

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
UK, DE = "United Kingdom", "Germany"
LINES = [
    f"536001,85123A,WHITE HANGING HEART,6,2010-12-01 08:00:00,2.55,100,{UK}",
    f"536001,POST,POSTAGE,1,2010-12-01 08:00:00,18.00,100,{UK}",
    f"536001,22423,REGENCY CAKESTAND,1,2010-12-01 08:00:00,0,100,{UK}",       # free: skipped
    f"536002,85123A,WHITE HANGING HEART,12,2010-12-01 09:00:00,2.55,200,{DE}",
    f"536003,85123A,WHITE HANGING HEART,1,2010-12-01 09:30:00,4.95,,{UK}",     # no customer
    f"536003,POST,POSTAGE,1,2010-12-01 09:30:00,5.00,,{UK}",                   # a fee
    "536004,85123A,WHITE HANGING HEART,2,2010-12-01 10:00:00,2.55,300,Unspecified",
    f"536005,85123A,WHITE HANGING HEART,-5,2010-12-02 10:00:00,2.55,,{UK}",    # adjustment
    f"A536006,B,Adjust bad debt,1,2010-12-02 11:00:00,100.00,,{UK}",           # adjustment
    f"C536007,85123A,WHITE HANGING HEART,-2,2010-12-03 10:00:00,2.55,100,{UK}",  # linked
    f"C536007,85123A,WHITE HANGING HEART,-20,2010-12-03 10:00:00,2.55,100,{UK}",  # too much
    f"C536008,22423,REGENCY CAKESTAND,-1,2010-12-03 11:00:00,12.75,200,{DE}",   # never sold
    f"C536009,85123A,WHITE HANGING HEART,-1,2010-12-03 12:00:00,2.55,100,{DE}",  # other partner
    f"536001,22423,REGENCY CAKESTAND,2,2010-12-01 08:00:00,12.75,100,{UK}",    # invoice again
    f"C536010,POST,POSTAGE,-1,2010-12-04 10:00:00,18.00,,{UK}",                # direct refund
    f"536011,85123A,WHITE HANGING HEART,3,2011-07-01 10:00:00,0.125,100,{UK}",  # BST, 3 places
    f"536011,PADS,PADS TO MATCH ALL CUSHIONS,1,2011-07-01 10:00:00,0.001,100,{UK}",  # < 1p
    f"C536012,85123A,WHITE HANGING HEART,-1,2011-07-02 10:00:00,2.55,100,{UK}",  # room left
]


@dataclass(frozen=True)
class Imported:
    path: Path
    program_id: int
    partners: dict[str, int]
    products: dict[str, int]
    report: ImportReport


def _file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "retail.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _import(db: Database, path: Path) -> Imported:
    with db.unit_of_work() as session:
        facts = summarise(path)
        program = gift_ware_program(session)
        partners = ensure_country_partners(session, facts)
        products = ensure_products(session, facts)
        report = import_file(session, path, program_id=program.id, partners=partners,
                             products=products)
        return Imported(path, program.id, partners, products, report)


@pytest.fixture
def imported(db: Database, tmp_path: Path) -> Imported:
    return _import(db, _file(tmp_path, LINES))


def _count(db: Database, table: type) -> int:
    with db.unit_of_work(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_the_report_counts_every_line(imported: Imported) -> None:
    report = imported.report
    assert (report.rows_read, report.deals, report.deal_lines) == (len(LINES), 3, 5)
    assert (report.refunds, report.refunds_linked, report.direct_sales) == (5, 2, 4)
    assert report.skipped == {"adjustment": 2, "below_minor_unit": 1, "zero_price": 1}
    assert report.already_present == 0
    assert report.rows_read == (report.deal_lines + report.refunds + report.direct_sales
                                + sum(report.skipped.values()))
    assert set(imported.partners) == {UK, DE}
    assert set(imported.products) == {"85123A", "22423"}


def test_partners_products_and_prices(db: Database, imported: Imported) -> None:
    with db.unit_of_work(read_only=True) as session:
        uk = session.get(Partner, imported.partners[UK])
        assert uk is not None
        assert (uk.country, uk.stage, uk.source) == (UK, "sourced", "retail data")
        # Below the distributor threshold: an agent (stored as the reseller type).
        assert uk.partner_type == "reseller"
        assert uk.contacts
        assert all(c.email and c.email.endswith("@" + (uk.domain or "?"))
                                   for c in uk.contacts)
        prices = session.execute(
            select(Product.sku, Product.name, ProductPrice.min_quantity,
                   ProductPrice.unit_price_minor, ProductPrice.currency)
            .join(ProductPrice, ProductPrice.product_id == Product.id)
            .order_by(Product.sku)).all()
        assert [tuple(p) for p in prices] == [
            ("22423", "REGENCY CAKESTAND", 1, 1275, "GBP"),
            ("85123A", "WHITE HANGING HEART", 1, 255, "GBP")]


def test_invoices_become_won_deals_with_their_lines(db: Database, imported: Imported) -> None:
    with db.unit_of_work(read_only=True) as session:
        deals = {d.external_ref: d for d in session.scalars(select(Deal))}
        assert set(deals) == {"retail:536001", "retail:536002", "retail:536011"}
        first = deals["retail:536001"]
        december = datetime(2010, 12, 1, 8, tzinfo=UTC)
        assert (first.stage, first.source, first.currency) == ("won", "import", "GBP")
        assert first.partner_id == imported.partners[UK]
        assert first.program_id == imported.program_id
        assert (first.customer_ref, first.customer_name) == ("100", "Customer 100")
        assert first.closed_at == first.approved_at == first.created_at == december
        assert first.updated_at == december
        # 15.30 + 18.00 + 25.50: the invoice's line further down the file counts too.
        assert first.amount_minor == 5880
        lines = {line.sku: line for line in first.lines}
        assert {sku: (line.kind, line.quantity, line.unit_price_minor, line.amount_minor)
                for sku, line in lines.items()} == {
            "85123A": ("won", 6, 255, 1530), "POST": ("won", 1, 1800, 1800),
            "22423": ("won", 2, 1275, 2550)}
        assert lines["POST"].product_id is None
        assert lines["85123A"].product_id == imported.products["85123A"]
        summer = deals["retail:536011"]
        # 10:00 in London in July is 09:00 UTC; 3 x 0.125 = 0.375, rounded half-even.
        assert summer.closed_at == datetime(2011, 7, 1, 9, tzinfo=UTC)
        assert [(line.unit_price_minor, line.amount_minor) for line in summer.lines] == [
            (12, 38)]
        for deal in deals.values():
            assert deal.amount_minor == sum(line.amount_minor or 0 for line in deal.lines)


def test_cancellations_refund_an_earlier_line_of_the_same_partner(
        db: Database, imported: Imported) -> None:
    with db.unit_of_work(read_only=True) as session:
        refunds = {r.external_ref: r for r in session.scalars(select(SalesTransaction))}
        assert set(refunds) == {"retail:C536007:1", "retail:C536007:2", "retail:C536008:1",
                                "retail:C536009:1", "retail:C536012:1"}
        line_of = {line.sku: line.id for line in session.scalars(
            select(DealLine).join(Deal).where(Deal.external_ref == "retail:536001"))}
        first = refunds["retail:C536007:1"]
        assert (first.kind, first.quantity, first.amount_minor) == ("refund", 2, 510)
        assert (first.partner_id, first.program_id) == (imported.partners[UK],
                                                        imported.program_id)
        assert (first.customer_ref, first.customer_name) == ("100", "Customer 100")
        assert (first.occurred_on, first.currency, first.source) == (date(2010, 12, 3), "GBP",
                                                                      "import")
        assert first.reason == "Cancelled invoice C536007"
        assert first.refund_of_deal_line_id == line_of["85123A"]
        assert first.refund_of_id is None
        # 51.00 is more than is left of the 15.30 sold: no line is named.
        assert refunds["retail:C536007:2"].refund_of_deal_line_id is None
        assert refunds["retail:C536008:1"].refund_of_deal_line_id is None
        # The same customer under another territory's partner never refunds the UK's line.
        other = refunds["retail:C536009:1"]
        assert other.partner_id == imported.partners[DE]
        assert other.refund_of_deal_line_id is None
        # July's 0.38 cannot cover 2.55; December's line has 10.20 left.
        assert refunds["retail:C536012:1"].refund_of_deal_line_id == line_of["85123A"]


def test_lines_without_a_partner_are_direct_sales(db: Database, imported: Imported) -> None:
    with db.unit_of_work(read_only=True) as session:
        found = {(d.external_ref, d.kind, d.sku, d.quantity, d.amount_minor, d.country)
                 for d in session.scalars(select(DirectSale))}
        assert found == {
            ("retail:536003:1", "sale", "85123A", 1, 495, UK),
            ("retail:536003:2", "fee", "POST", 1, 500, UK),
            ("retail:536004:1", "sale", "85123A", 2, 510, "Unspecified"),
            ("retail:C536010:1", "refund", "POST", -1, -1800, UK)}
        sale = session.scalar(select(DirectSale).where(
            DirectSale.external_ref == "retail:536003:1"))
        assert sale is not None
        assert sale.program_id == imported.program_id
        assert sale.occurred_at == datetime(2010, 12, 1, 9, 30, tzinfo=UTC)
        assert sale.currency == "GBP"


def test_a_second_import_writes_nothing(db: Database, imported: Imported) -> None:
    tables = (Deal, DealLine, SalesTransaction, DirectSale, Partner, Product, ProductPrice)
    before = [_count(db, t) for t in tables]
    audits = _count(db, AuditEntry)
    again = _import(db, imported.path).report
    assert [_count(db, t) for t in tables] == before
    assert (again.deals, again.deal_lines, again.refunds, again.direct_sales) == (0, 0, 0, 0)
    assert again.already_present == 5 + 5 + 4
    assert again.skipped == imported.report.skipped
    # Nothing written, nothing audited; the first import left one entry, none per row.
    assert _count(db, AuditEntry) == audits
    with db.unit_of_work(read_only=True) as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "retail.import")).all()
        assert len(entries) == 1


def test_a_bad_line_writes_nothing(db: Database, tmp_path: Path) -> None:
    bad = [*LINES[:4], f"536099,85123A,WHITE HANGING HEART,lots,2010-12-05 10:00:00,2.55,100,"
           f"{UK}", *LINES[4:]]
    path = _file(tmp_path, LINES)
    with db.unit_of_work() as session:
        program_id = gift_ware_program(session).id
        partners = ensure_country_partners(session, summarise(path))
    path.write_text("\n".join([HEADER, *bad]) + "\n", encoding="utf-8")
    with pytest.raises(RetailFormatError) as raised, db.unit_of_work() as session:
        import_file(session, path, program_id=program_id, partners=partners, products={})
    assert raised.value.line == 6
    assert raised.value.field == "Quantity"
    for table in (Deal, DealLine, SalesTransaction, DirectSale):
        assert _count(db, table) == 0


# -- a file read in a second process (SQLite, Linux) ---------------------------------------

@pytest.fixture
def sqlite_db(sqlite_factory: SqliteFactory) -> Iterator[Database]:
    url = sqlite_factory.new_url()
    database = Database(url)
    yield database
    database.dispose()
    sqlite_factory.drop(url)


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the imports that read their file in a second process."""
    started: list[int] = []
    original = child_process.run_in_child

    def counted(produce: Any, consume: Any) -> Any:
        started.append(1)
        return original(produce, consume)

    monkeypatch.setattr(child_process, "run_in_child", counted)
    return started


needs_fork = pytest.mark.skipif(not child_process.available(), reason="Linux only")


@needs_fork
def test_a_large_first_import_reads_in_a_second_process(
        sqlite_db: Database, tmp_path: Path, children: list[int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = _file(tmp_path, LINES)
    monkeypatch.setattr(importer_module, "APART_BYTES", path.stat().st_size)
    first = _import(sqlite_db, path).report
    assert children == [1]
    assert (first.deals, first.deal_lines, first.refunds, first.direct_sales) == (3, 5, 5, 4)
    assert first.refunds_linked == 2
    # Once deals are stored, a cancellation may need their lines from the database, which
    # only this process reads: a second import stays here.
    again = _import(sqlite_db, path).report
    assert children == [1]
    assert again.already_present == 5 + 5 + 4


@needs_fork
def test_read_apart_a_bad_line_writes_nothing(sqlite_db: Database, tmp_path: Path,
                                              children: list[int]) -> None:
    path = _file(tmp_path, [*LINES[:4], f"536099,85123A,HEART,lots,2010-12-05 10:00:00,2.55,"
                                        f"100,{UK}", *LINES[4:]])
    with sqlite_db.unit_of_work() as session:
        program_id = gift_ware_program(session).id
    with pytest.raises(RetailFormatError) as raised, sqlite_db.unit_of_work() as session:
        import_file(session, path, program_id=program_id, partners={UK: 1}, products={},
                    apart=True)
    assert children == [1]
    assert (raised.value.line, raised.value.field) == (6, "Quantity")
    assert "lots" in str(raised.value)
    for table in (Deal, DealLine, SalesTransaction, DirectSale, AuditEntry):
        assert _count(sqlite_db, table) == 0


@needs_fork
def test_read_apart_a_file_of_another_format_is_refused(sqlite_db: Database,
                                                        tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Date,Amount\n2010-12-01,3\n", encoding="utf-8")
    with pytest.raises(RetailColumnsError), sqlite_db.unit_of_work() as session:
        import_file(session, path, program_id=1, partners={}, products={}, apart=True)


def test_reading_apart_is_for_sqlite(postgres_factory: PostgresFactory | None,
                                     tmp_path: Path) -> None:
    """PostgreSQL hands out ids from its sequences as rows are made: only this process may
    ask it, so the file is read here."""
    if postgres_factory is None:
        skip_or_fail("PostgreSQL server binaries are not installed")
    assert postgres_factory is not None
    url = postgres_factory.new_url()
    database = Database(url)
    try:
        with pytest.raises(ValueError, match="only on SQLite"), \
                database.unit_of_work() as session:
            import_file(session, _file(tmp_path, LINES), program_id=1, partners={},
                        products={}, apart=True)
    finally:
        database.dispose()
        postgres_factory.drop(url)
