"""Keeping the queue small: finished jobs are kept for a while to be looked at, then go."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from qudao.core import clock
from qudao.jobs.models import Job
from qudao.jobs.registry import job

KEEP_DONE_DAYS = 30


@job("purge_jobs", every="day")
def purge_jobs(session: Session, payload: Mapping[str, Any]) -> None:
    """Forget jobs that finished well before the kept period. Failed jobs stay until
    someone retries them: they are what the jobs page is for."""
    cutoff = clock.now() - timedelta(days=KEEP_DONE_DAYS)
    session.execute(delete(Job).where(Job.state == "done", Job.finished_at < cutoff))
