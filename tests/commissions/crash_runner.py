"""Runs a commission period and stops dead in it: after the first partner is computed (and
the run's row is flushed, uncommitted) it writes a marker file and sleeps, for the parent
test to kill it with SIGKILL.

Usage: python crash_runner.py DATABASE_URL PERIOD MARKER_PATH"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from qudao.accounts.subject import SYSTEM
from qudao.commissions import runs
from qudao.db import models  # noqa: F401  (every table, for the mapper's foreign keys)
from qudao.db.session import Database


def main(url: str, period: str, marker: str) -> None:
    database = Database(url)

    def stall(done: int, total: int) -> None:
        if done == 1:
            # Renamed into place, so the parent never reads a half-written marker.
            partial = Path(f"{marker}.part")
            partial.write_text(f"{done}/{total}")
            partial.replace(marker)
            time.sleep(60)

    with database.unit_of_work() as session:
        runs.run_period(session, SYSTEM, period=period, progress=stall)


if __name__ == "__main__":
    main(*sys.argv[1:4])
