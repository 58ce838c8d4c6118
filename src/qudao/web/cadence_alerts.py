"""Alerts (open ones to act on, resolved ones for the record) and, for administrators, the
job queue: what ran, what failed with which error, and a retry."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from qudao.core.i18n import N_
from qudao.engagement import alerts
from qudao.http.auth import DbSession, PageAdmin, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.jobs import service as jobs
from qudao.jobs.service import JobState
from qudao.web.choices import people_by_id, staff_people
from qudao.web.paging import PageNumber, pager, with_total

router = APIRouter(include_in_schema=False)
RESOLVED = notice("cadence.alert_resolved", N_("The alert was resolved."))
RETRIED = notice("cadence.job_retried", N_("The job is queued again; the worker runs it "
                                           "next."))


@router.get("/cadence/alerts")
def alerts_page(
    request: Request, subject: PageStaff, session: DbSession, page: PageNumber = 1,
    state: Literal["open", "all"] = "open",
    kind: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    locale = request_locale(request)
    draft = pager("/cadence/alerts", page, state=None if state == "open" else state,
                  kind=kind or None)
    rows, total = alerts.search(session, subject, open_only=state == "open", kind=kind or None,
                                limit=draft.per_page, offset=draft.offset)
    return render(request, "cadence/alerts.html", {
        "alerts": rows, "pager": with_total(draft, total), "state": state, "kind": kind or "",
        "messages": {a.id: alerts.message(a, locale) for a in rows},
        "kind_labels": {k: v.label for k, v in alerts.KINDS.items()},
        "people": people_by_id(staff_people(session, subject)),
    })


@router.post("/cadence/alerts/{alert_id}/resolve")
async def resolve_alert(
    request: Request, subject: PageStaff, session: DbSession, alert_id: int
) -> Response:
    await checked_form(request)
    alerts.resolve(session, subject, alert_id)
    return see_other(request, "/cadence/alerts", flash=RESOLVED)


@router.get("/cadence/jobs")
def jobs_page(
    request: Request, subject: PageAdmin, session: DbSession, page: PageNumber = 1,
    state: JobState | None = None,
) -> Response:
    draft = pager("/cadence/jobs", page, state=state)
    rows, total = jobs.list_jobs(session, subject, state=state, limit=draft.per_page,
                                 offset=draft.offset)
    _failed, failed_total = jobs.list_jobs(session, subject, state="failed", limit=1, offset=0)
    return render(request, "cadence/jobs.html", {
        "jobs": rows, "pager": with_total(draft, total), "state": state or "",
        "failed_total": failed_total, "state_labels": jobs.STATE_LABELS,
    })


@router.post("/cadence/jobs/{job_id}/retry")
async def retry_job(
    request: Request, subject: PageAdmin, session: DbSession, job_id: int
) -> Response:
    await checked_form(request)
    jobs.retry(session, subject, job_id)
    return see_other(request, "/cadence/jobs", flash=RETRIED)
