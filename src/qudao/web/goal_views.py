"""Staff pages of SMART goals (the list with status and progress, the add form that shows
each missing SMART part at its field, a goal's chart of actual against pace) and, included
from plan_views, of commission plans."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from qudao.accounts.subject import AuthSubject
from qudao.core import clock
from qudao.core.errors import QudaoError
from qudao.core.i18n import N_, LocaleCode, Translator, translate
from qudao.goals import present, progress, repository, service
from qudao.goals.metrics import CATALOGUE
from qudao.goals.models import Goal
from qudao.goals.progress import STATUS_LABELS, Point, metric_of
from qudao.goals.schemas import GoalCreate, GoalOut, GoalUpdate
from qudao.goals.smart import GoalRefused
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.programs import repository as programs
from qudao.web import plan_views
from qudao.web.choices import (
    as_options,
    owner_options,
    partner_choices,
    people_by_id,
    staff_people,
)
from qudao.web.forms import FormInvalid, FormState, failure, optional, optional_date, optional_int
from qudao.web.forms import values_of as posted_values
from qudao.web.partner_views import download
from qudao.web.program_page_views import ProgramChoice

router = APIRouter(include_in_schema=False)
router.include_router(plan_views.router)

FIELDS = ("title", "metric", "target", "partner_id", "start", "deadline", "owner",
          "program_id")
# The service names the responsible person "owner" whichever way it was given.
SERVICE_FIELDS = {"owner_user_id": "owner", "owner_email": "owner"}
GOAL_SET = notice("goal.set", N_("The goal is set. Its progress is measured from the data."))
GOAL_SAVED = notice("goal.saved", N_("The goal was saved."))
GOAL_ARCHIVED = notice("goal.archived", N_("The goal was archived."))
NOT_SMART = N_("This goal is not SMART yet: each marked field says what is missing.")
STATUS_BADGES = {"achieved": "badge-ok", "on_track": "badge-info", "at_risk": "badge-warn",
                 "missed": "badge-excluded"}


def _goal_data(form: FormData) -> dict[str, Any]:
    """The posted text as the API's fields; FormInvalid for an unreadable number or date."""
    return {"title": optional(form, "title", 300), "metric": optional(form, "metric", 40),
            "target": optional(form, "target", 40),
            "partner_id": optional_int(form, "partner_id"),
            "start": optional_date(form, "start"), "deadline": optional_date(form, "deadline"),
            "owner_user_id": optional_int(form, "owner")}


def _refused(error: GoalRefused, locale: LocaleCode, form: FormData) -> FormState:
    """Every missing SMART part at its own input; one the form lacks goes to the banner."""
    state = FormState(values=posted_values(form, FIELDS), status=422)
    others: list[str] = []
    for problem in error.problems:
        name = SERVICE_FIELDS.get(problem.field, problem.field)
        if name in FIELDS and name not in state.errors:
            state.errors[name] = problem.render(locale)
        else:
            others.append(problem.render(locale))
    state.message = " ".join([translate(locale, NOT_SMART), *others])
    return state


def _form_state(error: Exception, locale: LocaleCode, form: FormData) -> FormState:
    if isinstance(error, GoalRefused):
        return _refused(error, locale, form)
    assert isinstance(error, QudaoError | ValidationError | FormInvalid)
    return failure(error, locale, form, FIELDS, fields=SERVICE_FIELDS)


def _choices(session: Session, subject: AuthSubject, locale: LocaleCode) -> dict[str, Any]:
    people = staff_people(session, subject)
    partners = partner_choices(session, subject)
    found = programs.list_programs(session, subject)
    return {
        "metric_options": [(m.key, translate(locale, m.label)) for m in CATALOGUE.values()],
        "partner_options": as_options(partners),
        "partner_names": {c.id: c.name for c in partners},
        "owner_options": owner_options(people),
        "owners": people_by_id(people),
        "program_options": [(str(p.id), p.name) for p in found],
        "has_program": bool(found),
        "status_badges": STATUS_BADGES,
        "status_labels": STATUS_LABELS,
    }


def _amount(value: Decimal | None, goal: GoalOut, t: Translator) -> str:
    if value is None:
        return "—"
    if goal.unit == "money" and goal.currency:
        return t.money(value, goal.currency)
    return t.number(value)


def _list_page(
    request: Request, session: Session, subject: AuthSubject, *, archived: bool = False,
    program_id: int | None = None, form: FormState | None = None,
) -> Response:
    locale = request_locale(request)
    rows, total = repository.search(session, subject, limit=100, offset=0, archived=archived,
                                    program_id=program_id)
    state = form or FormState(values={"start": clock.now().date().isoformat(),
                                      "owner": str(subject.user_id or ""),
                                      "program_id": str(program_id or "")})
    return render(request, "goals/list.html", {
        "goals": [present.goal_out(session, g, locale) for g in rows], "total": total,
        "archived": archived, "form": state, "amount": _amount,
        **_choices(session, subject, locale),
    }, status=state.status)


@router.get("/goals")
def list_goals(
    request: Request, subject: PageStaff, session: DbSession, archived: bool = False,
    program: ProgramChoice = None,
) -> Response:
    """The goals (of one program with ?program=), nearest deadline first."""
    return _list_page(request, session, subject, archived=archived, program_id=program)


@router.post("/goals")
async def add_goal(request: Request, subject: PageStaff, session: DbSession) -> Response:
    form = await checked_form(request)
    locale = request_locale(request)
    try:
        data = GoalCreate(**_goal_data(form), program_id=optional_int(form, "program_id"))
        goal = service.create_goal(session, subject, data)
    except (QudaoError, ValidationError, FormInvalid) as error:
        state = _form_state(error, locale, form)
        session.rollback()
        return _list_page(request, session, subject, form=state)
    return see_other(request, f"/goals/{goal.id}", flash=GOAL_SET)


def _points_table(goal: GoalOut, points: list[Point], t: Translator) -> dict[str, Any]:
    headers = [t.gettext(h) for h in present.SERIES_HEADERS]
    rows = []
    for point in points:
        midnight = point.at.hour == point.at.minute == point.at.second == 0
        when = t.date(point.at) if midnight else t.datetime(point.at, "short")
        rows.append([when, _amount(point.actual, goal, t), _amount(point.pace, goal, t)])
    return {"headers": headers, "rows": rows}


def _chart_spec(goal: GoalOut, points: list[Point], t: Translator) -> dict[str, Any]:
    money = goal.unit == "money" and goal.currency
    return {
        "type": "line", "x": "time",
        "format": {"style": "currency", "currency": goal.currency} if money
        else {"style": "decimal", "digits": 2},
        "series": [
            {"name": t.gettext(N_("Actual")), "area": True,
             "data": [[p.at.isoformat(), format(p.actual, "f")] for p in points
                      if p.actual is not None]},
            {"name": t.gettext(N_("Pace")), "dashed": True,
             "data": [[p.at.isoformat(), format(p.pace, "f")] for p in points]},
        ],
    }


def _edit_values(goal: Goal, shown: GoalOut) -> FormState:
    return FormState(values={
        "title": goal.title or "", "metric": goal.metric, "target": format(shown.target, "f"),
        "partner_id": str(goal.partner_id or ""), "start": goal.start.isoformat(),
        "deadline": goal.deadline.isoformat(), "owner": str(goal.owner_user_id),
        "program_id": str(goal.program_id)})


def _detail_page(
    request: Request, session: Session, subject: AuthSubject, goal_id: int, *,
    form: FormState | None = None,
) -> Response:
    locale = request_locale(request)
    t = Translator(locale)
    goal = repository.get(session, subject, goal_id)
    shown = present.goal_out(session, goal, locale)
    points = progress.series(session, goal)
    state = form or _edit_values(goal, shown)
    return render(request, "goals/detail.html", {
        "goal": shown, "goal_help": translate(locale, metric_of(goal).help),
        "spec": _chart_spec(shown, points, t), "table": _points_table(shown, points, t),
        "form": state, "amount": _amount,
        **_choices(session, subject, locale),
    }, status=state.status)


@router.get("/goals/{goal_id}")
def goal_page(request: Request, subject: PageStaff, session: DbSession, goal_id: int) -> Response:
    return _detail_page(request, session, subject, goal_id)


@router.post("/goals/{goal_id}")
async def edit_goal(
    request: Request, subject: PageStaff, session: DbSession, goal_id: int
) -> Response:
    form = await checked_form(request)
    locale = request_locale(request)
    try:
        service.update_goal(session, subject, goal_id, GoalUpdate(**_goal_data(form)))
    except (QudaoError, ValidationError, FormInvalid) as error:
        if isinstance(error, QudaoError) and error.status == 404:
            raise
        state = _form_state(error, locale, form)
        session.rollback()
        return _detail_page(request, session, subject, goal_id, form=state)
    return see_other(request, f"/goals/{goal_id}", flash=GOAL_SAVED)


@router.post("/goals/{goal_id}/archive")
async def archive_goal(
    request: Request, subject: PageStaff, session: DbSession, goal_id: int
) -> Response:
    await checked_form(request)
    service.archive_goal(session, subject, goal_id)
    return see_other(request, "/goals", flash=GOAL_ARCHIVED)


@router.get("/goals/{goal_id}/progress.csv")
def progress_csv(
    request: Request, subject: PageStaff, session: DbSession, goal_id: int
) -> Response:
    """The chart's numbers: the same rows as the table under it."""
    goal = repository.get(session, subject, goal_id)
    body = present.series_csv(progress.series(session, goal), request_locale(request))
    return download(body, "text/csv; charset=utf-8", f"qudao-goal-{goal_id}.csv")
