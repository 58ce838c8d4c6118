"""The partner API's key check, kept lean because every call pays for it: the format and
checksum offline, then one indexed lookup of the key's digest through the driver, with the
statement compiled once. Revocation still takes effect on the very next request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, bindparam, select

from qudao.accounts import api_keys, tokens
from qudao.accounts.models import ApiKey
from qudao.accounts.roles import Role
from qudao.accounts.subject import AuthSubject
from qudao.core import clock
from qudao.core.errors import Forbidden, Unauthorized
from qudao.core.i18n import N_
from qudao.http.auth import ACCESS_MARK, parse_bearer
from qudao.http.uow import UOW_KEY

_KEY = ApiKey.__table__.c
KEY_LOOKUP = select(_KEY.id, _KEY.partner_id, _KEY.read_only, _KEY.revoked_at, _KEY.expires_at,
                    _KEY.last_used_at).where(_KEY.digest == bindparam("digest"))


def _moment(value: Any) -> datetime | None:
    """SQLite gives timestamps back as text, PostgreSQL as aware datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    assert isinstance(value, datetime)
    return clock.as_utc(value)


class KeyLookup:
    """One pooled connection, one prepared statement, no ORM: about a tenth of a millisecond."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        compiled = KEY_LOOKUP.compile(dialect=engine.dialect)
        self.sql = str(compiled)
        self.positional = compiled.positional

    def find(self, digest: str) -> tuple[Any, ...] | None:
        params: Any = (digest,) if self.positional else {"digest": digest}
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
            cursor.close()
        finally:
            connection.close()
        return None if row is None else tuple(row)


def authenticate(lookup: KeyLookup, secret_key: str,
                 authorization: str | None) -> tuple[AuthSubject, datetime | None]:
    """The partner behind an ``Authorization`` header, and when its key was last used; raises
    401 or 403 otherwise. No side effect: the caller decides whether to record the use."""
    token = parse_bearer(authorization)
    if token is None:
        raise Unauthorized(N_("Send your API key as 'Authorization: Bearer <key>'."))
    if not tokens.well_formed(token):
        raise Unauthorized(api_keys.INVALID_KEY)
    row = lookup.find(tokens.digest(secret_key, token))
    if row is None:
        raise Unauthorized(api_keys.INVALID_KEY)
    key_id, partner_id, read_only = row[0], row[1], bool(row[2])
    revoked_at, expires_at, last_used_at = (_moment(v) for v in row[3:6])
    now = clock.now()
    if (revoked_at is not None and revoked_at <= now) or (expires_at is not None
                                                         and now >= expires_at):
        raise Unauthorized(api_keys.INVALID_KEY)
    if partner_id is None:
        raise Forbidden(N_("This endpoint is for partner keys; a staff key cannot call it."))
    subject = AuthSubject(kind="api_key", role=Role.PARTNER_MEMBER, partner_id=partner_id,
                          api_key_id=key_id, read_only=read_only, label=f"key {key_id}")
    return subject, last_used_at


async def partner_key(request: Request) -> AuthSubject:
    state = request.app.state
    subject, last_used_at = authenticate(state.key_lookup, state.settings.secret_key,
                                         request.headers.get("authorization"))
    key_id = subject.api_key_id
    assert key_id is not None
    if api_keys.needs_touch(key_id, last_used_at):
        request.scope["state"][UOW_KEY].defer_write(lambda s: api_keys.touch(s, key_id))
    request.scope["state"]["subject"] = subject
    return subject


setattr(partner_key, ACCESS_MARK, ("partner", "key"))
PartnerKey = Annotated[AuthSubject, Depends(partner_key)]
