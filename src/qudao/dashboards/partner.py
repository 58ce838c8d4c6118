"""One partner's dashboard for a program and a window of months: its channel revenue by
month, its deals by stage, its commissions, its KPIs against their targets, its referral
funnel and its share of the program's channel revenue.

A partner user reads only its own partner (another partner's id answers 404, like every
partner-scoped read); staff read any. The share is the only figure that involves other
partners, and it is given as one percentage: no other partner's name, amount or rank, nor
the program's total.

KPIs are agreed per period (month, quarter, year or the whole term). Over a window the
target is the period's target times the months of the window that fall in the agreement's
term, divided by the months of the period; part of a month counts by its days. The actual is
measured over the same days with the metric catalogue of goals, as the agreement page does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, cast

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from qudao.accounts.subject import AuthSubject
from qudao.agreements.measures import PERIODS as KPI_PERIODS
from qudao.agreements.measures import is_money, target_value
from qudao.agreements.models import Agreement
from qudao.commissions import statements
from qudao.commissions.models import CommissionStatement, SalesTransaction
from qudao.core import clock
from qudao.core.errors import NotFound
from qudao.core.i18n import N_
from qudao.core.money import money_context, round_amount
from qudao.dashboards.revenue import (
    MonthRevenue,
    StageTotal,
    deals_by_stage,
    monthly_revenue,
    program_currency,
    refunds_in,
    won_in,
)
from qudao.dashboards.window import Window, add_months
from qudao.deals.models import Deal
from qudao.goals.metrics import CATALOGUE, MetricKey, day_start, measure
from qudao.partners import repository as partners
from qudao.partners.models import Partner
from qudao.programs.models import Program
from qudao.referrals import funnel as referral_funnel
from qudao.referrals.models import ReferralEvent

KpiStatus = Literal["on_track", "behind"]
KPI_STATUSES: dict[KpiStatus, str] = {"on_track": N_("On track"), "behind": N_("Behind")}
# Months in one KPI period; a "term" KPI's period is the agreement's own term.
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}
PERIOD_LABELS: dict[str, str] = {key: label for key, label in KPI_PERIODS.items()}
# A draft has no KPIs in force yet; every other state had them for its term.
AGREED_STATES = ("signed", "active", "renewed", "terminated")
LAST_STATEMENTS = 5
TENTH = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class ProgramChoice:
    """A program the partner takes part in: it has deals, an agreement, refunds or
    statements in it."""

    id: int
    name: str
    currency: str
    won_deals: int


@dataclass(frozen=True, slots=True)
class KpiFigure:
    """One KPI over the days of the window within its agreement's term."""

    agreement_id: int
    metric: str
    period: str
    first: date
    last: date
    period_target: Decimal
    target: Decimal
    actual: Decimal
    # What a steady pace would have reached by today (the whole target once the days are
    # past): at or above it the KPI is on track.
    expected: Decimal
    percent: Decimal
    money: bool

    @property
    def label(self) -> str:
        return CATALOGUE[cast(MetricKey, self.metric)].label

    @property
    def period_label(self) -> str:
        return PERIOD_LABELS.get(self.period, self.period)

    @property
    def status(self) -> KpiStatus:
        return "on_track" if self.actual >= self.expected else "behind"


@dataclass(frozen=True, slots=True)
class RevenueShare:
    net_minor: int
    # Percent of the program's channel revenue over the window, one decimal; None when the
    # program has none (or refunds outweigh its sales).
    percent: Decimal | None


@dataclass(frozen=True, slots=True)
class Commissions:
    balances: list[statements.Balance]
    # The latest statements of this program, newest first.
    statements: list[CommissionStatement]
    statement_total: int


@dataclass(frozen=True, slots=True)
class FunnelFigures:
    funnel: referral_funnel.Funnel
    # Every referral event of the window (visits, sign-ups, trials, purchases).
    events: int

    @property
    def synthetic_percent(self) -> Decimal | None:
        """The share of the window's events generated for the demo, in percent."""
        if not self.funnel.synthetic_events:
            return None
        return referral_funnel.percent(self.funnel.synthetic_events, self.events)


@dataclass(frozen=True, slots=True)
class PartnerDashboard:
    partner: Partner
    program: ProgramChoice
    window: Window
    revenue: list[MonthRevenue]
    stages: list[StageTotal]
    kpis: list[KpiFigure]
    funnel: FunnelFigures
    share: RevenueShare
    commissions: Commissions

    @property
    def has_revenue(self) -> bool:
        return any(m.sales_minor or m.refunds_minor for m in self.revenue)

    @property
    def has_deals(self) -> bool:
        return any(s.count for s in self.stages)

    @property
    def has_funnel(self) -> bool:
        return self.funnel.events > 0

    @property
    def won_deals(self) -> int:
        return sum(s.count for s in self.stages if s.stage == "won")

    @property
    def kpis_on_track(self) -> int:
        return sum(1 for k in self.kpis if k.status == "on_track")

    @property
    def is_empty(self) -> bool:
        """Nothing at all to show for the window: the page says so instead of drawing
        charts of zeros."""
        return not (self.has_revenue or self.has_deals or self.kpis or self.has_funnel
                    or self.commissions.balances or self.commissions.statements)


def partner_of(session: Session, subject: AuthSubject, partner_id: int) -> Partner:
    """The partner, if the reader may see it; a partner user may see only its own."""
    if not subject.is_staff and subject.partner_id != partner_id:
        raise NotFound(N_("Partner %(id)s was not found."), id=partner_id)
    return partners.get(session, subject, partner_id)


def programs_of(session: Session, subject: AuthSubject, partner_id: int) -> list[ProgramChoice]:
    """The programs the partner takes part in, the one with most of its won deals first."""
    partner = partner_of(session, subject, partner_id)
    won: dict[int, int] = {int(pid): int(n or 0) for pid, n in session.execute(
        select(Deal.program_id, func.sum(case((Deal.stage == "won", 1), else_=0)))
        .where(Deal.partner_id == partner.id, Deal.program_id.is_not(None))
        .group_by(Deal.program_id))}
    ids = set(won)
    for column, owner in ((Agreement.program_id, Agreement.partner_id),
                          (SalesTransaction.program_id, SalesTransaction.partner_id),
                          (CommissionStatement.program_id, CommissionStatement.partner_id)):
        ids.update(int(i) for i in session.scalars(
            select(column).where(owner == partner.id, column.is_not(None)).distinct())
            if i is not None)
    if not ids:
        return []
    found = [ProgramChoice(int(pid), name, currency, int(won.get(pid, 0)))
             for pid, name, currency in session.execute(
                 select(Program.id, Program.name, Program.currency)
                 .where(Program.id.in_(ids)))]
    found.sort(key=lambda p: (-p.won_deals, p.id))
    return found


def choose_program(programs: Sequence[ProgramChoice],
                   requested: int | None) -> ProgramChoice | None:
    """The program asked for (404 unless the partner takes part in it), else the first."""
    if requested is None:
        return programs[0] if programs else None
    for program in programs:
        if program.id == requested:
            return program
    raise NotFound(N_("Program %(id)s was not found."), id=requested)


# -- KPIs ---------------------------------------------------------------------------------


def months_between(first: date, last: date) -> Decimal:
    """Calendar months from ``first`` to ``last`` (both included); part of a month counts
    by its days."""
    total = Decimal(0)
    month = first.replace(day=1)
    with money_context():
        while month <= last:
            after = add_months(month, 1)
            low, high = max(first, month), min(last, after - timedelta(days=1))
            total += Decimal((high - low).days + 1) / Decimal((after - month).days)
            month = after
    return total


def _term_end(agreement: Agreement) -> date:
    if agreement.terminated_at is not None:
        return min(agreement.ends_on, clock.as_utc(agreement.terminated_at).date())
    return agreement.ends_on


def _rounded(value: Decimal, money: bool, currency: str) -> Decimal:
    if money:
        return round_amount(value, currency, "half_up")
    tenths = value.quantize(TENTH, rounding=ROUND_HALF_UP)
    # A whole count reads as one: 10, not 10.0.
    return tenths.quantize(Decimal(1)) if tenths == tenths.to_integral_value() else tenths


def _elapsed(first: date, last: date, today: date) -> Decimal:
    """The part of [first, last] that is past by the end of ``today``."""
    if today >= last:
        return Decimal(1)
    if today < first:
        return Decimal(0)
    with money_context():
        return Decimal((today - first).days + 1) / Decimal((last - first).days + 1)


def kpi_figures(session: Session, partner_id: int, program: ProgramChoice,
                window: Window) -> list[KpiFigure]:
    """Each KPI of the partner's agreements in the program whose term meets the window."""
    window_last = window.end_day - timedelta(days=1)
    agreements = session.scalars(
        select(Agreement).options(selectinload(Agreement.kpis))
        .where(Agreement.partner_id == partner_id, Agreement.program_id == program.id,
               Agreement.state.in_(AGREED_STATES), Agreement.starts_on <= window_last,
               Agreement.ends_on >= window.first_month)
        .order_by(Agreement.starts_on, Agreement.id))
    today = clock.now().date()
    found: list[KpiFigure] = []
    for agreement in agreements:
        term_end = _term_end(agreement)
        first, last = max(agreement.starts_on, window.first_month), min(term_end, window_last)
        if last < first:
            continue
        covered = months_between(first, last)
        for kpi in agreement.kpis:
            if kpi.metric not in CATALOGUE:
                continue
            metric = kpi.metric
            money = is_money(metric)
            per_period = target_value(metric, kpi.target, program.currency)
            period_months = (Decimal(PERIOD_MONTHS[kpi.period]) if kpi.period in PERIOD_MONTHS
                             else months_between(agreement.starts_on, term_end))
            with money_context():
                target = _rounded(per_period * covered / period_months, money, program.currency)
                expected = _rounded(target * _elapsed(first, last, today), money,
                                    program.currency)
            actual = measure(session, metric, start=day_start(first),
                             end=day_start(last + timedelta(days=1)), partner_id=partner_id,
                             currency=program.currency, program_id=program.id)
            percent = ((actual * 100 / target).quantize(TENTH, rounding=ROUND_HALF_UP)
                       if target > 0 else Decimal(0))
            found.append(KpiFigure(agreement_id=agreement.id, metric=kpi.metric,
                                   period=kpi.period, first=first, last=last,
                                   period_target=per_period, target=target, actual=actual,
                                   expected=expected, percent=percent, money=money))
    return found


# -- the rest -----------------------------------------------------------------------------


def program_net_minor(session: Session, program_id: int, window: Window) -> int:
    """The program's channel revenue over the window: one sum of its won deals less one of
    its refunds, on the revenue module's own conditions (no grouping: only the total is
    needed)."""
    currency = program_currency(session, program_id)
    sales = session.scalar(select(func.coalesce(func.sum(Deal.amount_minor), 0))
                           .where(*won_in(program_id, currency, window, None)))
    refunds = session.scalar(
        select(func.coalesce(func.sum(func.abs(SalesTransaction.amount_minor)), 0))
        .where(*refunds_in(program_id, currency, window, None)))
    return int(sales or 0) - int(refunds or 0)


def revenue_share(session: Session, program: ProgramChoice, window: Window,
                  own: Sequence[MonthRevenue]) -> RevenueShare:
    """The partner's part of the program's channel revenue over the window."""
    net = sum(m.net_minor for m in own)
    total = program_net_minor(session, program.id, window)
    if total <= 0:
        return RevenueShare(net, None)
    with money_context():
        share = (Decimal(net) * 100 / Decimal(total)).quantize(TENTH, rounding=ROUND_HALF_UP)
    return RevenueShare(net, share)


def funnel_figures(session: Session, subject: AuthSubject, partner_id: int,
                   window: Window) -> FunnelFigures:
    last = window.end_day - timedelta(days=1)
    found = referral_funnel.funnel(session, subject, partner_id, since=window.first_month,
                                   until=last)
    events = session.scalar(select(func.count()).select_from(ReferralEvent).where(
        ReferralEvent.partner_id == partner_id, ReferralEvent.occurred_at >= window.start,
        ReferralEvent.occurred_at < window.end)) or 0
    return FunnelFigures(found, int(events))


def commissions(session: Session, subject: AuthSubject, partner_id: int,
                program: ProgramChoice) -> Commissions:
    rows, total = statements.list_statements(session, subject, limit=LAST_STATEMENTS,
                                             offset=0, partner_id=partner_id,
                                             program_id=program.id)
    return Commissions(statements.balances(session, subject, partner_id), rows, total)


def partner_dashboard(session: Session, subject: AuthSubject, partner_id: int,
                      program: ProgramChoice, window: Window) -> PartnerDashboard:
    """Every figure of the partner's dashboard; ``program`` comes from ``programs_of``."""
    partner = partner_of(session, subject, partner_id)
    revenue = monthly_revenue(session, program.id, window, partner_id=partner.id)
    return PartnerDashboard(
        partner=partner, program=program, window=window, revenue=revenue,
        stages=deals_by_stage(session, program.id, window, partner_id=partner.id),
        kpis=kpi_figures(session, partner.id, program, window),
        funnel=funnel_figures(session, subject, partner.id, window),
        share=revenue_share(session, program, window, revenue),
        commissions=commissions(session, subject, partner.id, program))
