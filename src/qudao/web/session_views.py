"""Signing in and out, and the language switch: shared by staff and partner users."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from qudao.accounts import service
from qudao.accounts.login import attempt_login, end_session, load_session
from qudao.core.errors import QudaoError, TooManyRequests
from qudao.core.i18n import coerce_locale
from qudao.http.auth import DbSession, PagePublic, session_cookie_name, settings_of, uow_of
from qudao.http.forms import checked_form, text
from qudao.http.locale import LANGUAGE_COOKIE, request_locale
from qudao.http.templates import render

router = APIRouter(include_in_schema=False)


def home_for(subject_is_partner: bool) -> str:
    return "/portal" if subject_is_partner else "/"


def safe_next(value: str) -> str | None:
    """Only a path on this site: never an open redirect."""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


@router.get("/login")
def login_page(request: Request, subject: PagePublic) -> Response:
    if subject.is_authenticated:
        return RedirectResponse(home_for(subject.is_partner), status_code=303)
    return render(request, "login.html", {"next": request.query_params.get("next", "")})


@router.post("/login")
async def login(request: Request, subject: PagePublic, session: DbSession) -> Response:
    form = await checked_form(request)
    settings = settings_of(request)
    email, password = text(form, "email", 320), text(form, "password", 1024)
    uow = uow_of(request)
    # Failed attempts must be counted even though the response is an error.
    uow.commit_on_error = True
    context = uow.context
    try:
        success = attempt_login(session, settings, email=email, password=password,
                                ip=context.ip, user_agent=context.user_agent)
    except QudaoError as error:
        headers = {"Retry-After": str(error.retry_after)} if isinstance(
            error, TooManyRequests) else {}
        page = render(request, "login.html", {
            "error": error.render(request_locale(request)), "email": email,
            "next": text(form, "next"),
        }, status=error.status)
        page.headers.update(headers)
        return page
    cookie_name = session_cookie_name(settings)
    old = request.cookies.get(cookie_name)
    if old and (previous := load_session(session, settings, old)) is not None:
        end_session(session, previous)
    target = safe_next(text(form, "next")) or home_for(success.user.partner_id is not None)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(cookie_name, success.token, httponly=True, samesite="lax", path="/",
                        secure=settings.is_production,
                        max_age=settings.session_absolute_hours * 3600)
    if success.user.locale is None and (chosen := coerce_locale(
            request.cookies.get(LANGUAGE_COOKIE))):
        success.user.locale = chosen
    return response


@router.post("/logout")
async def logout(request: Request, subject: PagePublic, session: DbSession) -> Response:
    await checked_form(request)
    settings = settings_of(request)
    cookie_name = session_cookie_name(settings)
    token = request.cookies.get(cookie_name)
    if token and (found := load_session(session, settings, token)) is not None:
        end_session(session, found)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(cookie_name, path="/", secure=settings.is_production, httponly=True)
    return response


@router.post("/language")
async def switch_language(request: Request, subject: PagePublic, session: DbSession) -> Response:
    form = await checked_form(request)
    locale = coerce_locale(text(form, "locale")) or request_locale(request)
    if subject.user_id is not None:
        service.set_locale(session, subject, locale)
    back = safe_next(text(form, "next")) or home_for(subject.is_partner)
    response = RedirectResponse(back, status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, locale, samesite="lax", path="/",
                        max_age=365 * 24 * 3600, secure=settings_of(request).is_production)
    return response
