"""Staff pages for people: the list of users and the form that adds one (administrators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from qudao.accounts import repository as accounts
from qudao.accounts.subject import AuthSubject
from qudao.core.i18n import N_
from qudao.http.auth import DbSession, PageAdmin
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.web.choices import as_options, partner_choices
from qudao.web.forms import FormState
from qudao.web.paging import PageNumber, pager, with_total
from qudao.web.user_forms import Added, add_user, role_choices

router = APIRouter(include_in_schema=False)
ADDED = notice("user.added", N_("The user was added."))


def _list_page(
    request: Request, session: Session, subject: AuthSubject, *, partner_id: int | None,
    page: int, form: FormState | None = None,
) -> Response:
    draft = pager("/users", page, partner_id=partner_id)
    rows, total = accounts.list_users(session, subject, partner_id=partner_id,
                                      limit=draft.per_page, offset=draft.offset)
    partners = partner_choices(session, subject)
    state = form or FormState(values={"partner_id": str(partner_id or "")})
    return render(request, "users/list.html", {
        "users": rows, "pager": with_total(draft, total), "partner_id": partner_id,
        "partners": partners, "partner_options": as_options(partners),
        "roles": role_choices(subject),
        "form": state,
    }, status=state.status)


@router.get("/users")
def list_users(
    request: Request, subject: PageAdmin, session: DbSession,
    partner_id: Annotated[int | None, Query()] = None, page: PageNumber = 1,
) -> Response:
    return _list_page(request, session, subject, partner_id=partner_id, page=page)


@router.post("/users")
async def create_user(request: Request, subject: PageAdmin, session: DbSession) -> Response:
    form = await checked_form(request)
    result = add_user(session, subject, form, request_locale(request))
    if isinstance(result, Added):
        partner_id = result.user.partner_id
        target = f"/users?partner_id={partner_id}" if partner_id else "/users"
        return see_other(request, target, flash=ADDED)
    return _list_page(request, session, subject, partner_id=None, page=1, form=result)
