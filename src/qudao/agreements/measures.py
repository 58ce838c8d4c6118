"""KPIs and milestones measured from the data, through the metric catalogue of goals.

A KPI's actual covers the current period (the calendar month, quarter or year that holds
today, or the whole term), cut to the agreement's term. A measured milestone counts from the
start of the term to its due date. Days are UTC days, as every page shows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, cast

from sqlalchemy.orm import Session

from qudao.agreements.models import Agreement, AgreementKpi, AgreementMilestone
from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_
from qudao.core.money import from_minor, parse_amount, to_minor
from qudao.goals.metrics import CATALOGUE, MetricKey, measure

Period = Literal["month", "quarter", "year", "term"]
PERIODS: dict[Period, str] = {
    "month": N_("Monthly"),
    "quarter": N_("Quarterly"),
    "year": N_("Yearly"),
    "term": N_("Whole term"),
}
# The catalogue's metrics that mean something for one partner.
KPI_METRICS: tuple[MetricKey, ...] = ("channel_revenue", "new_customers", "pilot_customers",
                                      "deals_registered")
MilestoneStatus = Literal["done", "upcoming", "due_soon", "overdue"]
MILESTONE_STATUSES: dict[MilestoneStatus, str] = {
    "done": N_("Done"),
    "upcoming": N_("Upcoming"),
    "due_soon": N_("Due soon"),
    "overdue": N_("Overdue"),
}
# A milestone not done is "due soon" from this many days before its due date.
DUE_SOON_DAYS = 14
PERCENT = Decimal("0.1")


def check_metric(metric: str, field: str = "metric") -> MetricKey:
    if metric not in KPI_METRICS:
        raise Unprocessable(N_("%(metric)s cannot be measured for one partner: use one of "
                               "%(allowed)s."), field=field, metric=metric,
                            allowed=", ".join(KPI_METRICS))
    return metric


def check_period(period: str) -> Period:
    if period not in PERIODS:
        raise Unprocessable(N_("%(period)s is not a KPI period: use month, quarter, year or "
                               "term."), field="period", period=period)
    return period


def is_money(metric: str) -> bool:
    return metric in CATALOGUE and CATALOGUE[metric].unit == "money"


def parse_target(metric: MetricKey, value: object, currency: str, field: str = "target") -> int:
    """A target as stored: minor units of the program's currency for an amount, else a
    count. Amounts arrive as strings ("100000.00"); a count as a whole number."""
    if is_money(metric):
        stored = to_minor(parse_amount(value, currency, field), currency, field)
    else:
        try:
            stored = int(str(value).strip())
        except ValueError:
            raise Unprocessable(N_("A target of %(metric)s is a whole number."), field=field,
                                metric=metric) from None
    if stored <= 0:
        raise Unprocessable(N_("A target must be greater than zero."), field=field)
    return stored


def target_value(metric: str, stored: int, currency: str) -> Decimal:
    """The stored target as people read it: an amount, or a count."""
    return from_minor(stored, currency) if is_money(metric) else Decimal(stored)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_window(period: str, today: date, starts_on: date, ends_on: date) -> tuple[date, date]:
    """The current period as [first day, last day], cut to the term. Before the term starts
    it is the first period, after it ends the last one."""
    day = min(max(today, starts_on), ends_on)
    if period == "term":
        first, last = starts_on, ends_on
    elif period == "month":
        first = day.replace(day=1)
        last = _add_months(first, 1) - timedelta(days=1)
    elif period == "quarter":
        first = _quarter_start(day)
        last = _add_months(first, 3) - timedelta(days=1)
    else:
        first = date(day.year, 1, 1)
        last = date(day.year, 12, 31)
    return max(first, starts_on), min(last, ends_on)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def measured(session: Session, agreement: Agreement, metric: MetricKey, first: date,
             last: date, currency: str) -> Decimal:
    """The metric for the agreement's partner over the days [first, last]."""
    if last < first:
        return Decimal(0)
    return measure(session, metric, start=day_start(first),
                   end=day_start(last + timedelta(days=1)), partner_id=agreement.partner_id,
                   currency=currency)


def percent(actual: Decimal, target: Decimal) -> Decimal:
    """Attainment in percent, one decimal, halves rounded up."""
    return (actual * 100 / target).quantize(PERCENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class KpiProgress:
    kpi: AgreementKpi
    first: date
    last: date
    target: Decimal
    actual: Decimal
    percent: Decimal
    money: bool


def kpi_progress(session: Session, agreement: Agreement, kpi: AgreementKpi, today: date,
                 currency: str) -> KpiProgress:
    first, last = period_window(kpi.period, today, agreement.starts_on, agreement.ends_on)
    metric = cast(MetricKey, kpi.metric)
    target = target_value(metric, kpi.target, currency)
    actual = measured(session, agreement, metric, first, last, currency)
    return KpiProgress(kpi=kpi, first=first, last=last, target=target, actual=actual,
                       percent=percent(actual, target), money=is_money(metric))


@dataclass(frozen=True)
class MilestoneProgress:
    milestone: AgreementMilestone
    status: MilestoneStatus
    # Measured milestones only: the target and what the data shows so far.
    target: Decimal | None
    actual: Decimal | None
    money: bool
    days_left: int


def milestone_progress(session: Session, agreement: Agreement, milestone: AgreementMilestone,
                       today: date, currency: str) -> MilestoneProgress:
    target: Decimal | None = None
    actual: Decimal | None = None
    done = milestone.done_at is not None
    if milestone.metric is not None and milestone.target is not None:
        metric = cast(MetricKey, milestone.metric)
        target = target_value(metric, milestone.target, currency)
        # What happens after the due date does not meet the milestone.
        actual = measured(session, agreement, metric, agreement.starts_on,
                          min(today, milestone.due_on), currency)
        done = actual >= target
    days_left = (milestone.due_on - today).days
    status: MilestoneStatus
    if done:
        status = "done"
    elif days_left < 0:
        status = "overdue"
    elif days_left <= DUE_SOON_DAYS:
        status = "due_soon"
    else:
        status = "upcoming"
    return MilestoneProgress(milestone=milestone, status=status, target=target, actual=actual,
                             money=milestone.metric is not None and is_money(milestone.metric),
                             days_left=days_left)
