"""The demo's calendar: every event is placed a number of days before one moment and
back-dated with the application clock, so that rules, audit entries and timestamps all see
the day it happened on."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from qudao.core import clock

# The program started (agreements signed, the first-year goal begun) this many days ago.
PROGRAM_AGE_DAYS = 120


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Timeline:
    now: datetime

    @classmethod
    def starting_now(cls) -> Timeline:
        return cls(clock.now())

    def at(self, days_ago: float) -> datetime:
        return self.now - timedelta(days=days_ago)

    def day(self, days_ago: float) -> date:
        return self.at(days_ago).date()

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def program_start(self) -> date:
        return self.day(PROGRAM_AGE_DAYS)

    @contextmanager
    def on(self, days_ago: float) -> Iterator[None]:
        """Everything inside happens ``days_ago`` days before the demo's moment."""
        with clock.frozen(self.at(days_ago)):
            yield
