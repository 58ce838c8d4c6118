"""Putting a job on the queue.

``enqueue`` inserts the job's row with the caller's session, inside the caller's
transaction: a transactional outbox. The runner only sees committed rows, so the job
becomes visible when (and only if) the change that asked for it commits; a rolled-back
request leaves no job behind, and a committed one cannot lose its job in a crash between
"commit" and "enqueue". That is what "enqueued after commit" means here."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from qudao.core import clock
from qudao.jobs import registry
from qudao.jobs.models import Job


def enqueue(
    session: Session, name: str, payload: Mapping[str, Any] | None = None, *,
    run_after: datetime | None = None, dedupe_key: str | None = None,
) -> Job | None:
    """Queue the job ``name`` in the session's transaction. With a ``dedupe_key`` already
    used by another job, nothing is queued and None is returned."""
    spec = registry.spec(name)
    now = clock.now()
    values: dict[str, Any] = {
        "name": name, "payload": json.dumps(dict(payload or {}), sort_keys=True),
        "dedupe_key": dedupe_key, "run_after": run_after or now, "state": "queued",
        "attempts": 0, "max_attempts": spec.max_attempts, "created_at": now,
    }
    if dedupe_key is None:
        job = Job(**values)
        session.add(job)
        session.flush()
        return job
    dialect = session.get_bind().dialect.name
    statement = pg_insert(Job) if dialect == "postgresql" else sqlite_insert(Job)
    # Two schedulers asking at once: the unique key decides, without an error.
    inserted = session.scalar(statement.values(**values).on_conflict_do_nothing()
                              .returning(Job.id))
    return None if inserted is None else session.get(Job, inserted)

