"""JSON API of SMART goals and their live progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from qudao.core.pagination import Page, PageParams, page_params
from qudao.goals import present, repository, service
from qudao.goals.schemas import (
    GoalCreate,
    GoalDetail,
    GoalOut,
    GoalUpdate,
    MetricOut,
    NotSmartOut,
)
from qudao.http.auth import DbSession, Staff, StaffWriter
from qudao.http.locale import RequestLocale

router = APIRouter(tags=["goals"])
REFUSED: dict[int | str, dict[str, object]] = {
    422: {"description": "Not SMART: every missing part, each with its field",
          "model": NotSmartOut}}


@router.get("/goal-metrics", summary="The metric catalogue goals are measured with")
def goal_metrics(subject: Staff, locale: RequestLocale) -> list[MetricOut]:
    return present.catalogue(locale)


@router.get("/goals", summary="Goals with their live progress, nearest deadline first")
def list_goals(
    subject: Staff, session: DbSession, locale: RequestLocale,
    page: Annotated[PageParams, Depends(page_params)],
    program_id: Annotated[int | None, Query()] = None,
    owner_user_id: Annotated[int | None, Query()] = None,
    partner_id: Annotated[int | None, Query()] = None,
    archived: bool = False,
) -> Page[GoalOut]:
    rows, total = repository.search(session, subject, limit=page.limit, offset=page.offset,
                                    program_id=program_id, archived=archived,
                                    owner_user_id=owner_user_id, partner_id=partner_id)
    return Page[GoalOut](items=[present.goal_out(session, g, locale) for g in rows],
                         total=total, limit=page.limit, offset=page.offset)


@router.post("/goals", status_code=201, summary="Set a goal (refused unless it is SMART)",
             responses=REFUSED)
def create_goal(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, data: GoalCreate
) -> GoalDetail:
    goal = service.create_goal(session, subject, data)
    return present.goal_detail(session, goal, locale)


@router.get("/goals/{goal_id}", summary="A goal with its progress and the chart's series")
def get_goal(
    subject: Staff, session: DbSession, locale: RequestLocale, goal_id: int
) -> GoalDetail:
    return present.goal_detail(session, repository.get(session, subject, goal_id), locale)


@router.patch("/goals/{goal_id}", summary="Change a goal (it must stay SMART)",
              responses=REFUSED)
def update_goal(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, goal_id: int,
    data: GoalUpdate,
) -> GoalDetail:
    goal = service.update_goal(session, subject, goal_id, data)
    return present.goal_detail(session, goal, locale)


@router.delete("/goals/{goal_id}", status_code=204, summary="Archive a goal")
def archive_goal(subject: StaffWriter, session: DbSession, goal_id: int) -> Response:
    service.archive_goal(session, subject, goal_id)
    return Response(status_code=204)
