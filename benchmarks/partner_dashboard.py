"""The partner dashboard page on demo-sized data, against a plain portal page in one run.

    .venv/bin/python benchmarks/partner_dashboard.py                     # SQLite, ~1 minute
    .venv/bin/python benchmarks/partner_dashboard.py --backend both
    .venv/bin/python benchmarks/partner_dashboard.py --deals 50000 --refunds 20000

Builds a migrated database shaped like the gift-ware demo: one GBP program, one partner per
country (37), 18,000 won deals over ten months (81 % of them the largest partner's), 7,000
refunds, 3,000 sales credited to no partner, an agreement with two quarterly KPIs for every
partner, and 5,000 referral events of the largest partner (a third synthetic). Rows are
inserted with SQLAlchemy Core executemany. Then, signed in as the largest partner's user
through the in-process ASGI client, times (median of the repeats, after one warm-up):

- ``/portal``: the portal's home, a page of a few small queries: the baseline;
- ``/portal/dashboard``: the dashboard over the default 12 months;
- ``/portal/dashboard/revenue.csv``: one chart's CSV;
- the figures alone (``dashboards.partner.partner_dashboard``), without the page.

Prints milliseconds and the ratios to the baseline, and whether the dashboard answers
within 500 ms; never asserts.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.accounts import login, make_user  # noqa: E402
from tests.support.postgres import ThrowawayPostgres, bindir  # noqa: E402

from qudao.accounts.roles import Role  # noqa: E402
from qudao.accounts.subject import SYSTEM  # noqa: E402
from qudao.agreements.models import Agreement, AgreementKpi  # noqa: E402
from qudao.app import create_app  # noqa: E402
from qudao.commissions.models import SalesTransaction  # noqa: E402
from qudao.core.config import Settings  # noqa: E402
from qudao.dashboards import partner as figures  # noqa: E402
from qudao.dashboards.window import window_for  # noqa: E402
from qudao.db.migrate import upgrade  # noqa: E402
from qudao.db.session import Database  # noqa: E402
from qudao.deals.models import Deal  # noqa: E402
from qudao.partners.models import Partner  # noqa: E402
from qudao.programs.models import Program  # noqa: E402
from qudao.referrals.models import ReferralEvent  # noqa: E402
from qudao.retail.models import DirectSale  # noqa: E402

FIRST_DAY = date(2010, 12, 1)
DAYS = 304  # 2010-12-01 to 2011-09-30
PARTNERS = 37
LARGEST_SHARE = 0.81
CUSTOMERS = 4_000
GOAL_MS = 500.0
EMAIL = "bench@largest.example"
SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"
MAX_ROWS = 2_000_000


def _instant(rng: random.Random) -> datetime:
    day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        minutes=rng.randrange(24 * 60))


def _partner(rng: random.Random) -> int:
    return 1 if rng.random() < LARGEST_SHARE else rng.randrange(2, PARTNERS + 1)


def build(database: Database, deals: int, refunds: int) -> int:
    """The data; returns the program's id."""
    rng = random.Random(20101201)
    now = datetime.now(UTC)
    with database.unit_of_work() as session:
        program = Program(name="Gift-ware", company_name="Qudao Ltd", currency="GBP",
                          default_locale="en")
        session.add(program)
        session.flush()
        session.execute(insert(Partner), [
            {"id": n, "name": f"Country partner {n:02d}", "normalized_name": f"country {n:02d}",
             "stage": "signed", "created_at": now, "updated_at": now}
            for n in range(1, PARTNERS + 1)])
        for n in range(1, PARTNERS + 1):
            agreement = Agreement(partner_id=n, program_id=program.id, territory=f"C{n}",
                                  starts_on=FIRST_DAY, ends_on=date(2011, 11, 30),
                                  state="active", in_force=True)
            agreement.kpis = [
                AgreementKpi(metric="channel_revenue", target=5_000_000, period="quarter"),
                AgreementKpi(metric="new_customers", target=30, period="quarter", position=1)]
            session.add(agreement)
        session.execute(insert(Deal), [
            {"partner_id": _partner(rng), "program_id": program.id,
             "customer_name": f"Customer {c}", "customer_ref": f"C{c}",
             "amount_minor": rng.randrange(1_000, 500_000), "currency": "GBP", "stage": "won",
             "source": "import", "closed_at": (closed := _instant(rng)), "created_at": closed,
             "updated_at": closed}
            for c in (rng.randrange(CUSTOMERS) for _ in range(deals))])
        session.execute(insert(SalesTransaction), [
            {"partner_id": _partner(rng), "program_id": program.id, "kind": "refund",
             "external_ref": f"R-{n}", "occurred_on": _instant(rng).date(), "sku": "SKU-1",
             "quantity": 1, "amount_minor": -rng.randrange(100, 20_000), "currency": "GBP",
             "created_at": now}
            for n in range(refunds)])
        session.execute(insert(DirectSale), [
            {"program_id": program.id, "external_ref": f"D-{n}", "kind": "sale",
             "occurred_at": _instant(rng), "sku": "SKU-9", "quantity": 1,
             "amount_minor": rng.randrange(100, 50_000), "currency": "GBP"}
            for n in range(3_000)])
        session.execute(insert(ReferralEvent), [
            {"kind": rng.choice(("visit", "visit", "visit", "signup", "trial", "paid")),
             "partner_id": 1, "visitor_id": f"v{rng.randrange(2_000)}",
             "occurred_at": _instant(rng), "source": "api", "synthetic": n % 3 == 0,
             "created_at": now}
            for n in range(5_000)])
        if database.dialect == "postgresql":
            session.execute(text("SELECT setval(pg_get_serial_sequence('partners', 'id'),"
                                 " (SELECT max(id) FROM partners))"))
    with database.unit_of_work() as session:
        if database.dialect == "postgresql":
            session.execute(text("ANALYZE"))
    return program.id


def median_ms(call: Callable[[], Any], repeats: int) -> float:
    call()  # warm-up: templates compiled, caches filled
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(backend: str, url: str, folder: Path, deals: int, refunds: int,
            repeats: int) -> dict[str, float]:
    database = Database(url)
    try:
        upgrade(database)
        print(f"[{backend}] generating {deals:,} deals, {refunds:,} refunds …", flush=True)
        program_id = build(database, deals, refunds)
        make_user(database, EMAIL, Role.PARTNER_ADMIN, 1)
        settings = Settings(env="test", database_url=url, secret_key=SECRET, data_dir=folder)
        app = create_app(settings, database)
        figures_alone: dict[str, float] = {}

        def direct() -> None:
            with database.unit_of_work(read_only=True) as session:
                [program] = [p for p in figures.programs_of(session, SYSTEM, 1)
                             if p.id == program_id]
                figures.partner_dashboard(session, SYSTEM, 1, program,
                                          window_for(session, program_id))

        with TestClient(app, base_url="http://testserver") as client:
            login(client, EMAIL)

            def page(path: str) -> Callable[[], None]:
                def get() -> None:
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.status_code)
                return get

            result = {
                "baseline /portal": median_ms(page("/portal"), repeats),
                "/portal/dashboard": median_ms(page("/portal/dashboard"), repeats),
                "/portal/dashboard/revenue.csv": median_ms(
                    page("/portal/dashboard/revenue.csv"), repeats),
            }
        figures_alone["figures only"] = median_ms(direct, repeats)
        result.update(figures_alone)
        return result
    finally:
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=18_000)
    parser.add_argument("--refunds", type=int, default=7_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"),
                        default="sqlite")
    args = parser.parse_args()
    deals = max(1, min(args.deals, MAX_ROWS))
    refunds = max(0, min(args.refunds, MAX_ROWS))
    repeats = max(3, min(args.repeats, 200))
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="qudao-bench-") as name:
        folder = Path(name)
        for backend in backends:
            if backend == "sqlite":
                url = f"sqlite:///{folder / 'dashboard.db'}"
                results[backend] = measure(backend, url, folder, deals, refunds, repeats)
                continue
            if bindir() is None:
                print("PostgreSQL server binaries not found (pg_config --bindir): skipped")
                continue
            cluster = ThrowawayPostgres()
            cluster.start()
            try:
                results[backend] = measure(backend, cluster.url(), folder, deals, refunds,
                                           repeats)
            finally:
                cluster.stop()
    print(f"\n{deals:,} won deals, {refunds:,} refunds, {PARTNERS} partners; median of "
          f"{repeats} requests as the largest partner ({LARGEST_SHARE:.0%} of the deals)")
    for backend, figures_ms in results.items():
        baseline = figures_ms["baseline /portal"]
        print(f"[{backend}]")
        for label, ms in figures_ms.items():
            print(f"  {label:<32}{ms:>9.1f} ms{ms / baseline:>8.1f}× baseline")
        page_ms = figures_ms["/portal/dashboard"]
        met = "met" if page_ms <= GOAL_MS else "not met"
        print(f"  dashboard page within {GOAL_MS:g} ms: {met}")


if __name__ == "__main__":
    main()
