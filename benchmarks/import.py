"""The retail import of the whole data file against a bare ``executemany`` of the same rows,
in one run on one database.

    .venv/bin/python benchmarks/import.py                      # SQLite, a temporary file
    .venv/bin/python benchmarks/import.py --postgres           # a throw-away PostgreSQL cluster
    .venv/bin/python benchmarks/import.py --database-url postgresql+psycopg://…/empty_db
    .venv/bin/python benchmarks/import.py --profile            # and where the time goes
    .venv/bin/python benchmarks/import.py --postgres --repeat 3  # three fresh databases

On a fresh, migrated database: a program, the file's summary, its country partners and its
products are made first (timed apart, not part of the figure). Then, each in its own unit of
work and committed:

- ``retail.importer.import_file`` over every line of the file, reading and parsing included;
- the floor: the file's lines, already parsed (all 8 columns as values), written with the
  driver's ``executemany`` into one bare table without indexes, and committed;
- the import again, which finds everything present and writes nothing.

Prints seconds and the ratio import / floor, and how much of the import was writing (the
same rows into the real tables, with their keys, indexes and foreign keys). The goal is a
ratio of at most 3; whether it is met is printed, never asserted. ``--repeat`` measures on
that many fresh databases and prints each round and the median ratios, which steadies them
on a busy machine.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.retail import gift_ware_program  # noqa: E402
from tests.support.postgres import ThrowawayPostgres, bindir  # noqa: E402

from qudao.db.bulk import sqlite_datetime  # noqa: E402
from qudao.db.migrate import upgrade  # noqa: E402
from qudao.db.session import Database  # noqa: E402
from qudao.retail import importer  # noqa: E402
from qudao.retail.catalogue import ensure_products  # noqa: E402
from qudao.retail.importer import ImportReport, import_file  # noqa: E402
from qudao.retail.partners import ensure_country_partners  # noqa: E402
from qudao.retail.reader import read_lines  # noqa: E402
from qudao.retail.summary import summarise  # noqa: E402

DATA = ROOT / "data" / "online-retail-2010-12-to-2011-09.csv.gz"
GOAL_RATIO = 3.0
BARE_TABLE = "retail_bench_lines"


@dataclass
class Figures:
    backend: str
    rows: int
    summary: float
    setup: float
    parse: float
    bare: float
    imported: float
    writing: float
    again: float
    report: ImportReport
    again_report: ImportReport
    # CPU seconds of the floor and of the import, this process's and its child's (a large
    # file is read in a second process on SQLite): what the work costs, whatever the
    # machine's other load and however it is shared between cores.
    bare_cpu: float = 0.0
    imported_cpu: float = 0.0
    profile: str | None = None


def cpu_seconds() -> float:
    """This process's CPU time and that of its children that have ended."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _setup(database: Database, path: Path) -> tuple[float, float, int, dict[str, int],
                                                     dict[str, int]]:
    started = time.perf_counter()
    summary = summarise(path)
    summary_took = time.perf_counter() - started
    started = time.perf_counter()
    with database.unit_of_work() as session:
        program = gift_ware_program(session)
        partners = ensure_country_partners(session, summary)
        products = ensure_products(session, summary)
        program_id = program.id
    return summary_took, time.perf_counter() - started, program_id, partners, products


def _parsed(path: Path, backend: str) -> list[tuple[Any, ...]]:
    """The file's lines as the driver takes them: SQLite has no timestamp or decimal type,
    so those two go as the text SQLAlchemy would store."""
    rows: list[tuple[Any, ...]] = []
    moments: dict[datetime, Any] = {}
    prices: dict[Decimal, Any] = {}
    for line in read_lines(path):
        moment = line.occurred_at
        price = line.unit_price
        if backend == "sqlite":
            stored = moments.get(moment)
            if stored is None:
                stored = moments[moment] = sqlite_datetime(moment)
            as_text = prices.get(price)
            if as_text is None:
                as_text = prices[price] = format(price, "f")
            rows.append((line.invoice, line.stock_code, line.description, line.quantity,
                         stored, as_text, line.customer_ref, line.country))
        else:
            rows.append((line.invoice, line.stock_code, line.description, line.quantity,
                         moment, price, line.customer_ref, line.country))
    return rows


def bare_executemany(database: Database, rows: list[tuple[Any, ...]]) -> tuple[float, float]:
    timestamp = "TIMESTAMP WITH TIME ZONE" if database.dialect == "postgresql" else "TIMESTAMP"
    with database.unit_of_work() as session:
        session.execute(text(
            f"CREATE TABLE {BARE_TABLE} (invoice VARCHAR(20), stock_code VARCHAR(64), "
            f"description VARCHAR(300), quantity INTEGER, invoice_date {timestamp}, "
            "unit_price NUMERIC(12, 3), customer_id VARCHAR(20), country VARCHAR(100))"))
    marker = "%s" if database.dialect == "postgresql" else "?"
    statement = f"INSERT INTO {BARE_TABLE} VALUES ({', '.join([marker] * 8)})"
    started, cpu = time.perf_counter(), cpu_seconds()
    with database.unit_of_work() as session:
        raw: Any = session.connection().connection.driver_connection
        cursor = raw.cursor()
        try:
            cursor.executemany(statement, rows)
        finally:
            cursor.close()
    return time.perf_counter() - started, cpu_seconds() - cpu


class _WriteClock:
    """Adds up the time the importer spends in ``insert_many``: its writing."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.original: Any = vars(importer)["insert_many"]

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        try:
            self.original(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started

    def __enter__(self) -> _WriteClock:
        vars(importer)["insert_many"] = self
        return self

    def __exit__(self, *exc: object) -> None:
        vars(importer)["insert_many"] = self.original


def timed_import(database: Database, path: Path, program_id: int, partners: dict[str, int],
                 products: dict[str, int], profile: bool,
                 ) -> tuple[float, float, float, ImportReport, str | None]:
    profiler = cProfile.Profile() if profile else None
    clock = _WriteClock()
    started, cpu = time.perf_counter(), cpu_seconds()
    if profiler is not None:
        profiler.enable()
    with clock, database.unit_of_work() as session:
        report = import_file(session, path, program_id=program_id, partners=partners,
                             products=products)
    if profiler is not None:
        profiler.disable()
    took, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    shown = None
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(25)
        shown = out.getvalue()
    return took, cpu, clock.seconds, report, shown


def measure(backend: str, url: str, path: Path, profile: bool) -> Figures:
    database = Database(url)
    try:
        print(f"[{backend}] migrating …", flush=True)
        upgrade(database)
        print(f"[{backend}] summary, partners and products …", flush=True)
        summary_took, setup_took, program_id, partners, products = _setup(database, path)
        print(f"[{backend}] {len(partners)} partners, {len(products):,} products", flush=True)
        started = time.perf_counter()
        rows = _parsed(path, backend)
        parse_took = time.perf_counter() - started
        print(f"[{backend}] executemany of {len(rows):,} parsed rows …", flush=True)
        bare, bare_cpu = bare_executemany(database, rows)
        count = len(rows)
        # The import does not need them: they would only weigh on its memory.
        del rows
        print(f"[{backend}] importing …", flush=True)
        imported, imported_cpu, writing, report, shown = timed_import(
            database, path, program_id, partners, products, profile)
        again, _, _, again_report, _ = timed_import(database, path, program_id, partners,
                                                    products, False)
        return Figures(backend, count, summary_took, setup_took, parse_took, bare,
                       imported, writing, again, report, again_report, bare_cpu,
                       imported_cpu, shown)
    finally:
        database.dispose()


def print_figures(rounds: list[Figures], path: Path) -> None:
    print(f"\n{path.name}")
    print(f"{'backend':<14}{'rows':>9}{'summary s':>11}{'setup s':>9}{'parse s':>9}"
          f"{'bare s':>9}{'import s':>10}{'writing s':>11}{'ratio':>7}{'again s':>9}"
          f"{'cpu ratio':>11}")
    for number, f in enumerate(rounds, start=1):
        label = f.backend if len(rounds) == 1 else f"{f.backend} #{number}"
        print(f"{label:<14}{f.rows:>9,}{f.summary:>11.2f}{f.setup:>9.2f}{f.parse:>9.2f}"
              f"{f.bare:>9.2f}{f.imported:>10.2f}{f.writing:>11.2f}"
              f"{f.imported / f.bare:>7.2f}{f.again:>9.2f}"
              f"{f.imported_cpu / f.bare_cpu:>11.2f}")
    ratio = statistics.median(f.imported / f.bare for f in rounds)
    writing = statistics.median(f.writing / f.bare for f in rounds)
    cpu = statistics.median(f.imported_cpu / f.bare_cpu for f in rounds)
    met = "met" if ratio <= GOAL_RATIO else "not met"
    f = rounds[0]
    print(f"{f.backend}: import / executemany = {ratio:.2f} (goal ≤ {GOAL_RATIO:g}: {met}); "
          f"writing alone / executemany = {writing:.2f}; CPU (with the reading child's), "
          f"import / executemany = {cpu:.2f}"
          + (" (medians of the rounds)" if len(rounds) > 1 else ""))
    r = f.report
    print(f"  {r.rows_read:,} lines: {r.deals:,} deals with {r.deal_lines:,} lines, "
          f"{r.refunds:,} refunds ({r.refunds_linked:,} linked), {r.direct_sales:,} "
          f"direct sales, skipped {r.skipped}")
    again = f.again_report
    written = again.deals + again.deal_lines + again.refunds + again.direct_sales
    print(f"  again: {again.already_present:,} lines already present, {written} rows written")
    if f.profile:
        print(f"\n[{f.backend}] cProfile of the import\n{f.profile}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DATA)
    parser.add_argument("--database-url", help="an empty database (e.g. PostgreSQL)")
    parser.add_argument("--postgres", action="store_true",
                        help="on a throw-away PostgreSQL cluster (pg_config --bindir)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="fresh databases to measure on (not with --database-url)")
    parser.add_argument("--profile", action="store_true", help="cProfile the import")
    args = parser.parse_args()
    repeat = max(1, min(args.repeat, 10))
    rounds: list[Figures] = []
    if args.database_url:
        backend = "postgresql" if args.database_url.startswith("postgres") else "sqlite"
        rounds.append(measure(backend, args.database_url, args.file, args.profile))
    elif args.postgres:
        if bindir() is None:
            raise SystemExit("PostgreSQL server binaries not found (pg_config --bindir)")
        cluster = ThrowawayPostgres()
        cluster.start()
        try:
            admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
            for number in range(repeat):
                with admin.connect() as connection:
                    connection.execute(text(f"CREATE DATABASE import_bench_{number}"))
                rounds.append(measure("postgresql", cluster.url(f"import_bench_{number}"),
                                      args.file, args.profile and number == 0))
            admin.dispose()
        finally:
            cluster.stop()
    else:
        with tempfile.TemporaryDirectory(prefix="qudao-bench-") as folder:
            for number in range(repeat):
                url = f"sqlite:///{Path(folder) / f'import-{number}.db'}"
                rounds.append(measure("sqlite", url, args.file, args.profile and number == 0))
    print_figures(rounds, args.file)


if __name__ == "__main__":
    main()
