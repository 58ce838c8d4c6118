"""JSON API of commission plans: staff only; a partner's agreement points to one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from qudao.core.pagination import Page, PageParams, page_params
from qudao.http.auth import DbSession, Staff, StaffWriter
from qudao.http.locale import RequestLocale
from qudao.programs import plans
from qudao.programs.plan_schemas import PlanCreate, PlanOut, PlanUpdate

router = APIRouter(prefix="/plans", tags=["plans"])


@router.get("", summary="Commission plans, active first, each described in words")
def list_plans(
    subject: Staff, session: DbSession, locale: RequestLocale,
    page: Annotated[PageParams, Depends(page_params)],
    program_id: Annotated[int | None, Query()] = None,
    active: Annotated[bool | None, Query()] = None,
) -> Page[PlanOut]:
    rows, total = plans.list_plans(session, subject, limit=page.limit, offset=page.offset,
                                   program_id=program_id, active=active)
    return Page[PlanOut](items=[plans.plan_out(p, locale) for p in rows], total=total,
                         limit=page.limit, offset=page.offset)


@router.post("", status_code=201, summary="Define a commission plan (flat or tiered)")
def create_plan(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, data: PlanCreate
) -> PlanOut:
    return plans.plan_out(plans.create_plan(session, subject, data), locale)


@router.get("/{plan_id}", summary="One commission plan")
def get_plan(subject: Staff, session: DbSession, locale: RequestLocale, plan_id: int) -> PlanOut:
    return plans.plan_out(plans.get_plan(session, subject, plan_id), locale)


@router.patch("/{plan_id}", summary="Change a plan; tiers are replaced as a whole")
def update_plan(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, plan_id: int,
    data: PlanUpdate,
) -> PlanOut:
    return plans.plan_out(plans.update_plan(session, subject, plan_id, data), locale)
