"""The scheduler: each periodic job is enqueued once per period (hour, day or ISO week),
however many workers or cron runs ask, because its dedupe key names the period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from qudao.core import clock
from qudao.jobs import registry
from qudao.jobs.models import Job
from qudao.jobs.queue import enqueue
from qudao.jobs.registry import Every


def period_key(every: Every, at: datetime) -> str:
    at = clock.as_utc(at)
    if every == "hour":
        return at.strftime("%Y-%m-%dT%H")
    if every == "day":
        return at.strftime("%Y-%m-%d")
    year, week, _day = at.isocalendar()
    return f"{year}-W{week:02d}"


def schedule(session: Session, now: datetime | None = None) -> list[Job]:
    """Enqueue the periodic jobs of the current period that are not queued yet."""
    now = now or clock.now()
    queued: list[Job] = []
    for spec in registry.periodic():
        assert spec.every is not None
        job = enqueue(session, spec.name, {}, run_after=now,
                      dedupe_key=f"{spec.name}:{period_key(spec.every, now)}")
        if job is not None:
            queued.append(job)
    return queued
