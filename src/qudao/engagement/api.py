"""JSON API of follow-up tasks, meetings and alerts (staff only), with the job queue for
administrators."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from qudao.core import clock
from qudao.core.pagination import Page, PageParams, page_params
from qudao.engagement import alerts, followups, meetings, present, repository
from qudao.engagement.schemas import (
    AlertOut,
    MeetingCreate,
    MeetingOut,
    TaskCreate,
    TaskOut,
    TaskUpdate,
)
from qudao.http.auth import DbSession, Staff, StaffWriter
from qudao.http.locale import RequestLocale
from qudao.jobs.api import router as jobs_router

router = APIRouter(tags=["cadence"])
router.include_router(jobs_router)


@router.get("/tasks", summary="Follow-up tasks: open ones first, overdue before the rest")
def list_tasks(
    subject: Staff, session: DbSession, locale: RequestLocale,
    params: Annotated[PageParams, Depends(page_params)],
    mine: Annotated[bool, Query(description="Only the caller's tasks")] = False,
    owner_id: Annotated[int | None, Query()] = None,
    partner_id: Annotated[int | None, Query()] = None,
    state: Literal["open", "all"] = "open",
) -> Page[TaskOut]:
    owner = subject.user_id if mine else owner_id
    rows, total = repository.search_tasks(
        session, subject, today=clock.now().date(), owner_id=owner, partner_id=partner_id,
        open_only=state == "open", limit=params.limit, offset=params.offset)
    return Page[TaskOut](items=present.tasks_out(session, rows, locale), total=total,
                         limit=params.limit, offset=params.offset)


@router.post("/tasks", status_code=201, summary="Add an action item for a partner")
def create_task(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, data: TaskCreate
) -> TaskOut:
    task = followups.add_task(session, subject, data)
    return present.tasks_out(session, [task], locale)[0]


@router.patch("/tasks/{task_id}", summary="Tick a task done, hand it over, move its date")
def update_task(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, task_id: int,
    data: TaskUpdate,
) -> TaskOut:
    task = followups.update_task(session, subject, task_id, data)
    return present.tasks_out(session, [task], locale)[0]


@router.get("/meetings", summary="Meeting notes, newest first")
def list_meetings(
    subject: Staff, session: DbSession, locale: RequestLocale,
    params: Annotated[PageParams, Depends(page_params)],
    partner_id: Annotated[int | None, Query()] = None,
) -> Page[MeetingOut]:
    rows, total = repository.search_meetings(session, subject, partner_id=partner_id,
                                             limit=params.limit, offset=params.offset)
    return Page[MeetingOut](items=present.meetings_out(session, rows, locale), total=total,
                            limit=params.limit, offset=params.offset)


@router.post("/meetings", status_code=201, summary="Record a meeting and its action items")
def create_meeting(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, data: MeetingCreate
) -> MeetingOut:
    meeting = meetings.add_meeting(session, subject, data)
    return present.meetings_out(session, [meeting], locale)[0]


@router.get("/meetings/{meeting_id}", summary="One meeting with its action items")
def get_meeting(
    subject: Staff, session: DbSession, locale: RequestLocale, meeting_id: int
) -> MeetingOut:
    meeting = repository.get_meeting(session, subject, meeting_id)
    return present.meetings_out(session, [meeting], locale)[0]


@router.get("/alerts", summary="Alerts such as \"signed, then nothing\"; open ones by default")
def list_alerts(
    subject: Staff, session: DbSession, locale: RequestLocale,
    params: Annotated[PageParams, Depends(page_params)],
    state: Literal["open", "all"] = "open",
    partner_id: Annotated[int | None, Query()] = None,
    kind: Annotated[str | None, Query(max_length=40)] = None,
) -> Page[AlertOut]:
    rows, total = alerts.search(session, subject, open_only=state == "open",
                                partner_id=partner_id, kind=kind, limit=params.limit,
                                offset=params.offset)
    return Page[AlertOut](items=[present.alert_out(a, locale) for a in rows], total=total,
                          limit=params.limit, offset=params.offset)


@router.post("/alerts/{alert_id}/resolve", summary="Acknowledge an alert")
def resolve_alert(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, alert_id: int
) -> AlertOut:
    return present.alert_out(alerts.resolve(session, subject, alert_id), locale)
