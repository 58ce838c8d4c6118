"""Meeting notes: the list, the form (with action items), one meeting with its action
items to tick, and adding an action item afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from qudao.accounts.subject import AuthSubject
from qudao.core import clock
from qudao.core.errors import QudaoError
from qudao.core.i18n import N_
from qudao.engagement import followups, meetings, repository
from qudao.engagement.schemas import ActionItemIn, MeetingCreate, TaskCreate
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.partners import repository as partners
from qudao.web.choices import as_options, owner_options, partner_choices, people_by_id, staff_people
from qudao.web.forms import (
    REQUIRED,
    FormInvalid,
    FormState,
    failure,
    optional,
    optional_date,
    optional_int,
)
from qudao.web.paging import PageNumber, pager, with_total

router = APIRouter(include_in_schema=False)
ITEM_ROWS = 3
SAVED = notice("cadence.meeting_saved", N_("The meeting notes were saved."))
ITEM_ADDED = notice("cadence.item_added", N_("The action item was added."))
FIELDS = ("partner_id", "held_on", "attendees", "notes")
ITEM_FIELDS = ("title", "owner_id", "due_on")


def _item_inputs(rows: int) -> list[str]:
    return [f"item_{name}_{i}" for i in range(rows) for name in ITEM_FIELDS]


def _people(session: Session, subject: AuthSubject) -> dict[str, Any]:
    people = staff_people(session, subject)
    return {"people": people_by_id(people), "owner_options": owner_options(people)}


def _form_page(
    request: Request, session: Session, subject: AuthSubject, form: FormState
) -> Response:
    return render(request, "cadence/meeting_form.html", {
        "form": form, "rows": range(ITEM_ROWS),
        "partner_options": as_options(partner_choices(session, subject)),
        **_people(session, subject)}, status=form.status)


@router.get("/cadence/meetings")
def meetings_page(
    request: Request, subject: PageStaff, session: DbSession, page: PageNumber = 1,
    partner_id: Annotated[int | None, Query()] = None,
) -> Response:
    draft = pager("/cadence/meetings", page, partner_id=partner_id)
    rows, total = repository.search_meetings(session, subject, partner_id=partner_id,
                                             limit=draft.per_page, offset=draft.offset)
    partner = partners.get(session, subject, partner_id) if partner_id is not None else None
    choices = partner_choices(session, subject)
    return render(request, "cadence/meetings.html", {
        "meetings": rows, "pager": with_total(draft, total), "partner": partner,
        "items": repository.meeting_tasks(session, [m.id for m in rows]),
        "names": {c.id: c.name for c in choices}, "partner_options": as_options(choices),
        "today": clock.now().date(), **_people(session, subject)})


@router.get("/cadence/meetings/new")
def new_meeting(
    request: Request, subject: PageStaff, session: DbSession,
    partner_id: Annotated[int | None, Query()] = None,
) -> Response:
    if partner_id is not None:
        partners.get(session, subject, partner_id)
    return _form_page(request, session, subject, FormState(values={
        "partner_id": str(partner_id or ""), "held_on": clock.now().date().isoformat()}))


def _action_items(form: FormData) -> tuple[list[ActionItemIn], list[int]]:
    """The filled rows of the action-item table, and which input row each came from."""
    items: list[ActionItemIn] = []
    used: list[int] = []
    for row in range(ITEM_ROWS):
        title = optional(form, f"item_title_{row}", 400)
        owner = optional_int(form, f"item_owner_id_{row}")
        due = optional_date(form, f"item_due_on_{row}")
        if title is None and owner is None and due is None:
            continue
        try:
            items.append(ActionItemIn(title=title or "", owner_id=owner, due_on=due))
        except ValidationError:
            raise FormInvalid(f"item_title_{row}", N_("Give the action item a title.")) from None
        used.append(row)
    return items, used


def _locator(used: list[int]) -> Callable[[tuple[int | str, ...]], str]:
    def locate(location: tuple[int | str, ...]) -> str:
        if len(location) >= 3 and location[0] == "action_items" and isinstance(location[1], int):
            return f"item_{location[2]}_{used[location[1]]}"
        return str(location[0]) if location else ""
    return locate


@router.post("/cadence/meetings")
async def create_meeting(request: Request, subject: PageStaff, session: DbSession) -> Response:
    form = await checked_form(request)
    used: list[int] = []
    try:
        items, used = _action_items(form)
        partner_id = optional_int(form, "partner_id")
        if partner_id is None:
            raise FormInvalid("partner_id", REQUIRED)
        held_on = optional_date(form, "held_on")
        if held_on is None:
            raise FormInvalid("held_on", REQUIRED)
        meeting = meetings.add_meeting(session, subject, MeetingCreate(
            partner_id=partner_id, held_on=held_on,
            attendees=optional(form, "attendees", 2100), notes=optional(form, "notes", 20_100),
            action_items=items))
    except (QudaoError, ValidationError, FormInvalid) as error:
        state = failure(error, request_locale(request), form,
                        (*FIELDS, *_item_inputs(ITEM_ROWS)), locate=_locator(used))
        session.rollback()
        return _form_page(request, session, subject, state)
    return see_other(request, f"/cadence/meetings/{meeting.id}", flash=SAVED)


def _meeting_page(
    request: Request, session: Session, subject: AuthSubject, meeting_id: int,
    form: FormState | None = None,
) -> Response:
    meeting = repository.get_meeting(session, subject, meeting_id)
    partner = partners.get(session, subject, meeting.partner_id)
    state = form or FormState()
    return render(request, "cadence/meeting.html", {
        "meeting": meeting, "partner": partner,
        "items": repository.meeting_tasks(session, [meeting.id])[meeting.id],
        "title": followups.title, "overdue": followups.is_overdue, "today": clock.now().date(),
        "form": state, **_people(session, subject)}, status=state.status)


@router.get("/cadence/meetings/{meeting_id}")
def meeting_page(
    request: Request, subject: PageStaff, session: DbSession, meeting_id: int
) -> Response:
    return _meeting_page(request, session, subject, meeting_id)


@router.post("/cadence/meetings/{meeting_id}/items")
async def add_item(
    request: Request, subject: PageStaff, session: DbSession, meeting_id: int
) -> Response:
    form = await checked_form(request)
    meeting = repository.get_meeting(session, subject, meeting_id)
    try:
        followups.add_task(session, subject, TaskCreate(
            partner_id=meeting.partner_id, title=optional(form, "title", 400) or "",
            owner_id=optional_int(form, "owner_id"), due_on=optional_date(form, "due_on")),
            meeting_id=meeting.id)
    except (QudaoError, ValidationError, FormInvalid) as error:
        state = failure(error, request_locale(request), form, ITEM_FIELDS)
        session.rollback()
        return _meeting_page(request, session, subject, meeting_id, state)
    return see_other(request, f"/cadence/meetings/{meeting_id}", flash=ITEM_ADDED)
