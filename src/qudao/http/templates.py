"""Server-rendered pages: one Jinja2 environment, per-request translations."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from qudao.accounts.subject import ANONYMOUS, AuthSubject
from qudao.core.i18n import LANGUAGE_NAMES, LOCALES, Translator
from qudao.http.locale import request_locale

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [PACKAGE / "web" / "templates", PACKAGE / "portal" / "templates"]
ANON_CSRF_COOKIE = "qudao_csrf"

environment = Environment(
    loader=FileSystemLoader([str(d) for d in TEMPLATE_DIRS]),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


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
        "csrf_token": csrf_token(request),
        "path": request.url.path,
    }
    values.update(context or {})
    html = environment.get_template(name).render(values)
    response = HTMLResponse(html, status_code=status)
    new_token = request.scope["state"].get("new_csrf")
    if new_token:
        response.set_cookie(ANON_CSRF_COOKIE, new_token, httponly=True, samesite="lax",
                            secure=request.app.state.settings.is_production, path="/")
    return response
