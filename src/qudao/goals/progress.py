"""A goal's live progress: the metric measured from the data, the pace a steady rate would
have reached by now, and the status that follows.

The rules, each tested at its boundary:

- The goal runs over [start, deadline), from 00:00 UTC of each date: the deadline day itself
  is after the goal.
- Pace = target × elapsed / duration, elapsed clamped to [0, duration].
- ``achieved``: the actual value reached the target (before or at the deadline).
- ``missed``: the deadline has come (now ≥ deadline 00:00 UTC) and the target was not reached.
- ``on_track``: the actual value is at least the pace, the pace first rounded down to whole
  units (one customer, one minor unit of money): nobody is behind by a fraction of a
  customer. Equal to the pace is on track.
- ``at_risk``: below that pace before the deadline.

A flow metric is measured over [start, min(now, deadline)); a level metric is read at
min(now, deadline)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Literal

from sqlalchemy.orm import Session

from qudao.core import clock
from qudao.core.i18n import N_
from qudao.core.money import from_minor, money_context, quantum
from qudao.goals import metrics
from qudao.goals.metrics import CATALOGUE, Metric, day_start
from qudao.goals.models import Goal

Status = Literal["achieved", "on_track", "at_risk", "missed"]
STATUS_LABELS: dict[Status, str] = {
    "achieved": N_("Achieved"),
    "on_track": N_("On track"),
    "at_risk": N_("At risk"),
    "missed": N_("Missed"),
}
# Up to this many days a chart shows one point per day; longer goals one per week.
DAILY_UP_TO_DAYS = 92
COUNT_PLACES = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Progress:
    actual: Decimal
    target: Decimal
    # What a steady rate would have reached at ``as_of``, exact.
    pace: Decimal
    status: Status
    as_of: datetime
    days_total: int
    days_left: int

    @property
    def percent(self) -> Decimal:
        """Share of the target reached, in percent with one decimal (not capped at 100)."""
        with money_context():
            share = self.actual * 100 / self.target if self.target else Decimal(0)
            return share.quantize(Decimal("0.1"), rounding=ROUND_FLOOR)


@dataclass(frozen=True, slots=True)
class Point:
    """One point of the chart: the instant read, the actual value (None after now) and the
    pace, rounded for display (hundredths of a count, the currency's minor unit)."""

    at: datetime
    actual: Decimal | None
    pace: Decimal


def metric_of(goal: Goal) -> Metric:
    return CATALOGUE[goal.metric]  # type: ignore[index]


def target_value(goal: Goal) -> Decimal:
    """The target as a number: a count, or an amount of the goal's currency."""
    if metric_of(goal).unit == "money" and goal.currency:
        return from_minor(goal.target, goal.currency)
    return Decimal(goal.target)


def window(goal: Goal) -> tuple[datetime, datetime]:
    return day_start(goal.start), day_start(goal.deadline)


def pace_at(target: Decimal, start: datetime, end: datetime, at: datetime) -> Decimal:
    """What a steady rate from 0 at ``start`` to ``target`` at ``end`` gives at ``at``."""
    tick = timedelta(microseconds=1)
    duration = (end - start) // tick
    elapsed = min(max((at - start) // tick, 0), duration)
    with money_context():
        return target * Decimal(elapsed) / Decimal(duration)


def whole_units(value: Decimal, metric: Metric, currency: str | None) -> Decimal:
    """The pace rounded down to what can actually be counted."""
    step = quantum(currency) if metric.unit == "money" and currency else Decimal(1)
    with money_context():
        return value.quantize(step, rounding=ROUND_FLOOR)


def status_of(
    actual: Decimal, target: Decimal, pace: Decimal, *, now: datetime, deadline: datetime,
    metric: Metric, currency: str | None,
) -> Status:
    if actual >= target:
        return "achieved"
    if now >= deadline:
        return "missed"
    if actual >= whole_units(pace, metric, currency):
        return "on_track"
    return "at_risk"


def _reading_instant(metric: Metric, start: datetime, end: datetime, now: datetime) -> datetime:
    """Where the metric is read: a flow up to now within the window, a level at now (even
    before the start), both at the deadline once it has passed."""
    if metric.kind == "level":
        return min(now, end)
    return min(max(now, start), end)


def measure_goal(session: Session, goal: Goal, at: datetime) -> Decimal:
    start, _end = window(goal)
    return metrics.measure(session, goal.metric, start=start, end=at,  # type: ignore[arg-type]
                           partner_id=goal.partner_id, currency=goal.currency,
                           program_id=goal.program_id)


def progress(session: Session, goal: Goal, now: datetime | None = None) -> Progress:
    now = now or clock.now()
    metric = metric_of(goal)
    start, end = window(goal)
    as_of = _reading_instant(metric, start, end, now)
    actual = measure_goal(session, goal, as_of)
    target = target_value(goal)
    pace = pace_at(target, start, end, now)
    days_left = max(0, (end - now + timedelta(days=1) - timedelta(microseconds=1)).days)
    return Progress(actual=actual, target=target, pace=pace,
                    status=status_of(actual, target, pace, now=now, deadline=end, metric=metric,
                                     currency=goal.currency),
                    as_of=as_of, days_total=(goal.deadline - goal.start).days,
                    days_left=days_left)


def displayed(value: Decimal, metric: Metric, currency: str | None) -> Decimal:
    """A pace as pages show it: hundredths of a count, the currency's minor unit."""
    step = quantum(currency) if metric.unit == "money" and currency else COUNT_PLACES
    with money_context():
        rounded = value.quantize(step, rounding=ROUND_HALF_UP)
    if metric.unit == "count" and rounded == rounded.to_integral_value():
        return rounded.quantize(Decimal(1))
    return rounded


def instants(goal: Goal, now: datetime | None = None) -> list[datetime]:
    """The chart's instants: 00:00 UTC of every day (or every 7th day for goals longer than
    DAILY_UP_TO_DAYS) from the start to the deadline, with now added while the goal runs."""
    now = now or clock.now()
    start, end = window(goal)
    step = timedelta(days=1 if (goal.deadline - goal.start).days <= DAILY_UP_TO_DAYS else 7)
    found: list[datetime] = []
    at = start
    while at < end:
        found.append(at)
        at += step
    found.append(end)
    if start < now < end and now not in found:
        found.append(now)
        found.sort()
    return found


def series(session: Session, goal: Goal, now: datetime | None = None) -> list[Point]:
    """Actual against pace at every instant of the chart, with one grouped query."""
    now = now or clock.now()
    metric = metric_of(goal)
    start, end = window(goal)
    target = target_value(goal)
    every = instants(goal, now)
    measured = [t for t in every if t <= now]
    values = metrics.series(session, goal.metric,  # type: ignore[arg-type]
                            start=start, instants=measured, partner_id=goal.partner_id,
                            currency=goal.currency, program_id=goal.program_id)
    actual_at = dict(zip(measured, values, strict=True))
    return [Point(at=t, actual=actual_at.get(t),
                  pace=displayed(pace_at(target, start, end, t), metric, goal.currency))
            for t in every]
