"""The loop of ``qudao worker`` and the single pass of ``qudao jobs run-due``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from qudao.core.context import set_context
from qudao.db.session import Database
from qudao.jobs.runner import Outcome, job_context, run_due, run_one
from qudao.jobs.schedule import schedule

log = logging.getLogger("qudao.jobs")


def schedule_now(db: Database) -> int:
    with db.unit_of_work() as session:
        set_context(session, job_context("scheduler"))
        return len(schedule(session))


def run_due_once(db: Database) -> list[Outcome]:
    """What cron calls: enqueue this period's jobs, run everything due, return."""
    schedule_now(db)
    return run_due(db)


def work(
    db: Database, *, interval: float, stop: threading.Event,
    report: Callable[[Outcome], None] | None = None,
) -> int:
    """Schedule and run due jobs until ``stop`` is set; a job that has started is finished
    first. Returns how many jobs ran."""
    ran = 0
    while not stop.is_set():
        try:
            schedule_now(db)
        except Exception:
            # The database may be away for a moment; the next round tries again.
            log.exception("could not schedule the periodic jobs")
        while not stop.is_set():
            try:
                outcome = run_one(db)
            except Exception:
                log.exception("could not claim a job")
                break
            if outcome is None:
                break
            ran += 1
            if report is not None:
                report(outcome)
        stop.wait(interval)
    return ran
