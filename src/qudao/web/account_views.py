"""The signed-in person's own account, for staff and partner users alike: details,
language, password."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from qudao.accounts import repository as accounts
from qudao.accounts import service
from qudao.accounts.subject import AuthSubject
from qudao.core.errors import QudaoError
from qudao.core.i18n import LOCALES, N_, coerce_locale
from qudao.http.auth import DbSession, PageUser, settings_of
from qudao.http.forms import checked_form
from qudao.http.locale import LANGUAGE_COOKIE, request_locale
from qudao.http.templates import notice, render, see_other
from qudao.web.forms import BAD_CHOICE, FormInvalid, FormState, failure, invalid, secret

router = APIRouter(include_in_schema=False)
PASSWORD_FIELDS = ("current_password", "password", "password_confirm")
LANGUAGE_SAVED = notice("account.language", N_("Your language was saved."))
PASSWORD_SAVED = notice("account.password", N_("Your password was changed."))
PASSWORDS_DIFFER = N_("The two new passwords are not the same.")


def _page(
    request: Request, session: Session, subject: AuthSubject, *,
    language: FormState | None = None, password: FormState | None = None,
) -> Response:
    assert subject.user_id is not None
    user = accounts.get_user(session, subject, subject.user_id)
    status = max((f.status for f in (language, password) if f is not None), default=200)
    return render(request, "account.html", {
        "user": user, "language_form": language or FormState(),
        "password_form": password or FormState(),
    }, status=status)


@router.get("/account")
def account(request: Request, subject: PageUser, session: DbSession) -> Response:
    return _page(request, session, subject)


@router.post("/account/language")
async def save_language(request: Request, subject: PageUser, session: DbSession) -> Response:
    form = await checked_form(request)
    value = form.get("locale")
    chosen = coerce_locale(value if isinstance(value, str) else None)
    if chosen is None or chosen not in LOCALES:
        state = failure(FormInvalid("locale", BAD_CHOICE), request_locale(request), form,
                        ("locale",))
        return _page(request, session, subject, language=state)
    service.set_locale(session, subject, chosen)
    response = see_other(request, "/account", flash=LANGUAGE_SAVED)
    # The cookie keeps the choice on the sign-in page after signing out.
    response.set_cookie(LANGUAGE_COOKIE, chosen, samesite="lax", path="/",
                        max_age=365 * 24 * 3600, secure=settings_of(request).is_production)
    return response


@router.post("/account/password")
async def change_password(request: Request, subject: PageUser, session: DbSession) -> Response:
    form = await checked_form(request)
    current = secret(form, "current_password") or ""
    new = secret(form, "password") or ""
    try:
        if new != (secret(form, "password_confirm") or ""):
            raise invalid("password_confirm", PASSWORDS_DIFFER)
        service.change_password(session, subject, current=current, new=new)
    except QudaoError as error:
        state = failure(error, request_locale(request), form, PASSWORD_FIELDS)
        return _page(request, session, subject, password=state)
    return see_other(request, "/account", flash=PASSWORD_SAVED)
