"""C27, all or nothing: a run killed with SIGKILL half-way (its run row flushed, its partners
being computed) leaves no run, statement, line or ledger row behind, the SQLite file passes
its integrity check, and a fresh run then posts everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

from qudao.accounts.subject import SYSTEM
from qudao.commissions import ledger, runs
from qudao.core.errors import Conflict
from qudao.db.session import Database
from tests.commissions import builders
from tests.fixtures.security import count

RUNNER = Path(__file__).with_name("crash_runner.py")
PARTNERS = 4
TABLES = ("commission_runs", "commission_statements", "commission_statement_lines",
          "ledger_transactions", "ledger_entries")


def _world(db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, tier_mode="marginal")
    for i in range(PARTNERS):
        partner = builders.partner(db, program, plan)
        builders.won_deal(db, partner, program, date(2011, 1, 4 + i), [("A", 6_000_000),
                                                                       ("B", 5_000_000)])


def _wait_for(path: Path, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None:
            errors = process.stderr.read() if process.stderr else b""
            raise AssertionError(f"the runner ended early: {errors!r}")
        if time.monotonic() > deadline:
            # On an idle machine the marker comes within 3 s; a loaded one is slower.
            raise AssertionError("the runner never reached its first partner")
        time.sleep(0.05)


def _fresh_run(db: Database) -> int:
    """A run after the kill; on PostgreSQL the dead client's backend may take a moment to
    notice and release its advisory lock."""
    deadline = time.monotonic() + 10
    while True:
        try:
            with db.unit_of_work() as session:
                return runs.run_period(session, SYSTEM, period="2011-01").lines_posted
        except Conflict:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_a_run_killed_half_way_leaves_nothing_and_a_fresh_run_posts(
        db: Database, tmp_path: Path) -> None:
    _world(db)
    marker = tmp_path / "first-partner-done"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).parents[2]), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, str(RUNNER), db.url, "2011-01", str(marker)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(marker, process, seconds=45)
        assert marker.read_text() == f"1/{PARTNERS}"
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=5) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()

    for table in TABLES:
        assert count(db, table) == 0, table
    if db.dialect == "sqlite":
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []

    assert _fresh_run(db) == 2 * PARTNERS
    assert count(db, "commission_runs") == 1
    assert count(db, "commission_statements") == PARTNERS
    with db.unit_of_work(read_only=True) as session:
        assert ledger.unbalanced(session) == []
        # Each partner: 60,000 at 15% + 40,000 at 15% and 10,000 at 20% = 17,000.00.
        totals = ledger.account_totals(session)
    assert totals[("partner_payable", "CNY")] == -PARTNERS * 1_700_000
