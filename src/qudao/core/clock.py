"""The one clock of the application: every date rule reads it, and tests can move it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None
# Added to the real time: QUDAO_TIME_TRAVEL_DAYS lets a person try what time does.
_offset = timedelta(0)


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC) + _offset


def travel(days: int) -> None:
    """Runs the clock ``days`` ahead of the real time from now on (0 puts it back)."""
    global _offset
    _offset = timedelta(days=days)


def freeze(at: datetime) -> None:
    global _frozen
    if at.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = at.astimezone(UTC)


def advance(delta: timedelta) -> None:
    freeze(now() + delta)


def unfreeze() -> None:
    global _frozen
    _frozen = None


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    previous = _frozen
    freeze(at)
    try:
        yield
    finally:
        globals()["_frozen"] = previous


def as_utc(value: datetime) -> datetime:
    """Databases that drop the zone (SQLite) give naive datetimes back: they are UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
