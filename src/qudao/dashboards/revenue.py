"""Channel revenue, sales credited to no partner and deals by stage over a window, each with
a few grouped queries whatever the number of deals.

Channel revenue of a month = the won deals closed in that month (UTC) minus the refunds that
occurred in it, for the program (or one partner). Money is summed in the program's currency
only; deals and refunds in another currency are left out, as the goals' metrics do. Sales
credited to no partner are a separate series, never mixed into the channel's revenue."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from qudao.commissions.models import SalesTransaction
from qudao.core import clock
from qudao.dashboards.window import Window
from qudao.deals.models import DEAL_STAGES, Deal
from qudao.partners.models import Partner
from qudao.programs.models import Program
from qudao.retail.models import DirectSale


@dataclass(frozen=True, slots=True)
class MonthRevenue:
    month: date
    sales_minor: int
    refunds_minor: int

    @property
    def net_minor(self) -> int:
        return self.sales_minor - self.refunds_minor


@dataclass(frozen=True, slots=True)
class PartnerRevenue:
    partner_id: int
    name: str
    net_minor: int


@dataclass(frozen=True, slots=True)
class StageTotal:
    stage: str
    count: int
    amount_minor: int


def program_currency(session: Session, program_id: int) -> str:
    currency = session.scalar(select(Program.currency).where(Program.id == program_id))
    if currency is None:
        raise LookupError(f"program {program_id} does not exist")
    return currency


def month_key(session: Session, column: Any, *, instant: bool) -> ColumnElement[str]:
    """``YYYY-MM`` of a stored date or UTC instant, in SQL. SQLite keeps both as ISO text in
    UTC, whose first seven characters are the month; PostgreSQL would read an instant in the
    session's time zone, so UTC is named."""
    if session.get_bind().dialect.name == "postgresql":
        value = func.timezone("UTC", column) if instant else column
        return func.to_char(value, "YYYY-MM")
    return func.substr(column, 1, 7)


def _month(key: str) -> date:
    return date(int(key[:4]), int(key[5:7]), 1)


def won_in(program_id: int, currency: str, window: Window,
            partner_id: int | None) -> list[ColumnElement[bool]]:
    where = [Deal.program_id == program_id, Deal.stage == "won", Deal.currency == currency,
             Deal.closed_at >= window.start, Deal.closed_at < window.end]
    if partner_id is not None:
        where.append(Deal.partner_id == partner_id)
    return where


def refunds_in(program_id: int, currency: str, window: Window,
                partner_id: int | None) -> list[ColumnElement[bool]]:
    t = SalesTransaction
    where = [t.program_id == program_id, t.kind == "refund", t.currency == currency,
             t.occurred_on >= window.first_month, t.occurred_on < window.end_day]
    if partner_id is not None:
        where.append(t.partner_id == partner_id)
    return where


@dataclass(frozen=True, slots=True)
class ChannelCells:
    """The window's won deals and refunds per (month, partner), read in one grouped query
    each: the months, the partners and the partners' last wins all add up from them."""

    won: dict[tuple[date, int], int]
    refunds: dict[tuple[date, int], int]
    last_won: dict[int, datetime]

    def monthly(self, window: Window) -> list[MonthRevenue]:
        sales: dict[date, int] = defaultdict(int)
        refunds: dict[date, int] = defaultdict(int)
        for (month, _partner), total in self.won.items():
            sales[month] += total
        for (month, _partner), total in self.refunds.items():
            refunds[month] += total
        return [MonthRevenue(month, sales[month], refunds[month]) for month in window.months]

    def by_partner(self) -> dict[int, int]:
        net: dict[int, int] = defaultdict(int)
        for (_month, partner), total in self.won.items():
            net[partner] += total
        for (_month, partner), total in self.refunds.items():
            net[partner] -= total
        return dict(net)


def channel_cells(session: Session, program_id: int, window: Window, *,
                  partner_id: int | None = None) -> ChannelCells:
    currency = program_currency(session, program_id)
    deal_month = month_key(session, Deal.closed_at, instant=True).label("month")
    won: dict[tuple[date, int], int] = {}
    last_won: dict[int, datetime] = {}
    for key, partner, total, last in session.execute(
            select(deal_month, Deal.partner_id, func.sum(Deal.amount_minor),
                   func.max(Deal.closed_at))
            .where(*won_in(program_id, currency, window, partner_id))
            .group_by(deal_month, Deal.partner_id)):
        won[(_month(key), int(partner))] = int(total or 0)
        if last is not None:
            last = clock.as_utc(last)
            last_won[int(partner)] = max(last, last_won.get(int(partner), last))
    t = SalesTransaction
    refund_month = month_key(session, t.occurred_on, instant=False).label("month")
    refunds = {(_month(key), int(partner)): int(total or 0)
               for key, partner, total in session.execute(
                   select(refund_month, t.partner_id, func.sum(func.abs(t.amount_minor)))
                   .where(*refunds_in(program_id, currency, window, partner_id))
                   .group_by(refund_month, t.partner_id))}
    return ChannelCells(won, refunds, last_won)


def monthly_revenue(session: Session, program_id: int, window: Window, *,
                    partner_id: int | None = None) -> list[MonthRevenue]:
    """One row per month of the window, months without activity included (zeros)."""
    return channel_cells(session, program_id, window, partner_id=partner_id).monthly(window)


def monthly_direct_sales(session: Session, program_id: int, window: Window,
                         ) -> list[tuple[date, int]]:
    """The program's sales credited to no partner per month of the window (cancellations
    are negative lines and net out), zeros included.

    These lines are many (about 100,000 in the demo) and stored in time order, so each
    month is summed over a range of the date index, all months in one statement (UNION
    ALL): reading the rows in index order and summing them is several times faster on
    SQLite than bucketing each row's date and sorting them to group. "+ 0" keeps the
    program's index, which would visit the rows out of order, out of the plan."""
    currency = program_currency(session, program_id)
    d = DirectSale
    parts = [select(literal(index).label("month"),
                    func.coalesce(func.sum(d.amount_minor), 0).label("total"))
             .where(d.program_id + 0 == program_id, d.currency == currency,
                    d.occurred_at >= _instant(month), d.occurred_at < _instant(after))
             for index, (month, after) in enumerate(pairwise([*window.months,
                                                              window.end_day]))]
    totals = {int(index): int(total or 0) for index, total in session.execute(union_all(*parts))}
    return [(m, totals.get(i, 0)) for i, m in enumerate(window.months)]


def _instant(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def partner_rows(session: Session, net: dict[int, int]) -> list[PartnerRevenue]:
    """Named rows, largest first (ties by name)."""
    if not net:
        return []
    names = {int(pid): str(name) for pid, name in session.execute(
        select(Partner.id, Partner.name).where(Partner.id.in_(list(net))))}
    rows = [PartnerRevenue(pid, names.get(pid, f"#{pid}"), value) for pid, value in net.items()]
    rows.sort(key=lambda r: (-r.net_minor, r.name.casefold(), r.partner_id))
    return rows


def revenue_by_partner(session: Session, program_id: int, window: Window,
                       ) -> list[PartnerRevenue]:
    """Each partner with a won deal or a refund in the window and its channel revenue,
    largest first (ties by name)."""
    return partner_rows(session, channel_cells(session, program_id, window).by_partner())


def deals_by_stage(session: Session, program_id: int, window: Window, *,
                   partner_id: int | None = None) -> list[StageTotal]:
    """Every stage in pipeline order with the count of the program's deals registered or
    closed in the window, and their amount in the program's currency."""
    currency = program_currency(session, program_id)
    in_window = (((Deal.created_at >= window.start) & (Deal.created_at < window.end))
                 | ((Deal.closed_at >= window.start) & (Deal.closed_at < window.end)))
    amount = func.sum(case((Deal.currency == currency, Deal.amount_minor), else_=0))
    query = (select(Deal.stage, func.count(Deal.id), amount)
             .where(Deal.program_id == program_id, in_window).group_by(Deal.stage))
    if partner_id is not None:
        query = query.where(Deal.partner_id == partner_id)
    found = {stage: (int(n or 0), int(a or 0)) for stage, n, a in session.execute(query)}
    return [StageTotal(stage, *found.get(stage, (0, 0))) for stage in DEAL_STAGES]
