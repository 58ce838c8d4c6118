"""The public page of an invitation link: the invitee chooses a name and a password and
becomes a user of its partner's portal. A used, expired or withdrawn link says so."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from qudao.accounts import invitations
from qudao.accounts.invitation_models import Invitation
from qudao.accounts.passwords import MIN_PASSWORD_LENGTH
from qudao.accounts.roles import Role
from qudao.core.errors import NotFound, QudaoError, Unprocessable
from qudao.core.i18n import N_
from qudao.http.auth import DbSession, PagePublic
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.web.forms import FormState, failure, optional, secret

router = APIRouter(include_in_schema=False)
ACCEPT_FIELDS = ("name", "password", "password_again")
WELCOME = notice("invitation.accepted", N_("Your account is ready. Sign in with your e-mail "
                                           "address and the password you chose."))
PASSWORDS_DIFFER = N_("The two passwords are not the same.")


def _page(request: Request, token: str, invitation: Invitation, form: FormState) -> Response:
    return render(request, "invitations/accept.html", {
        "invitation": invitation, "token": token, "form": form,
        "role_label": Role(invitation.role).label,
        "min_length": MIN_PASSWORD_LENGTH,
    }, status=form.status)


def _unusable(request: Request, error: QudaoError) -> Response:
    return render(request, "invitations/unusable.html", {
        "message": error.render(request_locale(request))}, status=error.status)


def _open(session: Session, token: str) -> Invitation:
    return invitations.by_token(session, token[:200])


@router.get("/invite/{token}")
def invitation(request: Request, subject: PagePublic, session: DbSession,
               token: str) -> Response:
    try:
        found = _open(session, token)
    except (NotFound, invitations.InvitationGone) as error:
        return _unusable(request, error)
    return _page(request, token, found, FormState())


@router.post("/invite/{token}")
async def accept(request: Request, subject: PagePublic, session: DbSession,
                 token: str) -> Response:
    form = await checked_form(request)
    try:
        _open(session, token)
    except (NotFound, invitations.InvitationGone) as error:
        return _unusable(request, error)
    password = secret(form, "password") or ""
    try:
        if password != (secret(form, "password_again") or ""):
            raise Unprocessable(PASSWORDS_DIFFER, field="password_again")
        invitations.accept(session, token, name=optional(form, "name", 200) or "",
                           password=password)
    except QudaoError as error:
        state = failure(error, request_locale(request), form, ACCEPT_FIELDS)
        session.rollback()
        return _page(request, token, _open(session, token), state)
    return see_other(request, "/login", flash=WELCOME)
