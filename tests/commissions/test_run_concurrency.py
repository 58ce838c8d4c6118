"""C19: two runs of the same period at the same moment, each in its own unit of work: exactly
one posts; the other is refused with a conflict (PostgreSQL's advisory lock) or, queued
behind the first (SQLite's single writer), finds nothing left to post."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from qudao.accounts.subject import SYSTEM
from qudao.commissions import ledger, runs
from qudao.core.errors import Conflict
from qudao.db.session import Database
from tests.commissions import builders
from tests.fixtures.security import count

THREADS = 2
TABLES = ("commission_statement_lines", "commission_statements", "ledger_transactions",
          "ledger_entries")


def _world(db: Database, partners: int = 6) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, tier_mode="whole")
    for i in range(partners):
        partner = builders.partner(db, program, plan)
        builders.won_deal(db, partner, program, date(2011, 1, 3 + i),
                          [("A", 4_000_000 + i), ("B", 7_000_000)])
        builders.sale(db, partner, date(2011, 1, 20), 1_000_000 + i)


def _race(db: Database) -> list[int | BaseException]:
    barrier = threading.Barrier(THREADS)

    def one(_: int) -> int | BaseException:
        barrier.wait(timeout=30)
        try:
            with db.unit_of_work() as session:
                return runs.run_period(session, SYSTEM, period="2011-01").lines_posted
        except Exception as error:
            return error

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(one, range(THREADS)))


@pytest.mark.parametrize("attempt", range(3))
def test_of_two_simultaneous_runs_exactly_one_posts(db: Database, attempt: int) -> None:
    _world(db)
    outcomes = _race(db)
    posted = [o for o in outcomes if isinstance(o, int) and o > 0]
    assert posted == [18], outcomes
    others = [o for o in outcomes if not (isinstance(o, int) and o > 0)]
    assert len(others) == 1
    other = others[0]
    assert (isinstance(other, Conflict) and other.status == 409) or other == 0, other
    counts = {table: count(db, table) for table in TABLES}
    assert counts == {"commission_statement_lines": 18, "commission_statements": 6,
                      "ledger_transactions": 6, "ledger_entries": 12}
    # The runs table holds the one that posted, and the no-op run if there was one.
    assert count(db, "commission_runs") == (2 if other == 0 else 1)
    with db.unit_of_work(read_only=True) as session:
        assert ledger.unbalanced(session) == []
    # A run afterwards finds nothing to do.
    with db.unit_of_work() as session:
        assert runs.run_period(session, SYSTEM, period="2011-01").lines_posted == 0
    assert {table: count(db, table) for table in TABLES} == counts
