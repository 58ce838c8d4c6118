"""The wholesaler's demo channel on the file's first two weeks, on SQLite and PostgreSQL:
its figures agree with a computation from the raw file, the United Kingdom's share trips the
concentration alert, and a second run adds nothing."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import func, select

from qudao.accounts import login as login_module
from qudao.accounts import passwords
from qudao.agreements.models import Agreement
from qudao.audit.models import AuditEntry
from qudao.commissions.models import CommissionRun, CommissionStatement, SalesTransaction
from qudao.core.config import Settings
from qudao.dashboards import concentration
from qudao.dashboards.revenue import monthly_revenue, revenue_by_partner
from qudao.dashboards.window import window_for
from qudao.db.session import Database
from qudao.deals.models import Deal
from qudao.demo.retail import PROGRAM_NAME, RetailDemo, ensure_retail
from qudao.partners.models import Partner
from qudao.programs import repository as programs
from qudao.referrals.models import ReferralEvent
from qudao.retail.models import DirectSale
from qudao.screening.models import Evaluation
from tests.conftest import BACKENDS, TEST_SECRET, skip_or_fail
from tests.demo.conftest import load_demo
from tests.support.databases import PostgresFactory, SqliteFactory


@dataclass(frozen=True)
class Loaded:
    database: Database
    settings: Settings
    result: RetailDemo
PENNY = Decimal("0.01")


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, retail_slice: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    factory: SqliteFactory | PostgresFactory | None = request.getfixturevalue(
        "sqlite_factory" if request.param == "sqlite" else "postgres_factory")
    if factory is None:
        skip_or_fail("PostgreSQL server binaries are not installed")
    assert factory is not None
    url = factory.new_url()
    settings = Settings(env="test", database_url=url, secret_key=TEST_SECRET,
                        data_dir=tmp_path_factory.mktemp("data"))
    database = Database(url)
    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "HASHER", quick)
        patch.setattr(login_module, "HASHER", quick)
        load_demo(database, settings)
        with database.unit_of_work() as session:
            result = ensure_retail(session, settings, path=retail_slice)
    yield Loaded(database, settings, result)
    database.dispose()
    factory.drop(url)


def _raw(path: Path) -> tuple[Counter[str], Decimal, Decimal, int]:
    """Per country net revenue, and the slice's sales and refunds, as anyone would compute
    them from the file: lines with a customer in a known country, each line rounded to the
    penny."""
    by_country: Counter[str] = Counter()
    sales = refunds = Decimal(0)
    invoices: set[str] = set()
    with gzip.open(path, "rt", newline="") as rows:
        for row in csv.DictReader(rows):
            if not row["CustomerID"] or row["Country"] == "Unspecified":
                continue
            amount = (int(row["Quantity"]) * Decimal(row["UnitPrice"])).quantize(
                PENNY, rounding=ROUND_HALF_EVEN)
            if row["InvoiceNo"].startswith("C"):
                refunds += -amount
                by_country[row["Country"]] += amount  # type: ignore[assignment]
            elif amount > 0:
                sales += amount
                invoices.add(row["InvoiceNo"])
                by_country[row["Country"]] += amount  # type: ignore[assignment]
    return by_country, sales, refunds, len(invoices)


def test_figures_match_the_raw_file_and_the_uk_trips_the_alert(
        loaded: Loaded, retail_slice: Path) -> None:
    database, result = loaded.database, loaded.result
    by_country, sales, refunds, invoices = _raw(retail_slice)
    with database.unit_of_work() as session:
        program = programs.program_by_name(session, PROGRAM_NAME)
        assert program is not None
        assert program.currency == "GBP"
        assert session.scalar(select(func.count()).select_from(Deal)
                              .where(Deal.program_id == program.id)) == invoices
        window = window_for(session, program.id)
        assert window.last_month == date(2010, 12, 1)
        december = monthly_revenue(session, program.id, window)[-1]
        assert december.month == date(2010, 12, 1)
        assert december.sales_minor == int(sales * 100)
        assert december.refunds_minor == int(refunds * 100)
        shares = revenue_by_partner(session, program.id, window)
        uk = session.scalar(select(Partner).where(Partner.country == "United Kingdom",
                                                  Partner.id.in_([s.partner_id
                                                                  for s in shares])))
        assert uk is not None
        assert shares[0].partner_id == uk.id
        assert shares[0].net_minor == int(by_country["United Kingdom"] * 100)
        assert program.concentration_alert_pct == 40
        found = concentration.concentration(shares, program.concentration_alert_pct)
        assert found.alert
        assert found.largest is not None
        assert found.largest.partner_id == uk.id
        assert found.largest.percent > 40
        assert not concentration.concentration(shares, 99).alert
    assert result.report.deals == invoices


def test_every_country_partner_is_screened_signed_and_paid_by_month(
        loaded: Loaded) -> None:
    database, result = loaded.database, loaded.result
    with database.unit_of_work() as session:
        program = programs.program_by_name(session, PROGRAM_NAME)
        assert program is not None
        agreements = list(session.scalars(select(Agreement)
                                          .where(Agreement.program_id == program.id)))
        assert len(agreements) == result.partners >= 10
        for agreement in agreements:
            partner = agreement.partner
            assert agreement.state == "active"
            assert partner.stage == "signed"
            assert partner.partner_type in ("distributor", "reseller")
            assert partner.contacts
            assert agreement.territory
            assert len(agreement.kpis) == 2
            assert session.scalar(select(func.count()).select_from(Evaluation)
                                  .where(Evaluation.partner_id == partner.id)) > 0
        kinds = {a.partner.partner_type for a in agreements}
        assert kinds == {"distributor", "reseller"}
        assert session.scalar(select(func.count()).select_from(CommissionRun)
                              .where(CommissionRun.program_id == program.id)) == 1
        states = Counter(session.scalars(select(CommissionStatement.state)
                                         .where(CommissionStatement.program_id == program.id)))
        assert states
        assert set(states) <= {"approved", "paid"}
        clawbacks = session.scalar(select(func.count()).select_from(SalesTransaction)
                                   .where(SalesTransaction.kind == "refund",
                                          SalesTransaction.refund_of_deal_line_id.is_not(None)))
        assert clawbacks
        assert session.scalar(select(func.count()).select_from(DirectSale)) > 0
        synthetic = session.scalar(select(func.count()).select_from(ReferralEvent).where(
            ReferralEvent.synthetic.is_(True),
            ReferralEvent.partner_id.in_([a.partner_id for a in agreements])))
        assert synthetic


def test_a_second_run_adds_nothing(loaded: Loaded,
                                   retail_slice: Path) -> None:
    database = loaded.database
    tables = (Deal, SalesTransaction, DirectSale, CommissionRun, CommissionStatement,
              Agreement, ReferralEvent, AuditEntry)

    def counts() -> list[int]:
        with database.unit_of_work() as session:
            return [int(session.scalar(select(func.count()).select_from(t)) or 0)
                    for t in tables]

    before = counts()
    with database.unit_of_work() as session:
        again = ensure_retail(session, loaded.settings, path=retail_slice)
    assert again.runs == 0
    assert again.report.deals == 0
    assert counts() == before
