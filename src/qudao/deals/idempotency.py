"""``Idempotency-Key`` on creating requests: the first answer is kept and replayed.

The same key with the same body gives back the stored status and body; the same key with
another body is refused (422). Keys belong to their caller ("key:<api key id>",
"user:<user id>"), so two callers never collide. The record is inserted before the work is
done, in the request's transaction: a second request with the same key waits on the unique
(scope, key) until the first one ends, then replays its answer. Records are kept 24 hours;
after that the key is new again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core import clock
from qudao.core.errors import Conflict, Unprocessable
from qudao.core.i18n import N_
from qudao.deals.models import IdempotencyRecord

RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 255
IN_FLIGHT = 0
REPLAYED_HEADER = "Idempotent-Replayed"
OTHER_BODY = N_("This Idempotency-Key was already used with a different request. Use a new "
                "key for a new request.")
STILL_RUNNING = N_("A request with this Idempotency-Key is still being processed. Try again "
                   "in a moment.")
BAD_KEY = N_("An Idempotency-Key has 1 to 255 visible characters.")


@dataclass(frozen=True, slots=True)
class Replay:
    status: int
    body: str


def scope_of(subject: AuthSubject) -> str:
    if subject.api_key_id is not None:
        return f"key:{subject.api_key_id}"
    if subject.user_id is not None:
        return f"user:{subject.user_id}"
    return f"{subject.kind}:{subject.label}"[:80]


def request_hash(target: str, payload: Mapping[str, object]) -> str:
    """SHA-256 of the request's target and its body as canonical JSON (sorted keys, no
    spaces): the same body sent with other spacing or key order is the same request."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           default=str)
    return hashlib.sha256(f"{target}\n{canonical}".encode()).hexdigest()


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable() or key != key.strip():
        raise Unprocessable(BAD_KEY, field="Idempotency-Key")
    return key


def _answer(record: IdempotencyRecord, digest: str) -> Replay:
    if record.request_hash != digest:
        raise Unprocessable(OTHER_BODY, field="Idempotency-Key")
    if record.status_code == IN_FLIGHT:
        raise Conflict(STILL_RUNNING, field="Idempotency-Key")
    return Replay(record.status_code, record.response_body)


def _stored(session: Session, scope: str, key: str) -> IdempotencyRecord | None:
    return session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
        .execution_options(populate_existing=True))


def begin(session: Session, scope: str, key: str, digest: str) -> IdempotencyRecord | Replay:
    """The stored answer to replay, or a new record for the answer about to be made."""
    key = check_key(key)
    now = clock.now()
    found = _stored(session, scope, key)
    if found is not None and found.created_at <= now - RETENTION:
        session.delete(found)
        session.flush()
        found = None
    if found is not None:
        return _answer(found, digest)
    record = IdempotencyRecord(scope=scope, key=key, request_hash=digest,
                               status_code=IN_FLIGHT, response_body="", created_at=now)
    try:
        with session.begin_nested():
            session.add(record)
            session.flush()
    except IntegrityError:
        # Another request with this key came first and has ended: answer as it did.
        winner = _stored(session, scope, key)
        if winner is None:
            raise Conflict(STILL_RUNNING, field="Idempotency-Key") from None
        return _answer(winner, digest)
    return record


def finish(session: Session, record: IdempotencyRecord, status: int, body: str) -> None:
    record.status_code = status
    record.response_body = body
    session.flush()


def discard(session: Session, record: IdempotencyRecord) -> None:
    """Forget a key whose request was refused, so that it may be sent again."""
    session.delete(record)
    session.flush()


def purge(session: Session, now: datetime) -> int:
    """Deletes the records older than 24 hours; their keys are new again."""
    result = session.execute(delete(IdempotencyRecord).where(
        IdempotencyRecord.created_at <= now - RETENTION))
    return int(getattr(result, "rowcount", 0) or 0)
