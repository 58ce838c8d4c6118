"""A quarter's commission run against the bare aggregate over the same rows, in one run.

    .venv/bin/python benchmarks/commissions.py --lines 20000 --partners 50     # seconds
    .venv/bin/python benchmarks/commissions.py                                # minutes
    .venv/bin/python benchmarks/commissions.py --backend sqlite --lines 200000 --partners 200

Builds, on SQLite (a temporary file) and on PostgreSQL (a throw-away cluster from the
server binaries `pg_config --bindir` names), a migrated database with one program, one
tiered plan (the guide's tiers: 15% up to 100,000, 20% above; marginal; quarterly), N
partners with active agreements and M won deal lines in 2011-Q1, inserted with SQLAlchemy
Core executemany (not the ORM). Then times, each in its own unit of work:

- ``runs.run_period(session, SYSTEM, period="2011-Q1")``: the first run, which posts;
- the bare ``SELECT partner_id, SUM(amount_minor) FROM deal_lines JOIN deals … GROUP BY
  partner_id`` over the same rows: the floor any run must pay to read its sources;
- the run again, which is idempotent and posts nothing.

Prints seconds and the ratios to the bare aggregate. The goal is a first run within 3× the
bare aggregate; whether it is met is printed, never asserted. ``--profile`` writes the
runs' cProfile statistics next to the figures (profiling slows them down).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.postgres import ThrowawayPostgres, bindir  # noqa: E402

from qudao.accounts.subject import SYSTEM  # noqa: E402
from qudao.agreements.models import Agreement  # noqa: E402
from qudao.commissions import ledger, runs  # noqa: E402
from qudao.db.migrate import upgrade  # noqa: E402
from qudao.db.session import Database  # noqa: E402
from qudao.deals.models import Deal, DealLine  # noqa: E402
from qudao.partners.models import Partner  # noqa: E402
from qudao.programs.models import CommissionPlan, PlanTier, Program  # noqa: E402

PERIOD = "2011-Q1"
QUARTER_START = date(2011, 1, 1)
QUARTER_DAYS = 90
GUIDE_TIERS = ((0, "0.15"), (10_000_000, "0.20"))
LINES_PER_DEAL = 4
CHUNK = 20_000
# Bounds: the generator and the loops stop here whatever the flags say.
MAX_LINES = 5_000_000
MAX_PARTNERS = 100_000
GOAL_RATIO = 3.0
SKUS = ("SCO-STD", "SCO-PRO", "SCO-API", "SCO-ERP", "SCO-IMPL")
BARE = text(
    "SELECT d.partner_id, SUM(l.amount_minor) FROM deal_lines l "
    "JOIN deals d ON d.id = l.deal_id "
    "WHERE d.stage = 'won' AND l.kind = 'won' AND l.amount_minor IS NOT NULL "
    "AND d.closed_at >= :start AND d.closed_at < :end "
    "GROUP BY d.partner_id")


@dataclass
class Figures:
    backend: str
    generation: float
    first: float
    bare: float
    rerun: float
    lines_posted: int
    rerun_posted: int
    partners: int
    profile: str | None = None
    rerun_profile: str | None = None


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    started = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0]
    elapsed.append(time.perf_counter() - started)


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _setup(session: Session, partners: int) -> tuple[int, list[int]]:
    """The program and its plan (ORM: two rows), then partners and agreements (Core)."""
    program = Program(name="Benchmark program", company_name="Qudao Ltd", currency="CNY",
                      default_locale="en")
    session.add(program)
    session.flush()
    plan = CommissionPlan(program_id=program.id, name="Guide tiers, marginal", currency="CNY",
                          kind="tiered", tier_mode="marginal", boundary="inclusive",
                          rounding_mode="half_up", rounding_level="line", period="quarter")
    plan.tiers = [PlanTier(threshold_minor=t, rate=Decimal(r)) for t, r in GUIDE_TIERS]
    session.add(plan)
    session.flush()
    session.execute(insert(Partner), [
        {"id": n, "name": f"Partner {n:06d}", "normalized_name": f"partner {n:06d}",
         "stage": "active"} for n in range(1, partners + 1)])
    session.execute(insert(Agreement), [
        {"partner_id": n, "program_id": program.id, "plan_id": plan.id, "territory": "CN",
         "starts_on": date(2010, 1, 1), "ends_on": date(2030, 12, 31), "state": "active",
         "in_force": True} for n in range(1, partners + 1)])
    return program.id, list(range(1, partners + 1))


def _deals(program_id: int, partner_ids: list[int], lines: int, rng: random.Random,
           ) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Deals and their won lines, a chunk at a time, with ids given here so that the lines
    can name their deal without reading the ids back."""
    now = datetime.now(UTC)
    deal_id, made = 0, 0
    while made < lines:
        deals: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        while made < lines and len(rows) < CHUNK:
            deal_id += 1
            count = min(LINES_PER_DEAL, lines - made)
            amounts = [rng.randrange(100_000, 5_000_000) for _ in range(count)]
            closed = _moment(QUARTER_START + timedelta(days=rng.randrange(QUARTER_DAYS))) + (
                timedelta(minutes=rng.randrange(24 * 60)))
            deals.append({
                "id": deal_id, "partner_id": rng.choice(partner_ids), "program_id": program_id,
                "customer_name": f"Customer {deal_id}", "amount_minor": sum(amounts),
                "currency": "CNY", "stage": "won", "source": "import", "closed_at": closed,
                "created_at": now, "updated_at": now})
            for amount in amounts:
                rows.append({"deal_id": deal_id, "kind": "won", "sku": rng.choice(SKUS),
                             "quantity": 1, "unit_price_minor": amount,
                             "amount_minor": amount, "currency": "CNY"})
            made += count
        yield deals, rows


def build(database: Database, partners: int, lines: int) -> float:
    rng = random.Random(20110101)
    with stopwatch() as took, database.unit_of_work() as session:
        program_id, partner_ids = _setup(session, partners)
        for deals, rows in _deals(program_id, partner_ids, lines, rng):
            session.execute(insert(Deal), deals)
            session.execute(insert(DealLine), rows)
        if database.dialect == "postgresql":
            # Ids were given explicitly: move the sequences past them.
            for table in ("partners", "deals"):
                session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                                     f" (SELECT max(id) FROM {table}))"))
            session.execute(text("ANALYZE"))
    return took()


def bare_aggregate(database: Database) -> tuple[float, int]:
    params = {"start": _moment(QUARTER_START),
              "end": _moment(QUARTER_START + timedelta(days=QUARTER_DAYS))}
    with database.unit_of_work(read_only=True) as session, stopwatch() as took:
        rows = session.execute(BARE, params).all()
    return took(), len(rows)


def timed_run(database: Database, profile: bool = False) -> tuple[float, int, str | None]:
    profiler = cProfile.Profile() if profile else None
    with stopwatch() as took:
        if profiler is not None:
            profiler.enable()
        with database.unit_of_work() as session:
            run = runs.run_period(session, SYSTEM, period=PERIOD)
            posted = run.lines_posted
        if profiler is not None:
            profiler.disable()
    report = None
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        report = out.getvalue()
    return took(), posted, report


def measure(backend: str, url: str, partners: int, lines: int, profile: bool) -> Figures:
    database = Database(url)
    try:
        print(f"[{backend}] migrating …", flush=True)
        upgrade(database)
        print(f"[{backend}] generating {partners:,} partners and {lines:,} won lines …",
              flush=True)
        generation = build(database, partners, lines)
        print(f"[{backend}] generated in {generation:.1f} s", flush=True)
        # Warm the cache the same way for both: the bare aggregate reads the rows first.
        bare_aggregate(database)
        bare, groups = bare_aggregate(database)
        first, posted, report = timed_run(database, profile)
        rerun, again, rerun_report = timed_run(database, profile)
        with database.unit_of_work(read_only=True) as session:
            if ledger.unbalanced(session):
                print(f"[{backend}] WARNING: the ledger is unbalanced")
        return Figures(backend, generation, first, bare, rerun, posted, again, groups,
                       report, rerun_report)
    finally:
        database.dispose()


def print_figures(results: list[Figures], lines: int, partners: int) -> None:
    print(f"\n{lines:,} won lines, {partners:,} partners, {PERIOD}, marginal guide tiers")
    print(f"{'backend':<12}{'generate s':>11}{'bare s':>9}{'run s':>9}{'ratio':>8}"
          f"{'rerun s':>9}{'ratio':>8}{'posted':>10}{'rerun':>7}")
    for f in results:
        print(f"{f.backend:<12}{f.generation:>11.1f}{f.bare:>9.3f}{f.first:>9.2f}"
              f"{f.first / f.bare:>8.1f}{f.rerun:>9.2f}{f.rerun / f.bare:>8.1f}"
              f"{f.lines_posted:>10,}{f.rerun_posted:>7}")
    for f in results:
        met = "met" if f.first / f.bare <= GOAL_RATIO else "not met"
        print(f"{f.backend}: first run / bare aggregate = {f.first / f.bare:.1f} "
              f"(goal ≤ {GOAL_RATIO:g}: {met}); rerun / bare = {f.rerun / f.bare:.1f}; "
              f"the rerun posted {f.rerun_posted} lines")
        if f.profile:
            print(f"\n[{f.backend}] cProfile of the first run\n{f.profile}")
        if f.rerun_profile:
            print(f"\n[{f.backend}] cProfile of the rerun\n{f.rerun_profile}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=1_000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--profile", action="store_true",
                        help="profile both runs (cProfile) and print where the time goes")
    args = parser.parse_args()
    partners = max(1, min(args.partners, MAX_PARTNERS))
    lines = max(1, min(args.lines, MAX_LINES))
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="qudao-bench-") as folder:
        for backend in backends:
            if backend == "sqlite":
                url = f"sqlite:///{Path(folder) / 'commissions.db'}"
                results.append(measure(backend, url, partners, lines, args.profile))
                continue
            if bindir() is None:
                print("PostgreSQL server binaries not found (pg_config --bindir): skipped")
                continue
            cluster = ThrowawayPostgres()
            cluster.start()
            try:
                results.append(measure(backend, cluster.url(), partners, lines, args.profile))
            finally:
                cluster.stop()
    if results:
        print_figures(results, lines, partners)


if __name__ == "__main__":
    main()
