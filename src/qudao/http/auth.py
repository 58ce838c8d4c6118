"""Who is calling, and the access declaration every route must carry (deny by default).

A route declares its audience with one of the ``Annotated`` aliases at the bottom of this
module; a test walks every route and fails on one without a declaration.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from qudao.accounts import api_keys
from qudao.accounts.login import load_session, session_needs_touch, touch_session
from qudao.accounts.policy import require_writer
from qudao.accounts.service import subject_for_user
from qudao.accounts.subject import ANONYMOUS, AuthSubject
from qudao.core.config import Settings
from qudao.core.errors import Forbidden, Unauthorized
from qudao.core.i18n import N_
from qudao.http.locale import request_locale
from qudao.http.uow import SAFE_METHODS, UOW_KEY, RequestUnitOfWork

Audience = Literal["public", "user", "staff", "staff_writer", "admin", "partner", "writer"]
Credentials = Literal["session", "key", "any"]
ACCESS_MARK = "__qudao_access__"
SESSION_COOKIE = "qudao_session"
SECURE_SESSION_COOKIE = "__Host-qudao_session"
CSRF_HEADER = "x-csrf-token"


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def uow_of(request: Request) -> RequestUnitOfWork:
    uow: RequestUnitOfWork = request.scope["state"][UOW_KEY]
    return uow


def db_session(request: Request) -> Session:
    return uow_of(request).session


def session_cookie_name(settings: Settings) -> str:
    return SECURE_SESSION_COOKIE if settings.is_production else SESSION_COOKIE


def bearer_token(request: Request) -> str | None:
    return parse_bearer(request.headers.get("authorization"))


def parse_bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header; None without the header."""
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(api_keys.INVALID_KEY)
    return token.strip()


def resolve_subject(request: Request, credentials: Credentials) -> AuthSubject:
    """The caller, resolved once per request and kept on the request."""
    cached = request.scope["state"].get("subject")
    if isinstance(cached, AuthSubject):
        return cached
    settings = settings_of(request)
    uow = uow_of(request)
    subject = ANONYMOUS
    token = bearer_token(request) if credentials in ("key", "any") else None
    if token is not None:
        key = api_keys.authenticate(uow.session, settings, token)
        subject = api_keys.subject_for_key(key)
        if api_keys.needs_touch(key.id, key.last_used_at):
            key_id = key.id
            uow.defer_write(lambda s: api_keys.touch(s, key_id))
    elif credentials in ("session", "any"):
        cookie = request.cookies.get(session_cookie_name(settings))
        found = load_session(uow.session, settings, cookie) if cookie else None
        if found is not None:
            subject = subject_for_user(found.user, session_id=found.id,
                                       csrf_token=found.csrf_token)
            request.scope["state"]["user_locale"] = found.user.locale
            if session_needs_touch(found):
                session_id = found.id
                uow.defer_write(lambda s: touch_session(s, session_id))
    actor_type, actor_id = subject.audit_actor
    context = uow.context
    context.locale = request_locale(request)
    context.actor_type, context.actor_id, context.actor_label = actor_type, actor_id, subject.label
    request.scope["state"]["subject"] = subject
    return subject


def check_csrf_header(request: Request, subject: AuthSubject) -> None:
    """A cookie-authenticated JSON write must echo the session's CSRF token in a header."""
    if request.method in SAFE_METHODS or subject.session_id is None:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not subject.csrf_token or not hmac.compare_digest(sent, subject.csrf_token):
        raise Forbidden(N_("This request is missing its security token. Reload the page and "
                           "try again."))


def _allowed(subject: AuthSubject, audience: Audience) -> bool:
    match audience:
        case "public":
            return True
        case "user":
            return subject.is_authenticated
        case "staff":
            return subject.is_staff
        case "staff_writer":
            return subject.is_staff and subject.can_write
        case "admin":
            return subject.is_admin
        case "partner":
            return subject.is_partner and not subject.is_staff
        case "writer":
            return subject.is_authenticated and subject.can_write


def access(audience: Audience, credentials: Credentials = "any") -> Callable[..., AuthSubject]:
    """A dependency that resolves the caller and refuses everyone outside the audience."""

    def dependency(request: Request) -> AuthSubject:
        subject = resolve_subject(request, credentials)
        if audience != "public" and not subject.is_authenticated:
            raise Unauthorized(N_("Sign in, or send an API key as 'Authorization: Bearer …'."))
        if not _allowed(subject, audience):
            raise Forbidden(N_("Your account is not allowed to do this."))
        if subject.kind == "api_key" and request.method not in SAFE_METHODS:
            # A read-only key changes nothing, even where a service forgets to check.
            require_writer(subject)
        if credentials != "session":
            check_csrf_header(request, subject)
        return subject

    setattr(dependency, ACCESS_MARK, (audience, credentials))
    dependency.__name__ = f"access_{audience}_{credentials}"
    return dependency


DbSession = Annotated[Session, Depends(db_session)]
AppSettings = Annotated[Settings, Depends(settings_of)]
Public = Annotated[AuthSubject, Depends(access("public"))]
AnyUser = Annotated[AuthSubject, Depends(access("user"))]
Staff = Annotated[AuthSubject, Depends(access("staff"))]
StaffWriter = Annotated[AuthSubject, Depends(access("staff_writer"))]
Admin = Annotated[AuthSubject, Depends(access("admin"))]
Writer = Annotated[AuthSubject, Depends(access("writer"))]
# Pages authenticate with the session cookie only; their forms carry a CSRF field.
PagePublic = Annotated[AuthSubject, Depends(access("public", "session"))]
PageUser = Annotated[AuthSubject, Depends(access("user", "session"))]
PageStaff = Annotated[AuthSubject, Depends(access("staff", "session"))]
PagePartner = Annotated[AuthSubject, Depends(access("partner", "session"))]
PageAdmin = Annotated[AuthSubject, Depends(access("admin", "session"))]
