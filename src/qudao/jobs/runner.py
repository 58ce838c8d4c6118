"""Running due jobs: claim one, run it in its own unit of work, mark it done in that same
transaction; on an error, roll its work back and record the failure in a transaction of
its own, then retry later with a growing delay until the attempts run out.

Claiming is exclusive on both databases: PostgreSQL skips rows another worker has locked
(``FOR UPDATE SKIP LOCKED``); on SQLite the claim's write transaction begins ``IMMEDIATE``
and so holds the database's one write lock while it picks and marks the job."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from qudao.core import clock
from qudao.core.context import RequestContext, set_context
from qudao.db.session import Database
from qudao.jobs import registry
from qudao.jobs.models import Job

log = logging.getLogger("qudao.jobs")
ERROR_LIMIT = 8000
FIRST_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 3600
LOST_WORKER = "The worker stopped while running this job (its lock expired), and no attempt "\
    "is left."


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    name: str
    attempt: int
    max_attempts: int


@dataclass(frozen=True, slots=True)
class Outcome:
    job_id: int
    name: str
    attempt: int
    ok: bool
    error: str | None = None
    # True when the job will not be tried again (done, or failed for good).
    final: bool = True


def retry_delay(attempt: int) -> timedelta:
    """30 s after the first failure, then four times longer each time, at most an hour."""
    seconds = FIRST_DELAY_SECONDS * 4 ** max(0, attempt - 1)
    return timedelta(seconds=min(seconds, MAX_DELAY_SECONDS))


def job_context(name: str) -> RequestContext:
    return RequestContext(actor_type="system", actor_id=None, actor_label=f"job:{name}")


def _due(now: datetime) -> object:
    return or_(and_(Job.state == "queued", Job.run_after <= now),
               and_(Job.state == "running", Job.locked_until < now))


def _claim_in(session: Session) -> Claimed | bool | None:
    """The next due job, marked running; False when a job was settled without running (a
    lost worker's last attempt, an unknown name) and the caller should look again."""
    now = clock.now()
    query = select(Job).where(_due(now)).order_by(Job.run_after, Job.id).limit(1)  # type: ignore[arg-type]
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job = session.scalar(query)
    if job is None:
        return None
    spec = registry.find(job.name)
    if spec is None or (job.state == "running" and job.attempts >= job.max_attempts):
        job.state, job.finished_at, job.locked_until = "failed", now, None
        job.last_error = LOST_WORKER if spec is not None else f"No job is named {job.name!r}."
        log.error("job %s (%s) failed: %s", job.id, job.name, job.last_error)
        return False
    job.state = "running"
    job.attempts += 1
    job.locked_until = now + spec.lease
    job.started_at, job.finished_at = now, None
    return Claimed(job.id, job.name, job.attempts, job.max_attempts)


def claim(db: Database) -> Claimed | None:
    while True:
        with db.unit_of_work() as session:
            claimed = _claim_in(session)
        if claimed is not False:
            return claimed if isinstance(claimed, Claimed) else None


def run_claimed(db: Database, claimed: Claimed) -> Outcome:
    spec = registry.spec(claimed.name)
    try:
        with db.unit_of_work() as session:
            set_context(session, job_context(claimed.name))
            job = session.get(Job, claimed.id)
            assert job is not None
            spec.function(session, job.data)
            job.state, job.finished_at, job.locked_until = "done", clock.now(), None
            job.last_error = None
    except Exception as error:
        return record_failure(db, claimed, error)
    return Outcome(claimed.id, claimed.name, claimed.attempt, ok=True)


def record_failure(db: Database, claimed: Claimed, error: BaseException) -> Outcome:
    """The job's own work was rolled back; this transaction keeps the failure."""
    text = "".join(traceback.format_exception(error)).strip()[-ERROR_LIMIT:]
    summary = f"{type(error).__name__}: {error}"[:500]
    with db.unit_of_work() as session:
        job = session.get(Job, claimed.id)
        assert job is not None
        job.last_error, job.locked_until = text, None
        final = job.attempts >= job.max_attempts
        if final:
            job.state, job.finished_at = "failed", clock.now()
        else:
            job.state, job.run_after = "queued", clock.now() + retry_delay(job.attempts)
    log.warning("job %s (%s) attempt %s of %s failed: %s", claimed.id, claimed.name,
                claimed.attempt, claimed.max_attempts, summary)
    return Outcome(claimed.id, claimed.name, claimed.attempt, ok=False, error=summary,
                   final=final)


def run_one(db: Database) -> Outcome | None:
    claimed = claim(db)
    return None if claimed is None else run_claimed(db, claimed)


def run_due(db: Database) -> list[Outcome]:
    """Every job due now, one after the other. A failed job waits for its retry delay, so
    it is not run twice in one pass."""
    outcomes: list[Outcome] = []
    while (outcome := run_one(db)) is not None:
        outcomes.append(outcome)
    return outcomes
