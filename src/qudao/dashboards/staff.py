"""The staff dashboard's figures for one program over one window, gathered in one place so
that the page, its CSV downloads and the JSON API show the same numbers.

Every figure is a handful of grouped queries, whatever the number of deals:

- channel revenue by month, with sales credited to no partner beside it (never mixed in);
- revenue by partner, the top N and the rest as "others";
- deals by stage (registered or closed in the window);
- commission payable: the ledger's balance owed to partners in the program's currency
  (drafts accrued and approved statements not yet paid), as of now;
- active partners: signed partners with a won deal in the window's last 90 days;
- the program's goals with their live progress;
- concentration: shares, HHI and the alert against the program's threshold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.commissions.ledger import PAYABLE
from qudao.commissions.models import CommissionStatement, LedgerEntry, LedgerTransaction
from qudao.core.i18n import N_
from qudao.dashboards.concentration import Concentration, concentration
from qudao.dashboards.revenue import (
    MonthRevenue,
    PartnerRevenue,
    StageTotal,
    channel_cells,
    deals_by_stage,
    monthly_direct_sales,
    partner_rows,
)
from qudao.dashboards.window import (
    Window,
    WindowParamError,
    default_program_id,
    parse_window_params,
    window_for,
)
from qudao.goals.models import Goal
from qudao.goals.progress import Progress, progress
from qudao.partners.models import Partner
from qudao.programs import repository as programs
from qudao.programs.models import Program

TOP_PARTNERS = 8
ACTIVE_DAYS = 90
OPEN_STAGES = ("registered", "approved")
MAX_GOALS = 12


@dataclass(frozen=True, slots=True)
class Commission:
    """What the program owes its partners, in its currency (minor units)."""

    payable_minor: int  # the ledger's credit balance of partner_payable
    draft_minor: int  # accrued on statements still in draft
    approved_minor: int  # approved, not yet paid


@dataclass(frozen=True, slots=True)
class GoalProgress:
    goal: Goal
    progress: Progress


@dataclass(frozen=True, slots=True)
class StaffDashboard:
    program: Program
    window: Window
    revenue: list[MonthRevenue]
    direct: list[tuple[date, int]]
    top_partners: list[PartnerRevenue]
    others_minor: int
    others_count: int
    stages: list[StageTotal]
    commission: Commission
    active_partners: int
    signed_partners: int
    goals: list[GoalProgress]
    concentration: Concentration

    @property
    def currency(self) -> str:
        return self.program.currency

    @property
    def channel_minor(self) -> int:
        return sum(m.net_minor for m in self.revenue)

    @property
    def direct_minor(self) -> int:
        return sum(amount for _, amount in self.direct)

    @property
    def open_deals(self) -> int:
        return sum(s.count for s in self.stages if s.stage in OPEN_STAGES)


def commission_owed(session: Session, program_id: int, currency: str) -> Commission:
    e, t = LedgerEntry, LedgerTransaction
    ledger = session.scalar(
        select(func.coalesce(func.sum(e.amount_minor), 0)).join(t, t.id == e.txn_id)
        .where(t.program_id == program_id, e.account == PAYABLE, e.currency == currency))
    s = CommissionStatement
    states = {state: int(total or 0) for state, total in session.execute(
        select(s.state, func.sum(s.total_minor))
        .where(s.program_id == program_id, s.currency == currency,
               s.state.in_(("draft", "approved"))).group_by(s.state))}
    return Commission(payable_minor=-int(ledger or 0), draft_minor=states.get("draft", 0),
                      approved_minor=states.get("approved", 0))


def signed_partners(session: Session) -> int:
    return int(session.scalar(select(func.count(Partner.id)).where(
        Partner.stage == "signed", Partner.merged_into_id.is_(None))) or 0)


def active_partners(session: Session, last_won: dict[int, datetime], window: Window) -> int:
    """Signed partners with at least one won deal of the program in the window's last 90
    days, from each partner's last win in the window."""
    since = window.end - timedelta(days=ACTIVE_DAYS)
    recent = [pid for pid, last in last_won.items() if last >= since]
    if not recent:
        return 0
    return int(session.scalar(select(func.count(Partner.id)).where(
        Partner.id.in_(recent), Partner.stage == "signed",
        Partner.merged_into_id.is_(None))) or 0)


def goal_progress(session: Session, program_id: int) -> list[GoalProgress]:
    goals = session.scalars(select(Goal).where(
        Goal.program_id == program_id, Goal.archived_at.is_(None))
        .order_by(Goal.deadline, Goal.id).limit(MAX_GOALS))
    return [GoalProgress(goal, progress(session, goal)) for goal in goals]


def split_top(rows: list[PartnerRevenue], top: int) -> tuple[list[PartnerRevenue], int, int]:
    """The ``top`` largest and the sum and number of the rest."""
    rest = rows[top:]
    return rows[:top], sum(r.net_minor for r in rest), len(rest)


def staff_dashboard(session: Session, program: Program, window: Window, *,
                    top: int = TOP_PARTNERS) -> StaffDashboard:
    cells = channel_cells(session, program.id, window)
    by_partner = partner_rows(session, cells.by_partner())
    shown, others, others_count = split_top(by_partner, top)
    return StaffDashboard(
        program=program, window=window,
        revenue=cells.monthly(window),
        direct=monthly_direct_sales(session, program.id, window),
        top_partners=shown, others_minor=others, others_count=others_count,
        stages=deals_by_stage(session, program.id, window),
        commission=commission_owed(session, program.id, program.currency),
        active_partners=active_partners(session, cells.last_won, window),
        signed_partners=signed_partners(session),
        goals=goal_progress(session, program.id),
        concentration=concentration(by_partner, program.concentration_alert_pct),
    )


def parse_program_id(value: str | None) -> int | None:
    """``program_id`` from a query string: blank for the default program."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 2**62:
        raise WindowParamError(N_("%(value)s is not a program id: choose a program from the "
                                  "list, or leave it out for the default one."),
                               field="program_id", value=text[:20])
    return int(text)


def dashboard_for(session: Session, subject: AuthSubject, *, program_id: str | None,
                  end: str | None, months: str | None) -> StaffDashboard | None:
    """The dashboard a request asks for (None when there is no program yet). Bad parameters
    raise WindowParamError (400); a program that does not exist, NotFound."""
    chosen = parse_program_id(program_id)
    end_month, count = parse_window_params(end, months)
    if chosen is None:
        chosen = default_program_id(session)
        if chosen is None:
            return None
    program = programs.get_program(session, subject, chosen)
    window = window_for(session, program.id, end=end_month, months=count)
    return staff_dashboard(session, program, window)
