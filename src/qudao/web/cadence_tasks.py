"""The cadence's task list (my open tasks, overdue first; everyone's with filters), ticking
a task done, and the board of active partners with their channel managers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from qudao.core import clock
from qudao.core.errors import QudaoError
from qudao.core.i18n import N_, translate
from qudao.engagement import activity, alerts, followups, inactivity, repository
from qudao.engagement.meetings import set_channel_manager
from qudao.engagement.schemas import TaskUpdate
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.web.cadence_common import TASK_DONE, TASK_REOPENED, local_path
from qudao.web.choices import as_options, owner_options, partner_choices, people_by_id, staff_people
from qudao.web.forms import failure, optional
from qudao.web.paging import PageNumber, pager, with_total

router = APIRouter(include_in_schema=False)
MANAGER_SET = notice("cadence.manager_set", N_("The channel manager was saved."))
OWNER_FILTERS = {"me": N_("My tasks"), "all": N_("Everyone's tasks"),
                 "none": N_("Tasks without an owner")}
OwnerFilter = Annotated[str, Query(max_length=20, pattern=r"^(me|all|none|\d+)$")]


@router.get("/cadence")
def tasks_page(
    request: Request, subject: PageStaff, session: DbSession, page: PageNumber = 1,
    owner: OwnerFilter = "me", partner_id: Annotated[int | None, Query()] = None,
    state: Literal["open", "all"] = "open",
) -> Response:
    locale = request_locale(request)
    today = clock.now().date()
    owner_id = subject.user_id if owner == "me" else int(owner) if owner.isdigit() else None
    draft = pager("/cadence", page, owner=None if owner == "me" else owner,
                  partner_id=partner_id, state=None if state == "open" else state)
    rows, total = repository.search_tasks(
        session, subject, today=today, owner_id=owner_id, unowned=owner == "none",
        partner_id=partner_id, open_only=state == "open", limit=draft.per_page,
        offset=draft.offset)
    mine, mine_total = repository.search_tasks(session, subject, today=today,
                                               owner_id=subject.user_id, limit=100, offset=0)
    people = staff_people(session, subject)
    choices = partner_choices(session, subject)
    _open_alerts, alert_total = alerts.search(session, subject, limit=1, offset=0)
    return render(request, "cadence/tasks.html", {
        "tasks": rows, "pager": with_total(draft, total), "today": today,
        "names": {c.id: c.name for c in choices}, "people": people_by_id(people),
        "title": followups.title, "overdue": followups.is_overdue,
        "filters": {"owner": owner, "partner_id": str(partner_id or ""), "state": state},
        "owner_filter_options": [(k, translate(locale, v)) for k, v in OWNER_FILTERS.items()]
        + owner_options(people),
        "partner_options": as_options(choices),
        "mine_open": mine_total,
        "mine_overdue": sum(1 for t in mine if followups.is_overdue(t, today)),
        "alert_total": alert_total,
        "back": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    })


@router.post("/cadence/tasks/{task_id}/done")
async def tick_task(
    request: Request, subject: PageStaff, session: DbSession, task_id: int
) -> Response:
    form = await checked_form(request)
    done = optional(form, "done", 5) != "0"
    followups.update_task(session, subject, task_id, TaskUpdate(done=done))
    return see_other(request, local_path(optional(form, "next", 600), "/cadence"),
                     flash=TASK_DONE if done else TASK_REOPENED)


def board_rows(session: Session) -> list[dict[str, Any]]:
    partners = inactivity.signed_partners(session)
    since = inactivity.quiet_since(session, partners)
    last = activity.last_activity(session, [p.id for p in partners])
    open_tasks = followups.open_counts(session, [p.id for p in partners])
    now = clock.now()
    return [{"partner": p, "last": last.get(p.id), "quiet_days": (now - since[p.id]).days,
             "open_tasks": open_tasks.get(p.id, 0)} for p in partners]


@router.get("/cadence/partners")
def partners_board(request: Request, subject: PageStaff, session: DbSession) -> Response:
    people = staff_people(session, subject)
    return render(request, "cadence/partners.html", {
        "rows": board_rows(session), "people": people_by_id(people),
        "owner_options": owner_options(people),
        "inactivity_days": inactivity.inactivity_days(session),
        "activity_labels": activity.ACTIVITY_LABELS,
    })


@router.post("/cadence/partners/{partner_id}/manager")
async def set_manager(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int
) -> Response:
    form = await checked_form(request)
    back = local_path(optional(form, "next", 600), "/cadence/partners")
    raw = optional(form, "owner_id", 20)
    try:
        set_channel_manager(session, subject, partner_id,
                            int(raw) if raw and raw.isdigit() else None)
    except QudaoError as error:
        state = failure(error, request_locale(request), form, ())
        session.rollback()
        people = staff_people(session, subject)
        return render(request, "cadence/partners.html", {
            "rows": board_rows(session), "people": people_by_id(people),
            "owner_options": owner_options(people), "form": state,
            "inactivity_days": inactivity.inactivity_days(session),
            "activity_labels": activity.ACTIVITY_LABELS,
        }, status=state.status)
    return see_other(request, back, flash=MANAGER_SET)
