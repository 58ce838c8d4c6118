"""The file's first two weeks (about 31,000 lines) imported once per database, SQLite and
PostgreSQL, and checked against a computation straight from the raw lines with the csv
module; then a commission run over them claws back a refunded line."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from qudao.accounts.subject import SYSTEM
from qudao.agreements.models import Agreement
from qudao.commissions import ledger, runs
from qudao.commissions.models import CommissionStatement, SalesTransaction, StatementLine
from qudao.commissions.transactions import record_refund
from qudao.core.money import from_minor
from qudao.db.session import Database
from qudao.deals.models import Deal, DealLine
from qudao.partners.models import Partner
from qudao.programs.models import CommissionPlan, Product
from qudao.recommendations.transactions import is_product_code
from qudao.retail.catalogue import ensure_products
from qudao.retail.importer import ImportReport, import_file
from qudao.retail.models import DirectSale
from qudao.retail.partners import DISTRIBUTOR_MIN_REVENUE, ensure_country_partners
from qudao.retail.summary import FileSummary, summarise
from tests.conftest import BACKENDS, skip_or_fail
from tests.fixtures.retail import gift_ware_program
from tests.support.databases import PostgresFactory, SqliteFactory

PENNY = Decimal("0.01")


@dataclass(frozen=True)
class Expected:
    """What the slice should give, computed here from the raw lines."""

    lines: int
    deals: int
    deal_lines: int
    refunds: int
    direct_sales: int
    # Net minor units (sales minus refunds) of the lines credited to a partner.
    by_country: Counter[str]
    by_day: Counter[date]
    products: set[str]
    fee_codes: set[str]


@dataclass(frozen=True)
class Imported:
    db: Database
    program_id: int
    partners: dict[str, int]
    products: dict[str, int]
    summary: FileSummary
    report: ImportReport
    # Read in a second process.
    apart: bool = False


@pytest.fixture(scope="module")
def expected(retail_slice: Path) -> Expected:
    deals: set[str] = set()
    counts: Counter[str] = Counter()
    by_country: Counter[str] = Counter()
    by_day: Counter[date] = Counter()
    latest: dict[str, str] = {}
    with gzip.open(retail_slice, "rt", newline="") as rows:
        for row in csv.DictReader(rows):
            counts["lines"] += 1
            invoice, code = row["InvoiceNo"], row["StockCode"]
            if row["Description"]:
                latest[code] = row["Description"]
            else:
                latest.setdefault(code, "")
            quantity, price = int(row["Quantity"]), Decimal(row["UnitPrice"])
            cancelled = invoice.startswith("C")
            if not (invoice[0].isdigit() or cancelled) or price <= 0 or quantity == 0 or (
                    (quantity < 0) != cancelled):
                continue
            minor = int((quantity * price / PENNY).quantize(Decimal(1),
                                                            rounding=ROUND_HALF_EVEN))
            if minor == 0:
                continue
            if not row["CustomerID"] or row["Country"] == "Unspecified":
                counts["direct"] += 1
                continue
            if cancelled:
                counts["refunds"] += 1
            else:
                counts["deal_lines"] += 1
                deals.add(invoice)
            by_country[row["Country"]] += minor
            # December: London's wall-clock time is UTC.
            by_day[date.fromisoformat(row["InvoiceDate"][:10])] += minor
    products = {code for code, name in latest.items() if is_product_code(code, name)}
    return Expected(counts["lines"], len(deals), counts["deal_lines"], counts["refunds"],
                    counts["direct"], by_country, by_day, products, set(latest) - products)


# Each database, and SQLite once more with the file read in a second process (by default
# only files of a megabyte or more are).
VARIANTS = [*BACKENDS, *(["sqlite-apart"] if "sqlite" in BACKENDS else [])]


@pytest.fixture(scope="module", params=VARIANTS)
def imported(request: pytest.FixtureRequest, retail_slice: Path) -> Iterator[Imported]:
    factory: SqliteFactory | PostgresFactory | None = request.getfixturevalue(
        "postgres_factory" if request.param == "postgresql" else "sqlite_factory")
    if factory is None:
        skip_or_fail("PostgreSQL server binaries are not installed")
    assert factory is not None
    url = factory.new_url()
    db = Database(url)
    apart = request.param == "sqlite-apart"
    facts = summarise(retail_slice)
    moves: list[tuple[int, int]] = []
    with db.unit_of_work() as session:
        program = gift_ware_program(session)
        partners = ensure_country_partners(session, facts)
        products = ensure_products(session, facts)
        report = import_file(session, retail_slice, program_id=program.id, partners=partners,
                             products=products,
                             progress=lambda done, total: moves.append((done, total)),
                             apart=apart)
    assert len(moves) > 5
    assert moves[-1][0] == moves[-1][1] == retail_slice.stat().st_size
    assert [done for done, _ in moves] == sorted(done for done, _ in moves)
    yield Imported(db, program.id, partners, products, facts, report, apart)
    db.dispose()
    factory.drop(url)


def test_counts_match_the_raw_lines(imported: Imported, expected: Expected) -> None:
    report = imported.report
    assert report.rows_read == expected.lines == imported.summary.rows
    assert (report.deals, report.deal_lines) == (expected.deals, expected.deal_lines)
    assert (report.refunds, report.direct_sales) == (expected.refunds, expected.direct_sales)
    assert 0 < report.refunds_linked < report.refunds
    with imported.db.unit_of_work(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Deal).where(
            Deal.program_id == imported.program_id)) == expected.deals
        assert session.scalar(select(func.count()).select_from(DealLine)) == \
            expected.deal_lines
        assert session.scalar(select(func.count()).select_from(SalesTransaction)) == \
            expected.refunds
        assert session.scalar(select(func.count()).select_from(DirectSale)) == \
            expected.direct_sales
        assert set(session.scalars(select(Product.sku))) == expected.products
        # Deals add up to their lines.
        mismatched = session.scalar(
            select(func.count()).select_from(Deal).where(Deal.amount_minor != select(
                func.sum(DealLine.amount_minor)).where(DealLine.deal_id == Deal.id)
                .scalar_subquery()))
        assert mismatched == 0


def test_net_revenue_per_partner_and_per_day(imported: Imported, expected: Expected) -> None:
    country_of = {partner_id: country for country, partner_id in imported.partners.items()}
    by_partner: Counter[str] = Counter()
    by_day: Counter[date] = Counter()
    with imported.db.unit_of_work(read_only=True) as session:
        for partner_id, closed, amount in session.execute(
                select(Deal.partner_id, Deal.closed_at, DealLine.amount_minor)
                .join(DealLine, DealLine.deal_id == Deal.id)):
            by_partner[country_of[partner_id]] += amount
            by_day[closed.astimezone(UTC).date()] += amount
        for partner_id, day, amount in session.execute(
                select(SalesTransaction.partner_id, SalesTransaction.occurred_on,
                       SalesTransaction.amount_minor)
                .where(SalesTransaction.kind == "refund")):
            by_partner[country_of[partner_id]] -= amount
            by_day[day] -= amount
    assert +by_partner == +expected.by_country
    assert by_day == expected.by_day
    # The summary's figures are the same money.
    assert {c: v for c, v in imported.summary.countries.items() if c != "Unspecified"} == {
        c: from_minor(expected.by_country[c], "GBP")
        for c in imported.summary.countries if c != "Unspecified"}


def test_partners_by_territory(imported: Imported, expected: Expected) -> None:
    assert set(imported.partners) == set(imported.summary.countries) - {"Unspecified"}
    with imported.db.unit_of_work(read_only=True) as session:
        for country, partner_id in imported.partners.items():
            partner = session.get(Partner, partner_id)
            assert partner is not None
            assert partner.country == country
            big = from_minor(expected.by_country[country], "GBP") >= DISTRIBUTOR_MIN_REVENUE
            assert partner.partner_type == ("distributor" if big else "reseller")
            assert partner.stage == "sourced"
            assert partner.contacts
        types = set(session.scalars(select(Partner.partner_type).where(
            Partner.id.in_(imported.partners.values()))))
        # The United Kingdom sells over the threshold in two weeks; no other territory does.
        assert types == {"distributor", "reseller"}
        again = ensure_country_partners(session, imported.summary)
    assert again == imported.partners


def test_fees_stay_lines_without_a_product(imported: Imported, expected: Expected) -> None:
    fee_codes = expected.fee_codes
    with imported.db.unit_of_work(read_only=True) as session:
        skus = {(sku, missing) for sku, missing in session.execute(
            select(DealLine.sku, DealLine.product_id.is_(None)).distinct())}
    assert {sku for (sku, missing) in skus if missing} == {
        sku for (sku, _) in skus if sku in fee_codes}
    assert any(sku == "POST" for (sku, _) in skus)
    assert all(imported.products[sku] for (sku, missing) in skus if not missing)


def test_refunds_name_an_earlier_line_of_the_same_customer_and_partner(
        imported: Imported) -> None:
    with imported.db.unit_of_work(read_only=True) as session:
        rows = session.execute(
            select(SalesTransaction, DealLine, Deal)
            .join(DealLine, DealLine.id == SalesTransaction.refund_of_deal_line_id)
            .join(Deal, Deal.id == DealLine.deal_id)).all()
        refunded: Counter[int] = Counter()
        for refund, line, deal in rows:
            assert refund.partner_id == deal.partner_id
            assert refund.customer_ref == deal.customer_ref
            assert refund.sku == line.sku
            assert deal.closed_at is not None
            assert deal.closed_at.astimezone(UTC).date() <= refund.occurred_on
            assert refund.amount_minor > 0
            assert refund.quantity > 0
            refunded[line.id] += refund.amount_minor
            assert refunded[line.id] <= (line.amount_minor or 0)
        assert len(rows) == imported.report.refunds_linked


def test_a_bulk_refund_is_what_the_service_would_record(imported: Imported) -> None:
    session = imported.db.session()
    try:
        first = session.scalars(select(SalesTransaction).where(
            SalesTransaction.refund_of_deal_line_id.is_not(None))
            .order_by(SalesTransaction.id).limit(1)).one()
        fields = ("partner_id", "program_id", "kind", "external_ref", "occurred_on",
                  "customer_ref", "customer_name", "sku", "description", "amount_minor",
                  "currency", "refund_of_id", "refund_of_deal_line_id", "reason", "source")
        bulk = {name: getattr(first, name) for name in fields}
        session.delete(first)
        session.flush()
        again = record_refund(session, SYSTEM, amount=format(from_minor(
            bulk["amount_minor"], "GBP"), "f"), occurred_on=bulk["occurred_on"],
            reason=bulk["reason"], deal_line_id=bulk["refund_of_deal_line_id"],
            external_ref=bulk["external_ref"], source="import")
        assert {name: getattr(again, name) for name in fields} == bulk
    finally:
        session.rollback()
        session.close()


def test_a_second_import_writes_nothing(imported: Imported, retail_slice: Path) -> None:
    tables = (Deal, DealLine, SalesTransaction, DirectSale, Product, Partner)

    def counts() -> list[int]:
        with imported.db.unit_of_work(read_only=True) as session:
            return [int(session.scalar(select(func.count()).select_from(t)) or 0)
                    for t in tables]

    before = counts()
    with imported.db.unit_of_work() as session:
        assert ensure_products(session, imported.summary) == imported.products
        again = import_file(session, retail_slice, program_id=imported.program_id,
                            partners=imported.partners, products=imported.products,
                            apart=imported.apart)
    first = imported.report
    assert (again.deals, again.deal_lines, again.refunds, again.direct_sales) == (0, 0, 0, 0)
    assert again.already_present == first.deal_lines + first.refunds + first.direct_sales
    assert counts() == before


def test_a_commission_run_claws_back_a_refunded_line(imported: Imported) -> None:
    db = imported.db
    with db.unit_of_work() as session:
        refund = session.scalars(select(SalesTransaction).where(
            SalesTransaction.refund_of_deal_line_id.is_not(None))
            .order_by(SalesTransaction.id).limit(1)).one()
        partner_id, refund_id = refund.partner_id, refund.id
        plan = CommissionPlan(program_id=imported.program_id, name="Ten per cent",
                              currency="GBP", kind="flat", flat_rate=Decimal("0.10"),
                              period="month")
        session.add(plan)
        session.flush()
        session.add(Agreement(partner_id=partner_id, program_id=imported.program_id,
                              plan_id=plan.id, territory="Test", starts_on=date(2010, 1, 1),
                              ends_on=date(2030, 12, 31), state="active", in_force=True))
    with db.unit_of_work() as session:
        run = runs.run_period(session, SYSTEM, period="2010-12",
                              program_id=imported.program_id)
        assert run.lines_posted > 0
    with db.unit_of_work(read_only=True) as session:
        lines = session.execute(
            select(StatementLine.kind, StatementLine.source_key, StatementLine.commission_minor,
                   StatementLine.deal_line_id)
            .join(CommissionStatement, CommissionStatement.id == StatementLine.statement_id)
            .where(CommissionStatement.partner_id == partner_id)).all()
        earned = {line_id: minor for kind, _, minor, line_id in lines if kind == "sale"}
        clawbacks = {key: (minor, line_id) for kind, key, minor, line_id in lines
                     if kind == "clawback"}
        minor, line_id = clawbacks[f"refund:{refund_id}"]
        assert line_id in earned
        assert -earned[line_id] <= minor < 0
        assert ledger.unbalanced(session) == []


def test_the_tables_written_keep_every_index(imported: Imported) -> None:
    """The import rebuilds on SQLite the indexes it set aside while writing: every index the
    models declare is there again."""
    found = inspect(imported.db.engine)
    for model in (Deal, DealLine, DirectSale, SalesTransaction):
        table = model.__table__
        declared = {index.name for index in table.indexes}  # type: ignore[attr-defined]
        assert declared, table
        assert {ix["name"] for ix in found.get_indexes(table.name)} >= declared, table
