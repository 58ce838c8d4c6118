"""The window of months a dashboard reads.

Data may stop long before today (an imported history), so a window ends by default at the
month of the program's latest activity: its latest won deal, refund or sale credited to no
partner. Months are whole calendar months in UTC; a window is [start, end) of UTC instants."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qudao.commissions.models import SalesTransaction
from qudao.core import clock
from qudao.core.errors import BadRequest
from qudao.core.i18n import N_
from qudao.deals.models import Deal
from qudao.programs.models import Program
from qudao.retail.models import DirectSale

DEFAULT_MONTHS = 12
MAX_MONTHS = 60
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def month_of(value: date | datetime) -> date:
    """The first day of the (UTC) month of a date or an instant."""
    if isinstance(value, datetime):
        value = clock.as_utc(value)
    return date(value.year, value.month, 1)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after (or before) ``month``."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class Window:
    """Whole months from ``first_month`` to ``last_month``, both the 1st of their month."""

    first_month: date
    last_month: date

    @property
    def months(self) -> list[date]:
        count = ((self.last_month.year - self.first_month.year) * 12
                 + self.last_month.month - self.first_month.month + 1)
        return [add_months(self.first_month, i) for i in range(count)]

    @property
    def start(self) -> datetime:
        """00:00 UTC of the first month's first day: where the window begins."""
        return datetime(self.first_month.year, self.first_month.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """00:00 UTC of the day after the last month: the first instant outside."""
        after = add_months(self.last_month, 1)
        return datetime(after.year, after.month, 1, tzinfo=UTC)

    @property
    def end_day(self) -> date:
        """The first day after the window, for date columns."""
        return add_months(self.last_month, 1)


def latest_month(session: Session, program_id: int, partner_id: int | None = None,
                 ) -> date | None:
    """The month of the program's (or the partner's) latest won deal, refund or, for the
    whole program, sale credited to no partner; None when there is none."""
    won = select(func.max(Deal.closed_at)).where(
        Deal.program_id == program_id, Deal.stage == "won", Deal.closed_at.is_not(None))
    # Refunds and sales credited to no partner can be many (100,000 lines): the newest row
    # is read by walking their date index backwards; "+ 0" keeps the program's index, which
    # would visit every row of the program, out of the plan on both databases.
    t = SalesTransaction
    refund = (select(t.occurred_on).where(t.program_id + 0 == program_id, t.kind == "refund")
              .order_by(t.occurred_on.desc()).limit(1))
    if partner_id is not None:
        won = won.where(Deal.partner_id == partner_id)
        refund = refund.where(t.partner_id == partner_id)
    found: list[date | datetime] = []
    for query in (won, refund):
        value = session.scalar(query)
        if value is not None:
            found.append(value)
    if partner_id is None:
        d = DirectSale
        direct = session.scalar(select(d.occurred_at).where(d.program_id + 0 == program_id)
                                .order_by(d.occurred_at.desc()).limit(1))
        if direct is not None:
            found.append(direct)
    if not found:
        return None
    return max(month_of(value) for value in found)


def default_program_id(session: Session, partner_id: int | None = None) -> int | None:
    """The program a dashboard shows when none is asked for: the one with the most won
    deals (of the partner, when one is named), else the first program made."""
    query = (select(Deal.program_id).where(Deal.stage == "won", Deal.program_id.is_not(None))
             .group_by(Deal.program_id)
             .order_by(func.count(Deal.id).desc(), Deal.program_id).limit(1))
    if partner_id is not None:
        query = query.where(Deal.partner_id == partner_id)
    found = session.scalar(query)
    if found is None:
        found = session.scalar(select(Program.id).order_by(Program.id).limit(1))
    return None if found is None else int(found)


def window_for(session: Session, program_id: int, *, end: date | None = None,
               months: int = DEFAULT_MONTHS, partner_id: int | None = None) -> Window:
    """``months`` months ending at ``end``'s month, or at the latest activity (this month
    when there is none yet)."""
    if not 1 <= months <= MAX_MONTHS:
        raise WindowParamError(N_("Choose between 1 and %(max)s months."), field="months",
                               max=MAX_MONTHS)
    last = month_of(end) if end is not None else (
        latest_month(session, program_id, partner_id) or month_of(clock.now()))
    return Window(first_month=add_months(last, 1 - months), last_month=last)


class WindowParamError(BadRequest, ValueError):
    """A bad ``end`` or ``months``: a 400 whose message, in the reader's language, says
    what to send instead."""


def parse_window_params(end: str | None, months: str | None) -> tuple[date | None, int]:
    """``end`` as YYYY-MM (blank: the latest activity) and ``months`` as a whole number of
    months (blank: 12)."""
    end_month: date | None = None
    if end is not None and end.strip():
        match = _MONTH.match(end)
        month = int(match.group(2)) if match else 0
        if match is None or not 1 <= month <= 12 or int(match.group(1)) < 1900:
            raise WindowParamError(
                N_("%(value)s is not a month: write the last month as YYYY-MM, e.g. 2011-09."),
                field="end", value=end.strip()[:20])
        end_month = date(int(match.group(1)), month, 1)
    count = DEFAULT_MONTHS
    if months is not None and months.strip():
        text = months.strip()
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_MONTHS:
            raise WindowParamError(
                N_("%(value)s is not a number of months: choose a whole number from 1 to "
                   "%(max)s."), field="months", value=text[:20], max=MAX_MONTHS)
        count = int(text)
    return end_month, count
