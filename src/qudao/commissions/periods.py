"""The period a run covers: a calendar month ("2011-01"), a quarter ("2011-Q1") or any span
of days ("2011-01-05..2011-02-04", both days included)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_

PeriodKind = Literal["month", "quarter", "custom"]
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
SPAN = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")
MAX_SPAN_DAYS = 366
BAD_PERIOD = N_("%(value)s is not a period; write a month as 2011-01, a quarter as 2011-Q1, or "
                "days as 2011-01-05..2011-02-04.")


@dataclass(frozen=True, slots=True)
class Period:
    key: str
    kind: PeriodKind
    start: date
    # The first day after the period.
    end: date

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end


def _month_after(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)


def parse_period(value: str) -> Period:
    text = value.strip()
    try:
        if found := MONTH.match(text):
            year, month = int(found[1]), int(found[2])
            return Period(f"{year:04d}-{month:02d}", "month", date(year, month, 1),
                          _month_after(year, month))
        if found := QUARTER.match(text):
            year, quarter = int(found[1]), int(found[2])
            first = 3 * quarter - 2
            return Period(f"{year:04d}-Q{quarter}", "quarter", date(year, first, 1),
                          _month_after(year, first + 2))
        if found := SPAN.match(text):
            start, last = date.fromisoformat(found[1]), date.fromisoformat(found[2])
            if last < start:
                raise Unprocessable(N_("The period ends before it starts."), field="period")
            if (last - start).days >= MAX_SPAN_DAYS:
                raise Unprocessable(N_("A custom period covers at most %(days)s days."),
                                    field="period", days=MAX_SPAN_DAYS)
            return Period(f"{start.isoformat()}..{last.isoformat()}", "custom", start,
                          last + timedelta(days=1))
    except ValueError:
        pass
    raise Unprocessable(BAD_PERIOD, field="period", value=text)


def period_of(day: date, kind: Literal["month", "quarter"]) -> Period:
    """The month or quarter a day falls in."""
    if kind == "month":
        return parse_period(f"{day.year:04d}-{day.month:02d}")
    return parse_period(f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}")
