"""Server-rendered pages: one Jinja2 environment, per-request translations, and the
one-line notices ("flash") that a post/redirect/get leaves for the next page."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from qudao.accounts.subject import ANONYMOUS, AuthSubject
from qudao.core.i18n import LANGUAGE_NAMES, LOCALES, Translator
from qudao.http.locale import request_locale

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [PACKAGE / "web" / "templates", PACKAGE / "portal" / "templates"]
ANON_CSRF_COOKIE = "qudao_csrf"
FLASH_COOKIE = "qudao_flash"

environment = Environment(
    loader=FileSystemLoader([str(d) for d in TEMPLATE_DIRS]),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

# The cookie names a registered notice, never carries text: a forged cookie can at most
# show one of our own messages.
_notices: dict[str, str] = {}


def notice(key: str, message: str) -> str:
    """Register a notice (an ``N_`` message) under a key; returns the key."""
    _notices[key] = message
    return key


def see_other(request: Request, url: str, *, flash: str | None = None) -> RedirectResponse:
    """The redirect after a successful POST, optionally leaving a notice for the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash is not None:
        if flash not in _notices:
            raise KeyError(f"unregistered notice {flash!r}")
        response.set_cookie(FLASH_COOKIE, flash, max_age=120, httponly=True, samesite="lax",
                            secure=request.app.state.settings.is_production, path="/")
    return response


def layout_for(subject: AuthSubject) -> str:
    """The page frame of the reader: the portal's for partner users, the staff app's for staff."""
    if subject.is_partner and not subject.is_staff:
        return "portal/base.html"
    if subject.is_staff:
        return "staff_base.html"
    return "base.html"


def csrf_token(request: Request) -> str:
    """The token forms must send back: the session's, or before sign-in a cookie's."""
    subject = request.scope.get("state", {}).get("subject")
    if isinstance(subject, AuthSubject) and subject.csrf_token:
        return subject.csrf_token
    token = request.cookies.get(ANON_CSRF_COOKIE) or request.scope["state"].get("new_csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.scope["state"]["new_csrf"] = token
    return str(token)


def csrf_valid(request: Request, sent: str | None) -> bool:
    expected = csrf_token(request)
    return bool(sent) and hmac.compare_digest(str(sent), expected)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    locale = request_locale(request)
    translator = Translator(locale)
    subject = request.scope.get("state", {}).get("subject") or ANONYMOUS
    flash_key = request.cookies.get(FLASH_COOKIE)
    flash = _notices.get(flash_key) if flash_key else None
    values = {
        "request": request,
        "locale": locale,
        "locales": LOCALES,
        "language_names": LANGUAGE_NAMES,
        "t": translator,
        "_": translator.gettext,
        "gettext": translator.gettext,
        "ngettext": translator.ngettext,
        "subject": subject,
        "layout": layout_for(subject),
        "csrf_token": csrf_token(request),
        "path": request.url.path,
        "flash": translator.gettext(flash) if flash else None,
    }
    values.update(context or {})
    html = environment.get_template(name).render(values)
    response = HTMLResponse(html, status_code=status)
    settings = request.app.state.settings
    new_token = request.scope["state"].get("new_csrf")
    if new_token:
        response.set_cookie(ANON_CSRF_COOKIE, new_token, httponly=True, samesite="lax",
                            secure=settings.is_production, path="/")
    if flash_key:
        response.delete_cookie(FLASH_COOKIE, path="/", secure=settings.is_production,
                               httponly=True, samesite="lax")
    return response
