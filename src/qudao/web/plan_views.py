"""Staff pages of commission plans: the program's plans, each said in words, the form that
defines one (a flat rate, or tiers as rows of threshold and rate), and a plan's own page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import QudaoError
from qudao.core.i18n import N_, LocaleCode, translate
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.programs import plans
from qudao.programs.models import CommissionPlan, Program
from qudao.programs.plan_schemas import PlanCreate, PlanOut, PlanUpdate
from qudao.web.choices import translated
from qudao.web.forms import REQUIRED, FormInvalid, FormState, failure, optional
from qudao.web.program_page_views import ProgramChoice, program_context, selected_program

router = APIRouter(include_in_schema=False)

SETTINGS = ("name", "kind", "flat_rate", "tier_mode", "boundary", "rounding_mode",
            "rounding_level", "period", "currency", "min_payout", "cap", "excluded_skus")
# Errors about the tiers as a whole: none given, or a group the rows cannot show.
GROUPS = ("tiers",)
MAX_ROWS = plans.MAX_TIERS
SPARE_ROWS = 2
SKU_SEPARATORS = re.compile(r"[\s,;，；]+")
PLAN_SAVED = notice("plan.saved", N_("The commission plan was saved."))
PLAN_DEACTIVATED = notice("plan.deactivated", N_("The plan is inactive: agreements that use "
                                                 "it keep it, new ones cannot choose it."))
PLAN_ACTIVATED = notice("plan.activated", N_("The plan is active again."))
TIER_FIELD = re.compile(r"^tiers\.(\d+)\.(threshold|rate)$")


def row_count(form: FormData | None, plan: CommissionPlan | None) -> int:
    """The tier rows the form shows: those posted (after a refusal), or the plan's and two
    spare ones (at least three)."""
    if form is None:
        return min(MAX_ROWS, max(3, len(plan.tiers) + SPARE_ROWS if plan else 3))
    posted = [int(k[10:]) for k in form if k.startswith("threshold_") and k[10:].isdigit()]
    return min(MAX_ROWS, max(posted, default=-1) + 1)


def input_names(rows: int) -> list[str]:
    return [*SETTINGS, *GROUPS,
            *(f"{name}_{i}" for i in range(rows) for name in ("threshold", "rate"))]


def tier_rows(form: FormData, rows: int) -> tuple[list[dict[str, str]], list[int]]:
    """The tiers typed in and the row each came from; a wholly empty row is no tier."""
    tiers: list[dict[str, str]] = []
    used: list[int] = []
    for row in range(rows):
        threshold, rate = optional(form, f"threshold_{row}", 40), optional(form, f"rate_{row}",
                                                                           40)
        if threshold is None and rate is None:
            continue
        if threshold is None:
            raise FormInvalid(f"threshold_{row}", REQUIRED)
        if rate is None:
            raise FormInvalid(f"rate_{row}", REQUIRED)
        tiers.append({"threshold": threshold, "rate": rate})
        used.append(row)
    return tiers, used


def locator(used: list[int]) -> Callable[[tuple[int | str, ...]], str]:
    def locate(location: tuple[int | str, ...]) -> str:
        """("tiers", 1, "rate") → the input of the row it came from: rate_3."""
        if location[0] == "tiers" and len(location) >= 3 and isinstance(location[1], int) \
                and location[1] < len(used):
            return f"{location[2]}_{used[location[1]]}"
        return str(location[0])
    return locate


def renames(used: list[int]) -> dict[str, str]:
    """The service's "tiers.1.rate" → the row's input, rate_3."""
    return {f"tiers.{i}.{name}": f"{name}_{row}" for i, row in enumerate(used)
            for name in ("threshold", "rate")}


def plan_fields(form: FormData, rows: int) -> tuple[dict[str, Any], list[int]]:
    """The posted plan as the API's fields. The kind decides which rate inputs count: the
    flat rate, or the tier rows."""
    kind = optional(form, "kind", 10) or "flat"
    values: dict[str, Any] = {name: optional(form, name, 200) for name in SETTINGS
                              if name not in ("excluded_skus",)}
    values["kind"] = kind
    skus = optional(form, "excluded_skus", 5000)
    values["excluded_skus"] = [s for s in SKU_SEPARATORS.split(skus) if s] if skus else []
    used: list[int] = []
    if kind == "tiered":
        values["tiers"], used = tier_rows(form, rows)
        values["flat_rate"] = None
    else:
        values["tiers"] = None
    if values.get("currency"):
        values["currency"] = str(values["currency"]).upper()
    return values, used


def form_values(plan: CommissionPlan) -> FormState:
    shown = plans.plan_out(plan, "en")
    values = {
        "name": plan.name, "kind": plan.kind, "tier_mode": plan.tier_mode,
        "boundary": plan.boundary, "rounding_mode": plan.rounding_mode,
        "rounding_level": plan.rounding_level, "period": plan.period,
        "currency": plan.currency,
        "flat_rate": f"{shown.flat_rate_percent}%" if shown.flat_rate_percent is not None
        else "",
        "min_payout": format(shown.min_payout, "f") if shown.min_payout else "",
        "cap": "" if shown.cap is None else format(shown.cap, "f"),
        "excluded_skus": ", ".join(shown.excluded_skus),
    }
    for i, tier in enumerate(shown.tiers):
        values[f"threshold_{i}"] = format(tier.threshold, "f")
        values[f"rate_{i}"] = f"{tier.rate_percent}%"
    return FormState(values=values)


def _options(locale: LocaleCode) -> dict[str, Any]:
    return {f"{key}_options": translated(labels, locale)
            for key, labels in plans.CHOICES.items()}


def _new_values(program: Program | None) -> FormState:
    values = {key: str(value) for key, value in plans.DEFAULTS.items()}
    values["currency"] = program.currency if program else ""
    return FormState(values=values)


def _list_page(
    request: Request, session: Session, subject: AuthSubject, program: Program | None, *,
    form: FormState | None = None, posted: FormData | None = None,
) -> Response:
    locale = request_locale(request)
    found: list[PlanOut] = []
    if program is not None:
        rows, _total = plans.list_plans(session, subject, limit=100, offset=0,
                                        program_id=program.id)
        found = [plans.plan_out(p, locale) for p in rows]
    state = form or _new_values(program)
    return render(request, "plans/list.html", {
        **program_context(session, subject, program), "plans": found, "form": state,
        "rows": row_count(posted, None), **_options(locale),
    }, status=state.status)


@router.get("/program/plans")
def list_plans(
    request: Request, subject: PageStaff, session: DbSession, program: ProgramChoice = None
) -> Response:
    return _list_page(request, session, subject, selected_program(session, subject, program))


def _failure(error: Exception, locale: LocaleCode, form: FormData, rows: int,
             used: list[int]) -> FormState:
    assert isinstance(error, QudaoError | ValidationError | FormInvalid)
    return failure(error, locale, form, input_names(rows), fields=renames(used),
                   locate=locator(used))


@router.post("/program/plans")
async def create_plan(
    request: Request, subject: PageStaff, session: DbSession, program: ProgramChoice = None
) -> Response:
    form = await checked_form(request)
    chosen = selected_program(session, subject, program)
    rows = row_count(form, None)
    used: list[int] = []
    try:
        values, used = plan_fields(form, rows)
        plan = plans.create_plan(session, subject, PlanCreate.model_validate(
            {**values, "program_id": chosen.id if chosen else None}))
    except (QudaoError, ValidationError, FormInvalid) as error:
        state = _failure(error, request_locale(request), form, rows, used)
        session.rollback()
        return _list_page(request, session, subject, chosen, form=state, posted=form)
    return see_other(request, f"/program/plans/{plan.id}", flash=PLAN_SAVED)


def _plan_page(
    request: Request, session: Session, subject: AuthSubject, plan_id: int, *,
    form: FormState | None = None, posted: FormData | None = None,
) -> Response:
    locale = request_locale(request)
    plan = plans.get_plan(session, subject, plan_id)
    state = form or form_values(plan)
    program = selected_program(session, subject, plan.program_id)
    return render(request, "plans/detail.html", {
        **program_context(session, subject, program), "plan": plans.plan_out(plan, locale),
        "form": state, "rows": row_count(posted, plan),
        "kind_label": translate(locale, plans.KIND_LABELS[plan.kind]), **_options(locale),
    }, status=state.status)


@router.get("/program/plans/{plan_id}")
def plan_page(request: Request, subject: PageStaff, session: DbSession, plan_id: int) -> Response:
    return _plan_page(request, session, subject, plan_id)


@router.post("/program/plans/{plan_id}")
async def edit_plan(
    request: Request, subject: PageStaff, session: DbSession, plan_id: int
) -> Response:
    form = await checked_form(request)
    plans.get_plan(session, subject, plan_id)
    rows = row_count(form, None)
    used: list[int] = []
    try:
        values, used = plan_fields(form, rows)
        plans.update_plan(session, subject, plan_id, PlanUpdate.model_validate(values))
    except (QudaoError, ValidationError, FormInvalid) as error:
        state = _failure(error, request_locale(request), form, rows, used)
        session.rollback()
        return _plan_page(request, session, subject, plan_id, form=state, posted=form)
    return see_other(request, f"/program/plans/{plan_id}", flash=PLAN_SAVED)


@router.post("/program/plans/{plan_id}/active")
async def set_active(
    request: Request, subject: PageStaff, session: DbSession, plan_id: int
) -> Response:
    form = await checked_form(request)
    active = optional(form, "active", 10) == "true"
    plans.update_plan(session, subject, plan_id, PlanUpdate(active=active))
    return see_other(request, f"/program/plans/{plan_id}",
                     flash=PLAN_ACTIVATED if active else PLAN_DEACTIVATED)
