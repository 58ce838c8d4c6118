"""The partner API's key check, kept lean because every call pays for it.

What a key may do is looked up once (one indexed lookup of its keyed digest, through the
driver, with the statement compiled once) and then remembered by the server worker for a
short while (``api_key_cache_seconds``), so that a call usually costs no database round trip.
Revocation still takes effect on the very next request, in every worker: each commit that
changes a key, its partner or its user moves a counter that all workers on the machine read
on every call (qudao.db.key_changes), and a worker that sees it move forgets every key."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
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
from qudao.db.key_changes import KeyChanges
from qudao.http.auth import ACCESS_MARK, parse_bearer
from qudao.http.uow import UOW_KEY

_KEY = ApiKey.__table__.c
KEY_LOOKUP = select(_KEY.id, _KEY.partner_id, _KEY.read_only, _KEY.revoked_at, _KEY.expires_at,
                    _KEY.last_used_at).where(_KEY.digest == bindparam("digest"))
# Past this many remembered keys a worker starts over: the cache stays small whatever comes.
MAX_KEYS = 10_000


def _moment(value: Any) -> datetime | None:
    """SQLite gives timestamps back as text, PostgreSQL as aware datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    assert isinstance(value, datetime)
    return clock.as_utc(value)


@dataclass(frozen=True, slots=True)
class KeyFacts:
    """What a key may do, as read from its row; ``subject`` is None for a staff key."""

    key_id: int
    revoked_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None
    subject: AuthSubject | None

    def usable(self, now: datetime) -> bool:
        if self.revoked_at is not None and self.revoked_at <= now:
            return False
        return self.expires_at is None or now < self.expires_at

    @classmethod
    def of_row(cls, row: tuple[Any, ...]) -> KeyFacts:
        key_id, partner_id, read_only = int(row[0]), row[1], bool(row[2])
        subject = None if partner_id is None else AuthSubject(
            kind="api_key", role=Role.PARTNER_MEMBER, partner_id=int(partner_id),
            api_key_id=key_id, read_only=read_only, label=f"key {key_id}")
        return cls(key_id=key_id, revoked_at=_moment(row[3]), expires_at=_moment(row[4]),
                   last_used_at=_moment(row[5]), subject=subject)


class KeyLookup:
    """Finds a Bearer token's key: from memory while the counter of key changes stands still
    and the entry is younger than ``seconds``, else with one indexed lookup (about a tenth of
    a millisecond). ``changes=None`` or ``seconds=0`` looks every call up."""

    def __init__(self, engine: Engine, secret_key: str, *, changes: KeyChanges | None = None,
                 seconds: float = 0.0) -> None:
        self.engine = engine
        self._mac = hmac.new(secret_key.encode(), digestmod=hashlib.sha256)
        compiled = KEY_LOOKUP.compile(dialect=engine.dialect)
        self.sql = str(compiled)
        self.positional = compiled.positional
        self.changes = changes if seconds > 0 else None
        self.seconds = seconds
        self._lock = threading.Lock()
        self._generation = -1
        # Authorization header -> (monotonic deadline, facts)
        self._known: dict[str, tuple[float, KeyFacts]] = {}

    def digest(self, token: str) -> str:
        """``tokens.digest``, from a copy of the keyed state made once: a third of the time."""
        mac = self._mac.copy()
        mac.update(token.encode())
        return mac.hexdigest()

    def remembered(self, authorization: str) -> KeyFacts | None:
        """What this worker learnt from this very ``Authorization`` header, while the counter
        of key changes stands still and the entry is young enough; None otherwise. Keys are
        remembered by the header itself, in this worker's memory only, so that a repeat call
        costs neither parsing nor hashing."""
        changes = self.changes
        if changes is None:
            return None
        if changes.value() != self._generation:
            return None
        found = self._known.get(authorization)
        if found is not None and time.monotonic() < found[0]:
            return found[1]
        return None

    def find(self, token: str, authorization: str | None = None) -> KeyFacts | None:
        """The key behind a token, looked up; None for a malformed or unknown one (never
        remembered: a key issued a moment ago must work at once). A key found is remembered
        under ``authorization``, the header it came in."""
        changes = self.changes
        if changes is None or authorization is None:
            return self._read(token)
        # The counter is read before the database: a change committed after this read moves
        # it, and the next call drops what this one learns.
        generation = changes.value()
        known = self._known
        if generation != self._generation:
            with self._lock:
                known = self._known = {}
                self._generation = generation
        facts = self._read(token)
        if facts is not None:
            if len(known) >= MAX_KEYS:
                known.clear()
            known[authorization] = (time.monotonic() + self.seconds, facts)
        return facts

    def forget(self) -> None:
        with self._lock:
            self._known = {}

    def _read(self, token: str) -> KeyFacts | None:
        if not tokens.well_formed(token):
            return None
        row = self._query(self.digest(token))
        return None if row is None else KeyFacts.of_row(row)

    def _query(self, digest: str) -> tuple[Any, ...] | None:
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


def authenticate(lookup: KeyLookup, authorization: str | None,
                 now: datetime | None = None) -> KeyFacts:
    """The partner key behind an ``Authorization`` header; raises 401 or 403 otherwise. No
    side effect: the caller decides whether to record the use."""
    facts = None if authorization is None else lookup.remembered(authorization)
    if facts is None:
        token = parse_bearer(authorization)
        if token is None:
            raise Unauthorized(N_("Send your API key as 'Authorization: Bearer <key>'."))
        facts = lookup.find(token, authorization)
    if facts is None or not facts.usable(clock.now() if now is None else now):
        raise Unauthorized(api_keys.INVALID_KEY)
    if facts.subject is None:
        raise Forbidden(N_("This endpoint is for partner keys; a staff key cannot call it."))
    return facts


async def partner_key(request: Request) -> AuthSubject:
    state = request.app.state
    facts = authenticate(state.key_lookup, request.headers.get("authorization"))
    subject = facts.subject
    assert subject is not None
    key_id = facts.key_id
    if api_keys.needs_touch(key_id, facts.last_used_at):
        request.scope["state"][UOW_KEY].defer_write(lambda s: api_keys.touch(s, key_id))
    request.scope["state"]["subject"] = subject
    return subject


setattr(partner_key, ACCESS_MARK, ("partner", "key"))
PartnerKey = Annotated[AuthSubject, Depends(partner_key)]
