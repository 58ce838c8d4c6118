"""Looking at the queue and sending a failed job round again (administrators)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_admin
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.core import clock
from qudao.core.errors import Conflict, NotFound
from qudao.core.i18n import N_
from qudao.db.paging import page_of
from qudao.jobs.models import Job

JobState = Literal["queued", "running", "done", "failed"]
STATE_LABELS: dict[str, str] = {
    "queued": N_("Queued"),
    "running": N_("Running"),
    "done": N_("Done"),
    "failed": N_("Failed"),
}


def list_jobs(
    session: Session, subject: AuthSubject, *, state: JobState | None, limit: int, offset: int
) -> tuple[list[Job], int]:
    require_admin(subject)
    query = select(Job)
    if state is not None:
        query = query.where(Job.state == state)
    return page_of(session, query, Job.created_at.desc(), Job.id.desc(), limit=limit,
                   offset=offset)


def get_job(session: Session, subject: AuthSubject, job_id: int) -> Job:
    require_admin(subject)
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(N_("Job %(id)s was not found."), id=job_id)
    return job


def retry(session: Session, subject: AuthSubject, job_id: int) -> Job:
    """A failed job gets its attempts back and is due at once; its last error stays on
    view until it succeeds."""
    job = get_job(session, subject, job_id)
    if job.state != "failed":
        raise Conflict(N_("Only a failed job can be retried."), field="state")
    job.state, job.attempts, job.run_after = "queued", 0, clock.now()
    job.finished_at = job.locked_until = None
    session.flush()
    audit.record(session, action="job.retry", target_type="job", target_id=job.id,
                 after={"name": job.name, "state": "queued"})
    return job
