"""The metric catalogue: what goals and agreement KPIs measure, computed from the data.

Every metric is a count or an amount over a half-open window [start, end) of UTC instants,
optionally for one partner. A metric over data that does not exist yet reads 0.

"Flow" metrics add up what happened in the window (customers won, revenue, deals
registered, partners signed); "level" metrics are read at one instant, the end of the window
(partners active in the 90 days before it).

``series`` gives the same numbers at many instants with one grouped query per metric, for
progress charts: a flow's running total, a level's value at each instant."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from qudao.core.i18n import N_
from qudao.core.money import from_minor
from qudao.deals.models import Deal
from qudao.partners.models import StageEvent

MetricKey = Literal[
    "new_customers", "channel_revenue", "signed_partners", "active_partners",
    "pilot_customers", "deals_registered",
]
ACTIVE_DAYS = 90


@dataclass(frozen=True, slots=True)
class Metric:
    key: MetricKey
    label: str  # an N_() message id
    unit: Literal["count", "money"]
    # Whether the metric is about one partner (a partner must be named) or may be.
    needs_partner: bool = False
    # "level" metrics are read at an instant (the end); "flow" metrics add up over the window.
    kind: Literal["flow", "level"] = "flow"
    # Whether naming one partner means something: a count of partners for one partner is
    # 0 or 1, never a goal.
    partner_filter: bool = True
    # What the metric counts, for people choosing one (an N_() message id).
    help: str = ""


CATALOGUE: dict[MetricKey, Metric] = {
    "new_customers": Metric(
        "new_customers", N_("New customers won through partners"), "count",
        help=N_("Customers whose first won deal through a partner falls in the period.")),
    "channel_revenue": Metric(
        "channel_revenue", N_("Channel revenue"), "money",
        help=N_("The amounts of deals won through partners in the period, in the program's "
                "currency.")),
    "signed_partners": Metric(
        "signed_partners", N_("Signed partners"), "count", partner_filter=False,
        help=N_("Partners moved to signed in the period.")),
    "active_partners": Metric(
        "active_partners", N_("Active partners (a won deal in the last 90 days)"), "count",
        kind="level", partner_filter=False,
        help=N_("Partners with at least one won deal in the 90 days before the day read.")),
    "pilot_customers": Metric(
        "pilot_customers", N_("Pilot customers of one partner"), "count", needs_partner=True,
        help=N_("New customers won through the named partner in the period.")),
    "deals_registered": Metric(
        "deals_registered", N_("Deals registered"), "count",
        help=N_("Deals registered by partners in the period, whatever became of them.")),
}


def day_start(day: date) -> datetime:
    """00:00 UTC of a date: where goal windows begin and end."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def _customer_key() -> ColumnElement[str]:
    """One customer, whichever protection key the deal carries."""
    return func.coalesce(Deal.customer_tax_id, Deal.customer_domain, Deal.customer_ref,
                         func.lower(Deal.customer_name))


def _deal_scope(partner_id: int | None, program_id: int | None) -> list[ColumnElement[bool]]:
    """A partner's deals; a program's deals and those tied to no program."""
    scope: list[ColumnElement[bool]] = []
    if partner_id is not None:
        scope.append(Deal.partner_id == partner_id)
    if program_id is not None:
        scope.append(or_(Deal.program_id == program_id, Deal.program_id.is_(None)))
    return scope


def _first_won(scope: list[ColumnElement[bool]]) -> Any:
    """Each customer with the instant of its first won deal (within the scope)."""
    customer = _customer_key()
    return (select(customer.label("customer"), func.min(Deal.closed_at).label("first"))
            .where(Deal.stage == "won", Deal.closed_at.is_not(None), *scope)
            .group_by(customer).subquery())


def _first_signed(start: datetime, end: datetime, partner_id: int | None) -> Any:
    """Each partner signed in the window with the instant it was (first) signed."""
    scope = [StageEvent.partner_id == partner_id] if partner_id is not None else []
    return (select(StageEvent.partner_id.label("partner_id"),
                   func.min(StageEvent.occurred_at).label("first"))
            .where(StageEvent.to_stage == "signed", StageEvent.occurred_at >= start,
                   StageEvent.occurred_at < end, *scope)
            .group_by(StageEvent.partner_id).subquery())


def measure(
    session: Session, key: MetricKey, *, start: datetime, end: datetime,
    partner_id: int | None = None, currency: str | None = None,
    program_id: int | None = None,
) -> Decimal:
    """The metric's value over [start, end). Money is summed in ``currency`` only (deals in
    other currencies are left out until the rate table converts them), as a Decimal amount.
    With ``program_id``, deals of other programs are left out (deals tied to no program
    count for every program)."""
    scope = _deal_scope(partner_id, program_id)
    won = and_(Deal.stage == "won", Deal.closed_at >= start, Deal.closed_at < end)
    if key == "channel_revenue":
        if currency is None:
            return Decimal(0)
        total = session.scalar(select(func.coalesce(func.sum(Deal.amount_minor), 0))
                               .where(won, Deal.currency == currency, *scope))
        return from_minor(int(total or 0), currency)
    if key in ("new_customers", "pilot_customers"):
        first_won = _first_won(scope)
        count = session.scalar(select(func.count()).select_from(first_won)
                               .where(first_won.c.first >= start, first_won.c.first < end))
        return Decimal(int(count or 0))
    if key == "deals_registered":
        count = session.scalar(select(func.count(Deal.id)).where(
            Deal.created_at >= start, Deal.created_at < end, *scope))
        return Decimal(int(count or 0))
    if key == "signed_partners":
        signed = _first_signed(start, end, partner_id)
        count = session.scalar(select(func.count()).select_from(signed))
        return Decimal(int(count or 0))
    if key == "active_partners":
        since = end - timedelta(days=ACTIVE_DAYS)
        count = session.scalar(select(func.count(func.distinct(Deal.partner_id))).where(
            Deal.stage == "won", Deal.closed_at >= since, Deal.closed_at < end, *scope))
        return Decimal(int(count or 0))
    raise ValueError(f"unknown metric {key!r}")


# -- series -------------------------------------------------------------------------------


def _utc_day(session: Session, column: Any) -> Any:
    """The UTC calendar day of a stored instant, in SQL. SQLite keeps UTC text (its date()
    reads it); PostgreSQL's date() would use the session's time zone, so UTC is named."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _per_day(session: Session, query: Select[Any]) -> dict[date, int]:
    return {_as_date(day): int(value or 0) for day, value in session.execute(query)}


def _daily_flow(
    session: Session, key: MetricKey, start: datetime, end: datetime,
    partner_id: int | None, currency: str | None, program_id: int | None,
) -> dict[date, int]:
    """What the flow metric added on each UTC day of [start, end): counts, or minor units."""
    scope = _deal_scope(partner_id, program_id)
    if key == "channel_revenue":
        if currency is None:
            return {}
        day = _utc_day(session, Deal.closed_at).label("day")
        return _per_day(session, select(day, func.sum(Deal.amount_minor)).where(
            Deal.stage == "won", Deal.closed_at >= start, Deal.closed_at < end,
            Deal.currency == currency, *scope).group_by(day))
    if key in ("new_customers", "pilot_customers"):
        first_won = _first_won(scope)
        day = _utc_day(session, first_won.c.first).label("day")
        return _per_day(session, select(day, func.count()).select_from(first_won).where(
            first_won.c.first >= start, first_won.c.first < end).group_by(day))
    if key == "deals_registered":
        day = _utc_day(session, Deal.created_at).label("day")
        return _per_day(session, select(day, func.count(Deal.id)).where(
            Deal.created_at >= start, Deal.created_at < end, *scope).group_by(day))
    if key == "signed_partners":
        signed = _first_signed(start, end, partner_id)
        day = _utc_day(session, signed.c.first).label("day")
        return _per_day(session, select(day, func.count()).select_from(signed).group_by(day))
    raise ValueError(f"{key!r} is not a flow metric")


def _is_midnight(instant: datetime) -> bool:
    return instant.astimezone(UTC).time() == time.min


def series(
    session: Session, key: MetricKey, *, start: datetime, instants: Sequence[datetime],
    partner_id: int | None = None, currency: str | None = None,
    program_id: int | None = None,
) -> list[Decimal]:
    """The metric at each instant: a flow's total over [start, instant), a level's value at
    the instant. Instants are in order and fall at 00:00 UTC, except perhaps the last (now).

    One grouped query per metric (plus one exact reading of a level at a last instant that
    is not a midnight), whatever the number of instants."""
    if not instants:
        return []
    for earlier, later in pairwise(instants):
        if later < earlier:
            raise ValueError("instants must be in order")
    if any(not _is_midnight(t) for t in instants[:-1]):
        raise ValueError("only the last instant may fall within a day")
    metric = CATALOGUE[key]
    if metric.kind == "level":
        return _level_series(session, key, instants, partner_id, program_id)
    daily = _daily_flow(session, key, start, instants[-1], partner_id, currency, program_id)
    values: list[Decimal] = []
    days = sorted(daily)
    total, index = 0, 0
    for instant in instants:
        while index < len(days) and day_start(days[index]) < instant:
            total += daily[days[index]]
            index += 1
        values.append(from_minor(total, currency) if metric.unit == "money" and currency
                      else Decimal(total))
    return values


def _level_series(
    session: Session, key: MetricKey, instants: Sequence[datetime], partner_id: int | None,
    program_id: int | None,
) -> list[Decimal]:
    if key != "active_partners":
        raise ValueError(f"{key!r} is not a level metric")
    window = timedelta(days=ACTIVE_DAYS)
    day = _utc_day(session, Deal.closed_at).label("day")
    rows = session.execute(select(Deal.partner_id, day).where(
        Deal.stage == "won", Deal.closed_at >= instants[0] - window,
        Deal.closed_at < instants[-1], *_deal_scope(partner_id, program_id),
    ).group_by(Deal.partner_id, day))
    won_days: dict[int, list[date]] = defaultdict(list)
    for partner, won_day in rows:
        won_days[int(partner)].append(_as_date(won_day))
    values: list[Decimal] = []
    for instant in instants:
        if not _is_midnight(instant):
            values.append(measure(session, key, start=instant, end=instant,
                                  partner_id=partner_id, program_id=program_id))
            continue
        first, last = (instant - window).date(), instant.date()
        values.append(Decimal(sum(1 for days in won_days.values()
                                  if any(first <= d < last for d in days))))
    return values
