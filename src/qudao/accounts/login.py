"""Signing in and out, and server-side sessions with idle and absolute timeouts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qudao.accounts import repository
from qudao.accounts.models import User, UserSession
from qudao.accounts.passwords import HASHER, needs_rehash, verify_password
from qudao.accounts.throttle import MAX_DELAY, throttle
from qudao.accounts.tokens import session_token, sha256
from qudao.audit import service as audit
from qudao.core import clock
from qudao.core.config import Settings
from qudao.core.context import get_context
from qudao.core.errors import TooManyRequests, Unauthorized
from qudao.core.i18n import N_

TOUCH_EVERY = timedelta(minutes=1)
# Far enough to mean "until an administrator sets a new password".
HARD_LOCK = timedelta(days=3650)
WRONG_LOGIN = N_("The e-mail or the password is not correct.")
THROTTLED = N_("Too many failed sign-ins. Wait %(seconds)s seconds, then try again.")


@dataclass(frozen=True)
class LoginSuccess:
    user: User
    token: str
    user_session: UserSession


def attempt_login(
    session: Session, settings: Settings, *, email: str, password: str, ip: str | None,
    user_agent: str | None,
) -> LoginSuccess:
    """Sign in, or raise. Failure counters are written even though the caller fails:
    the boundary commits a failed login's bookkeeping (see ``commit_on_error``)."""
    email = repository.normalize_email(email)
    wait = throttle.retry_after(email, ip)
    user = repository.user_by_email(session, email)
    now = clock.now()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        # A locked account answers like a throttled one, so that it reveals nothing more.
        wait = max(wait, min(int((user.locked_until - now).total_seconds()) + 1,
                             int(MAX_DELAY.total_seconds())))
    if wait:
        raise TooManyRequests(THROTTLED, retry_after=wait, seconds=wait)
    usable = user is not None and user.is_active and user.password_hash is not None
    if not verify_password(user.password_hash if usable and user else None, password):
        throttle.failed(email, ip)
        if user is not None:
            _count_failure(session, settings, user)
        raise Unauthorized(WRONG_LOGIN)
    assert user is not None
    assert user.password_hash is not None
    throttle.succeeded(email)
    if needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    token, user_session = _open_session(session, settings, user, ip, user_agent)
    context = get_context(session)
    context.actor_type, context.actor_id, context.actor_label = "user", str(user.id), user.email
    audit.record(session, action="user.login", target_type="user", target_id=user.id,
                 partner_id=user.partner_id)
    return LoginSuccess(user=user, token=token, user_session=user_session)


def _count_failure(session: Session, settings: Settings, user: User) -> None:
    user.failed_logins += 1
    if user.failed_logins >= settings.login_failures_before_lock:
        user.locked_until = clock.now() + HARD_LOCK
    session.flush()
    audit.record(session, action="user.login_failed", target_type="user", target_id=user.id,
                 partner_id=user.partner_id, result="failed",
                 reason=f"consecutive failures: {user.failed_logins}")


def _open_session(
    session: Session, settings: Settings, user: User, ip: str | None, user_agent: str | None
) -> tuple[str, UserSession]:
    token = session_token()
    now = clock.now()
    user_session = UserSession(
        id=sha256(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_absolute_hours),
        ip=ip,
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(user_session)
    session.flush()
    return token, user_session


def load_session(session: Session, settings: Settings, token: str) -> UserSession | None:
    """The live session behind a cookie, or None when it ended, expired or sat idle."""
    if not token or len(token) > 128:
        return None
    found = session.scalar(select(UserSession).where(UserSession.id == sha256(token)))
    if found is None or found.ended_at is not None:
        return None
    now = clock.now()
    idle_limit = found.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if now >= found.expires_at or now >= idle_limit or not found.user.is_active:
        return None
    return found


def session_needs_touch(found: UserSession) -> bool:
    """The idle clock is moved at minute precision, not on every request."""
    return clock.now() - found.last_seen_at >= TOUCH_EVERY


def touch_session(session: Session, session_id: str) -> None:
    session.execute(update(UserSession).where(UserSession.id == session_id)
                    .values(last_seen_at=clock.now()))


def end_session(session: Session, user_session: UserSession) -> None:
    if user_session.ended_at is None:
        user_session.ended_at = clock.now()
        session.flush()
        audit.record(session, action="user.logout", target_type="user",
                     target_id=user_session.user_id, partner_id=user_session.user.partner_id)
