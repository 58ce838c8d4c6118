"""The job queue for administrators: what ran, what failed and why, and a retry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from qudao.core.pagination import Page, PageParams, page, page_params
from qudao.http.auth import Admin, DbSession
from qudao.jobs import service
from qudao.jobs.schemas import JobOut
from qudao.jobs.service import JobState

router = APIRouter(tags=["jobs"])


@router.get("/jobs", summary="Background jobs, newest first (administrators)")
def list_jobs(
    subject: Admin, session: DbSession, params: Annotated[PageParams, Depends(page_params)],
    state: Annotated[JobState | None, Query()] = None,
) -> Page[JobOut]:
    rows, total = service.list_jobs(session, subject, state=state, limit=params.limit,
                                    offset=params.offset)
    return page(JobOut, rows, total, params)


@router.post("/jobs/{job_id}/retry", summary="Run a failed job again (administrators)")
def retry_job(subject: Admin, session: DbSession, job_id: int) -> JobOut:
    return JobOut.model_validate(service.retry(session, subject, job_id))
