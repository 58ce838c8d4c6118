"""The job queue: rows in the database, so that a job is enqueued in the same transaction
as the change that asks for it and becomes visible only when that transaction commits."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qudao.core import clock
from qudao.db.base import Base, IdMixin, UTCDateTime

JOB_STATES = ("queued", "running", "done", "failed")


class Job(IdMixin, Base):
    __tablename__ = "jobs"
    # The runner's question: which queued job is due, or which running one lost its worker.
    __table_args__ = (Index("ix_jobs_state_run_after", "state", "run_after"),)

    name: Mapped[str] = mapped_column(String(80))
    # A JSON object: what the job function receives.
    payload: Mapped[str] = mapped_column(Text, default="{}")
    # A periodic job's period ("weekly_tasks:2026-11-27"): enqueued once, however often asked.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    last_error: Mapped[str | None] = mapped_column(Text)
    # A running job whose lock has passed belongs to a worker that stopped: it is claimed again.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    @property
    def data(self) -> dict[str, Any]:
        loaded = json.loads(self.payload or "{}")
        return loaded if isinstance(loaded, dict) else {}
