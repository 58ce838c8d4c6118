"""API keys: issue, rotate, revoke, and authenticate a Bearer token.

The plaintext is returned once, at issue or rotation; the database keeps only an
HMAC-SHA256 digest under the server secret, a display prefix and the last four characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qudao.accounts import repository, tokens
from qudao.accounts.models import ApiKey
from qudao.accounts.policy import require_people_manager, require_writer
from qudao.accounts.roles import Role
from qudao.accounts.schemas import ApiKeyCreate
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.audit.snapshot import changes, snapshot
from qudao.core import clock
from qudao.core.config import Settings
from qudao.core.errors import Conflict, Forbidden, Unauthorized, Unprocessable
from qudao.core.i18n import N_
from qudao.db import key_changes
from qudao.partners import repository as partners

LAST_USED_PRECISION = timedelta(minutes=1)
INVALID_KEY = N_("The API key is missing, malformed, revoked or expired.")


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    plaintext: str


def _refuse_key_callers(subject: AuthSubject) -> None:
    if subject.kind == "api_key":
        raise Forbidden(N_("API keys cannot manage API keys; sign in as a person."))


def issue_key(
    session: Session, settings: Settings, subject: AuthSubject, data: ApiKeyCreate
) -> IssuedKey:
    _refuse_key_callers(subject)
    partner_id = data.partner_id
    if subject.is_partner and not subject.is_staff:
        partner_id = subject.partner_id if partner_id is None else partner_id
    require_people_manager(subject, partner_id)
    require_writer(subject)
    if partner_id is not None:
        partners.get(session, subject, partner_id)
    now = clock.now()
    if data.expires_at is not None and clock.as_utc(data.expires_at) <= now:
        raise Unprocessable(N_("The expiry date must lie in the future."), field="expires_at")
    plaintext = tokens.generate("pk" if partner_id is not None else "sk")
    key = ApiKey(
        name=data.name.strip(),
        partner_id=partner_id,
        user_id=None if partner_id is not None else subject.user_id,
        digest=tokens.digest(settings.secret_key, plaintext),
        display_prefix=tokens.display_prefix(plaintext),
        last4=plaintext[-4:],
        read_only=data.read_only,
        created_at=now,
        created_by_id=subject.user_id,
        expires_at=None if data.expires_at is None else clock.as_utc(data.expires_at),
    )
    if key.user_id is None and key.partner_id is None:
        raise Unprocessable(N_("A staff key must be issued by a signed-in staff user."))
    session.add(key)
    session.flush()
    audit.record(session, action="api_key.create", target_type="api_key", target_id=key.id,
                 partner_id=partner_id, after=snapshot(key))
    return IssuedKey(key=key, plaintext=plaintext)


def rotate_key(
    session: Session, settings: Settings, subject: AuthSubject, key_id: int,
    overlap: timedelta | None = None,
) -> IssuedKey:
    """A new key now; the old one keeps working for the overlap, then stops."""
    # The scoped lookup comes first: another partner's key id answers 404, never 403.
    old = repository.get_key(session, subject, key_id)
    _refuse_key_callers(subject)
    require_people_manager(subject, old.partner_id)
    require_writer(subject)
    now = clock.now()
    if not old.is_usable(now):
        raise Conflict(N_("API key %(id)s is already revoked or expired."), id=key_id)
    if overlap is None:
        overlap = timedelta(hours=settings.key_rotation_overlap_hours)
    if overlap > timedelta(days=7):
        raise Unprocessable(N_("A rotated key may keep working for 7 days at most."),
                            field="overlap_hours")
    plaintext = tokens.generate(tokens.kind_of(old.display_prefix))
    new = ApiKey(
        name=old.name, partner_id=old.partner_id, user_id=old.user_id,
        digest=tokens.digest(settings.secret_key, plaintext),
        display_prefix=tokens.display_prefix(plaintext), last4=plaintext[-4:],
        read_only=old.read_only, created_at=now, created_by_id=subject.user_id,
        expires_at=old.expires_at, rotated_from_id=old.id,
    )
    before = snapshot(old)
    ends = now + overlap
    old.expires_at = ends if old.expires_at is None else min(old.expires_at, ends)
    session.add(new)
    session.flush()
    old_diff, new_diff = changes(before, snapshot(old))
    audit.record(session, action="api_key.rotate", target_type="api_key", target_id=old.id,
                 partner_id=old.partner_id, before=old_diff, after=new_diff)
    audit.record(session, action="api_key.create", target_type="api_key", target_id=new.id,
                 partner_id=new.partner_id, after=snapshot(new))
    return IssuedKey(key=new, plaintext=plaintext)


def revoke_key(session: Session, subject: AuthSubject, key_id: int) -> ApiKey:
    # The scoped lookup comes first: another partner's key id answers 404, never 403.
    key = repository.get_key(session, subject, key_id)
    _refuse_key_callers(subject)
    require_people_manager(subject, key.partner_id)
    require_writer(subject)
    if key.revoked_at is not None:
        return key
    before = snapshot(key)
    key.revoked_at = clock.now()
    session.flush()
    old, new = changes(before, snapshot(key))
    audit.record(session, action="api_key.revoke", target_type="api_key", target_id=key.id,
                 partner_id=key.partner_id, before=old, after=new)
    return key


def authenticate(session: Session, settings: Settings, token: str) -> ApiKey:
    """The key behind a Bearer token: one indexed lookup, after an offline format check."""
    if not tokens.well_formed(token):
        raise Unauthorized(INVALID_KEY)
    key = session.scalar(
        select(ApiKey).where(ApiKey.digest == tokens.digest(settings.secret_key, token))
    )
    now = clock.now()
    if key is None or not key.is_usable(now):
        raise Unauthorized(INVALID_KEY)
    if key.user is not None and not key.user.is_active:
        raise Unauthorized(INVALID_KEY)
    return key


_touched: dict[int, datetime] = {}


def needs_touch(key_id: int, last_used_at: datetime | None,
                now: datetime | None = None) -> bool:
    """Use is recorded at minute precision, so that a busy key does not write on every call.
    The process remembers its own recent writes: the calls racing the first write do not
    each write again."""
    if now is None:
        now = clock.now()
    seen = _touched.get(key_id)
    if seen is None or (last_used_at is not None and last_used_at > seen):
        seen = last_used_at
    if seen is not None and now - seen < LAST_USED_PRECISION:
        return False
    if len(_touched) > 100_000:
        _touched.clear()
    _touched[key_id] = now
    return True


def forget_touches() -> None:
    _touched.clear()


def touch(session: Session, key_id: int) -> None:
    # Bookkeeping only: the servers' caches of what keys may do stay as they are.
    session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=clock.now())
                    .execution_options(**{key_changes.BOOKKEEPING: True}))


def subject_for_key(key: ApiKey) -> AuthSubject:
    if key.partner_id is not None:
        role: Role | None = Role.PARTNER_MEMBER
        label = f"key {key.display_prefix}…{key.last4}"
    else:
        assert key.user is not None
        role = key.user.role
        label = f"key {key.display_prefix}…{key.last4} ({key.user.email})"
    return AuthSubject(kind="api_key", role=role, user_id=key.user_id,
                       partner_id=key.partner_id, api_key_id=key.id,
                       read_only=key.read_only or role is Role.ANALYST, label=label)
