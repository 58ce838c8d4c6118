"""A partner's funnel over a period: unique visitors → sign-ups → trials → paid, each step's
conversion from the step before and the overall rate, in exact percentages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core import clock
from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_
from qudao.core.money import from_minor
from qudao.partners import repository as partners
from qudao.referrals.models import EVENT_KINDS, ReferralEvent
from qudao.referrals.service import attribution_days

DEFAULT_DAYS = 90
MAX_DAYS = 3660
STEP_LABELS: dict[str, str] = {
    "visit": N_("Unique visitors"),
    "signup": N_("Sign-ups"),
    "trial": N_("Trials"),
    "paid": N_("Paid"),
}
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Step:
    kind: str
    count: int
    # Percent of the step before; None for the first step.
    rate: Decimal | None

    @property
    def label(self) -> str:
        return STEP_LABELS[self.kind]


@dataclass(frozen=True, slots=True)
class Funnel:
    partner_id: int
    since: date
    until: date
    attribution_days: int
    steps: list[Step]
    overall_rate: Decimal
    revenue: list[tuple[str, Decimal]]
    synthetic_events: int

    @property
    def visitors(self) -> int:
        return self.steps[0].count

    @property
    def peak(self) -> int:
        return max((s.count for s in self.steps), default=0)


def percent(part: int, whole: int) -> Decimal:
    """``part`` of ``whole`` in percent, to the hundredth, half up; 0 when ``whole`` is 0."""
    if whole <= 0:
        return Decimal("0.00")
    with localcontext() as context:
        context.prec = 40
        return (Decimal(part) * 100 / Decimal(whole)).quantize(HUNDREDTH, ROUND_HALF_UP)


def period(since: date | None, until: date | None,
           days: int = DEFAULT_DAYS) -> tuple[date, date]:
    """The period asked for, by default the last ``days`` days, today included."""
    last = until or clock.now().date()
    first = since or last - timedelta(days=days - 1)
    if first > last:
        raise Unprocessable(N_("The period starts after it ends."), field="since")
    if (last - first).days >= MAX_DAYS:
        raise Unprocessable(N_("The period is too long: at most ten years."), field="since")
    return first, last


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def funnel(
    session: Session, subject: AuthSubject, partner_id: int, *, since: date | None = None,
    until: date | None = None,
) -> Funnel:
    partner = partners.get(session, subject, partner_id)
    first, last = period(since, until)
    window = (ReferralEvent.partner_id == partner.id,
              ReferralEvent.occurred_at >= _day_start(first),
              ReferralEvent.occurred_at < _day_start(last + timedelta(days=1)))
    visitor = "v:" + ReferralEvent.visitor_id
    # A visit counts its visitor; later steps count the customer where known.
    person = case((ReferralEvent.kind == "visit", visitor),
                  else_=func.coalesce("c:" + ReferralEvent.customer_id, visitor))
    counted = dict(session.execute(
        select(ReferralEvent.kind, func.count(func.distinct(person)))
        .where(*window).group_by(ReferralEvent.kind)).all())
    steps: list[Step] = []
    for kind in EVENT_KINDS:
        count = int(counted.get(kind, 0))
        rate = percent(count, steps[-1].count) if steps else None
        steps.append(Step(kind, count, rate))
    revenue = [(str(currency), from_minor(int(total), str(currency)))
               for currency, total in session.execute(
                   select(ReferralEvent.currency, func.sum(ReferralEvent.amount_minor))
                   .where(*window, ReferralEvent.kind == "paid",
                          ReferralEvent.currency.is_not(None))
                   .group_by(ReferralEvent.currency).order_by(ReferralEvent.currency)).all()
               if total is not None]
    synthetic = session.scalar(select(func.count()).select_from(ReferralEvent)
                               .where(*window, ReferralEvent.synthetic.is_(True))) or 0
    return Funnel(partner_id=partner.id, since=first, until=last,
                  attribution_days=attribution_days(session), steps=steps,
                  overall_rate=percent(steps[-1].count, steps[0].count), revenue=revenue,
                  synthetic_events=int(synthetic))
