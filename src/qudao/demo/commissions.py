"""The demo's commissions: a few CNY/USD rates, the runs of the periods in which the demo
partners won deals (each run on the day after its period closed, the current one today),
the closed periods' statements approved and one partner paid, then a refund of part of a
won deal line today, which the current period's second run claws back.

Idempotent: a period that already has a run is not run again, the rates, the approvals and
payout and the refund are made only when the demo has none yet, so a second call adds
nothing (not even a run that posts nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qudao.accounts.subject import SYSTEM
from qudao.agreements.models import Agreement
from qudao.commissions import payouts, rates, runs, statements, transactions
from qudao.commissions.models import CommissionStatement, CurrencyRate, Payout, SalesTransaction
from qudao.commissions.periods import Period, period_of
from qudao.core import clock
from qudao.core.money import from_minor
from qudao.deals.models import Deal, DealLine
from qudao.demo.deals import NORTHWIND
from qudao.demo.people import cast
from qudao.demo.program import PROGRAM_NAME
from qudao.programs import repository as programs
from qudao.programs.models import CommissionPlan

# One US dollar in yuan, entered (never fetched) on these days before the demo's moment.
USD_CNY = ((120, "7.1835"), (60, "7.2012"), (7, "7.1764"))
PAYOUT_REFERENCE = "CMB-20260105-0001"
PAYOUT_METHOD = "bank_transfer"
# Northwind's customer cancels half of the implementation days it bought.
REFUND_CUSTOMER = "Camden Grocers"
REFUND_SKU = "SCO-IMPL"
REFUND_REF = "demo-refund-camden-impl"
REFUND_REASON = "客户取消了一半的实施人天"
# Runs, approvals and the payout happen on working hours, this long after a period closes.
RUN_AFTER = timedelta(days=1, hours=9)
APPROVE_AFTER = timedelta(days=3, hours=10)
PAY_AFTER = timedelta(days=8, hours=11)


@contextmanager
def _at(moment: datetime) -> Iterator[None]:
    """Back-dated to ``moment``, never later than the demo's own moment."""
    with clock.frozen(min(moment, clock.now())):
        yield


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _ensure_rates(session: Session) -> None:
    if session.scalar(select(CurrencyRate.id).where(CurrencyRate.base == "USD",
                                                    CurrencyRate.quote == "CNY").limit(1)):
        return
    today = clock.now().date()
    for days_ago, value in USD_CNY:
        rates.add_rate(session, SYSTEM, rate_date=today - timedelta(days=days_ago),
                       base="USD", quote="CNY", rate=value)


def _period_kinds(session: Session, program_id: int) -> dict[int, Literal["month", "quarter"]]:
    """Each partner's plan period, from its agreements with the program."""
    kinds: dict[int, Literal["month", "quarter"]] = {}
    for partner_id, period in session.execute(
            select(Agreement.partner_id, CommissionPlan.period)
            .join(CommissionPlan, CommissionPlan.id == Agreement.plan_id)
            .where(Agreement.program_id == program_id, Agreement.state != "draft")
            .order_by(Agreement.starts_on, Agreement.id)):
        kinds[partner_id] = "quarter" if period == "quarter" else "month"
    return kinds


def periods_to_run(session: Session, program_id: int) -> list[Period]:
    """The periods, oldest first, that hold the won deals of partners with a plan."""
    kinds = _period_kinds(session, program_id)
    found: dict[str, Period] = {}
    for partner_id, closed in session.execute(
            select(Deal.partner_id, Deal.closed_at)
            .where(Deal.program_id == program_id, Deal.stage == "won",
                   Deal.closed_at.is_not(None))):
        kind = kinds.get(partner_id)
        if kind is not None and closed is not None:
            period = period_of(clock.as_utc(closed).date(), kind)
            found[period.key] = period
    return sorted(found.values(), key=lambda p: (p.start, p.end))


def _run(session: Session, program_id: int, period: Period) -> None:
    with _at(_start(period.end) + RUN_AFTER):
        runs.run_period(session, SYSTEM, period=period, program_id=program_id)


def _settle(session: Session, program_id: int, today: date) -> None:
    """Approves the drafts of periods that are over and pays one partner, the first time
    only."""
    if session.scalar(select(Payout.id).where(Payout.program_id == program_id).limit(1)):
        return
    people = cast(session)
    drafts = list(session.scalars(
        select(CommissionStatement)
        .where(CommissionStatement.program_id == program_id,
               CommissionStatement.state == "draft",
               CommissionStatement.period_end <= today)
        .order_by(CommissionStatement.period_start, CommissionStatement.id)))
    for statement in drafts:
        with _at(_start(statement.period_end) + APPROVE_AFTER):
            statements.approve(session, people.manager, statement.id)
    northwind = people.partners.get(NORTHWIND)
    order = [northwind.partner.id] if northwind is not None else []
    order += [s.partner_id for s in drafts if s.partner_id not in order]
    for partner_id in order:
        if payouts.payable_now(session, partner_id, "CNY") <= 0:
            continue
        last = max(s.period_end for s in drafts if s.partner_id == partner_id)
        moment = min(_start(last) + PAY_AFTER, clock.now())
        with _at(moment):
            payouts.pay(session, people.admin, partner_id=partner_id, currency="CNY",
                        method=PAYOUT_METHOD, reference=PAYOUT_REFERENCE,
                        paid_on=moment.date())
        return


def _refund_line(session: Session, program_id: int) -> DealLine | None:
    return session.scalar(
        select(DealLine).join(Deal, Deal.id == DealLine.deal_id)
        .where(Deal.program_id == program_id, Deal.customer_name == REFUND_CUSTOMER,
               Deal.stage == "won", DealLine.kind == "won", DealLine.sku == REFUND_SKU)
        .order_by(DealLine.id).limit(1))


def _ensure_refund(session: Session, program_id: int) -> bool:
    """Records the refund today; True when it was recorded now."""
    if session.scalar(select(func.count()).select_from(SalesTransaction)
                      .where(SalesTransaction.external_ref == REFUND_REF)):
        return False
    line = _refund_line(session, program_id)
    if line is None or not line.amount_minor:
        return False
    people = cast(session)
    half = from_minor(line.amount_minor // 2, line.currency)
    transactions.record_refund(
        session, people.manager, amount=format(half, "f"),
        occurred_on=clock.now().date(), reason=REFUND_REASON, deal_line_id=line.id,
        external_ref=REFUND_REF)
    return True


def ensure_commissions(session: Session) -> None:
    """Rates, runs, approvals, a payout and a clawback for the demo program; a second call
    adds nothing."""
    program = programs.program_by_name(session, PROGRAM_NAME)
    if program is None:
        return
    _ensure_rates(session)
    today = clock.now().date()
    periods = periods_to_run(session, program.id)
    for period in periods:
        if runs.latest_run(session, program.id, period.key) is None:
            _run(session, program.id, period)
    _settle(session, program.id, today)
    if _ensure_refund(session, program.id):
        # The clawback belongs to the period the refund happened in: today's.
        for kind in sorted(set(_period_kinds(session, program.id).values())):
            runs.run_period(session, SYSTEM, period=period_of(today, kind),
                            program_id=program.id)
