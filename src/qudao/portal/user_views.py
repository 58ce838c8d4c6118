"""The people of the partner company; its administrators add more."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from qudao.accounts import repository as accounts
from qudao.accounts.subject import AuthSubject
from qudao.core.i18n import N_
from qudao.http.auth import DbSession, PagePartner
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.web.forms import FormState
from qudao.web.key_pages import may_manage
from qudao.web.paging import PageNumber, pager, with_total
from qudao.web.user_forms import Added, add_user, role_choices

router = APIRouter()
ADDED = notice("portal.user.added", N_("The user was added to your company."))


def _page(
    request: Request, session: Session, subject: AuthSubject, *, page: int,
    form: FormState | None = None,
) -> Response:
    draft = pager("/portal/users", page)
    rows, total = accounts.list_users(session, subject, partner_id=None,
                                      limit=draft.per_page, offset=draft.offset)
    state = form or FormState()
    return render(request, "portal/users.html", {
        "users": rows, "pager": with_total(draft, total), "form": state,
        "roles": role_choices(subject), "can_add": may_manage(subject, subject.partner_id),
    }, status=state.status)


@router.get("/users")
def users(request: Request, subject: PagePartner, session: DbSession,
          page: PageNumber = 1) -> Response:
    return _page(request, session, subject, page=page)


@router.post("/users")
async def add(request: Request, subject: PagePartner, session: DbSession) -> Response:
    form = await checked_form(request)
    result = add_user(session, subject, form, request_locale(request))
    if isinstance(result, Added):
        return see_other(request, "/portal/users", flash=ADDED)
    return _page(request, session, subject, page=1, form=result)
