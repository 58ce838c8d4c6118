"""The wholesaler's channel, built from real transactions: a UK online gift-ware wholesaler
(data/online-retail-2010-12-to-2011-09.csv.gz) that sells through one partner per country.

The program starts on 2010-12-01, the first day of the file. Before it, in November 2010,
the company writes its program and two tiered plans, screens every country's partner
(a scorecard by two evaluators and the due-diligence checks) and signs an agreement with
each, with quarterly KPIs scaled to the market. Then the file is imported as it happened:
invoices become won deals, cancellations refunds, lines without a customer sales credited
to no partner. Every month is closed by a commission run on the first working day after
it; statements are approved a few days later and paid at the end of each quarter.

Idempotent: every object is found by its natural key and made only when missing; the
import skips what it already holds, and a period already run is not run again."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qudao.accounts.subject import SYSTEM
from qudao.agreements import service as agreements
from qudao.agreements.models import Agreement
from qudao.agreements.schemas import AgreementCreate, KpiIn, MilestoneIn
from qudao.commissions import payouts, runs, statements
from qudao.commissions.models import CommissionStatement
from qudao.commissions.periods import Period
from qudao.core import clock
from qudao.core.config import Settings
from qudao.core.errors import Unprocessable
from qudao.deals.models import Deal
from qudao.demo.accounts import ADMIN_EMAIL, DemoLogin, ensure_partner_login
from qudao.demo.commissions import periods_to_run
from qudao.demo.people import Cast, cast
from qudao.demo.screening import KEYS, MANAGER_EMAIL, complete_checks, walk
from qudao.engagement.meetings import set_channel_manager
from qudao.goals import service as goals
from qudao.goals.models import Goal
from qudao.goals.schemas import GoalCreate
from qudao.partners.models import Partner
from qudao.programs import plans
from qudao.programs import repository as programs
from qudao.programs import service as program_service
from qudao.programs.models import CommissionPlan, Program
from qudao.programs.plan_schemas import PlanCreate, TierIn
from qudao.programs.schemas import ProgramCreate
from qudao.recommendations.models import ApiUsage
from qudao.referrals.demo import ensure_demo_traffic
from qudao.retail import catalogue, importer, summary
from qudao.retail import partners as country_partners
from qudao.screening import service as screening

DATA_FILE = (Path(__file__).resolve().parents[3] / "data"
             / "online-retail-2010-12-to-2011-09.csv.gz")
CURRENCY = "GBP"
PROGRAM_NAME = "Giftware Wholesale Partner Program"
PROGRAM = ProgramCreate(
    name=PROGRAM_NAME,
    company_name="Giftware Wholesale (UK)",
    company_profile=(
        "A UK online wholesaler of all-occasion gift-ware. Most of its customers are shops "
        "that resell; since December 2010 a partner in each country wins and serves them."),
    industry="Gift-ware wholesale",
    currency=CURRENCY,
    default_locale="en",
    support_training=(
        "A catalogue and merchandising course in the first month; seasonal range briefings "
        "before spring and Christmas."),
    support_marketing=(
        "Product photography and descriptions for every stock code, co-branded catalogues, "
        "and a share of the marketing budget for trade fairs."),
    mdf_budget="25000.00",
    exit_terms=(
        "Either side may end the agreement with 90 days' written notice. Statements of the "
        "months before the end are paid as usual; the partner stops using the catalogue and "
        "the brand within 30 days."),
)
DISTRIBUTOR_PLAN = "Distributors: marginal tiers 5% / 7% / 9% per month"
AGENT_PLAN = "Agents: 8%, 10% from GBP 5,000 a month"
REVENUE_GOAL = "Channel revenue of GBP 6 million in the program's first ten months"
MARKETS_GOAL = "30 countries selling within the first ten months"
PROGRAM_START = date(2010, 12, 1)
PROGRAM_END = date(2012, 11, 30)
LAST_MONTH = date(2011, 9, 1)

# The company prepares the program in November 2010, in the guide's order.
PREPARED_ON = datetime(2010, 11, 1, 9, 30, tzinfo=UTC)
CATALOGUE_ON = datetime(2010, 11, 3, 10, 0, tzinfo=UTC)
PLANS_ON = datetime(2010, 11, 5, 14, 0, tzinfo=UTC)
SOURCED_ON = datetime(2010, 11, 8, 9, 0, tzinfo=UTC)
SCREENED_ON = datetime(2010, 11, 15, 11, 0, tzinfo=UTC)
DRAFTED_ON = datetime(2010, 11, 22, 10, 0, tzinfo=UTC)
SIGNED_ON = datetime(2010, 11, 29, 15, 0, tzinfo=UTC)
IMPORTED_ON = datetime(2011, 10, 1, 8, 0, tzinfo=UTC)
# Runs, approvals and payouts after a month closes, in working hours.
RUN_AFTER = timedelta(days=1, hours=9)
APPROVE_AFTER = timedelta(days=4, hours=10)
PAY_AFTER = timedelta(days=14, hours=11)
PAYOUT_METHOD = "bank_transfer"
# The synthetic referral traffic happens in the file's last weeks; the recommendation API
# is today's service, so its synthetic calls are the last month's.
SYNTHETIC_UNTIL = datetime(2011, 9, 30, 18, 0, tzinfo=UTC)
SYNTHETIC_API_DAYS = 30

# Partners whose people sign in to the portal in the demo.
PORTAL_LOGINS = ("United Kingdom", "Germany")

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RetailDemo:
    program_id: int
    partners: int
    report: importer.ImportReport
    runs: int
    logins: list[DemoLogin]


@contextmanager
def _at(moment: datetime) -> Iterator[None]:
    with clock.frozen(moment):
        yield


def _quiet(_stage: str, _done: int, _total: int) -> None:
    return None


def _ensure_program(session: Session, people: Cast) -> Program:
    program = programs.program_by_name(session, PROGRAM_NAME)
    if program is None:
        with _at(PREPARED_ON):
            program = program_service.create_program(session, people.admin, PROGRAM)
    return program


def _ensure_plans(session: Session, people: Cast, program: Program,
                  fees: list[str]) -> dict[str, CommissionPlan]:
    wanted = {
        "distributor": PlanCreate(
            program_id=program.id, name=DISTRIBUTOR_PLAN, kind="tiered", currency=CURRENCY,
            tiers=[TierIn(threshold="0", rate="5%"), TierIn(threshold="20000.00", rate="7%"),
                   TierIn(threshold="100000.00", rate="9%")],
            tier_mode="marginal", boundary="inclusive", rounding_mode="half_even",
            rounding_level="statement", period="month", min_payout="50.00",
            excluded_skus=fees),
        "reseller": PlanCreate(
            program_id=program.id, name=AGENT_PLAN, kind="tiered", currency=CURRENCY,
            tiers=[TierIn(threshold="0", rate="8%"), TierIn(threshold="5000.00", rate="10%")],
            tier_mode="whole", boundary="inclusive", rounding_mode="half_even",
            rounding_level="line", period="month", min_payout="25.00", excluded_skus=fees),
    }
    found: dict[str, CommissionPlan] = {}
    for kind, data in wanted.items():
        plan = plans.plan_by_name(session, program.id, data.name)
        if plan is None:
            with _at(PLANS_ON):
                plan = plans.create_plan(session, people.admin, data)
        found[kind] = plan
    return found


def _ratings(partner: Partner, revenue: Decimal, largest: Decimal) -> list[dict[str, object]]:
    """Two evaluators' scorecards: market coverage follows the market's size, the rest is
    what a first call and references would suggest (repeatable, not random each run)."""
    rng = random.Random(f"screening:{partner.name}")  # noqa: S311 (demo figures, not secrets)
    coverage = 5 + round(4 * (revenue / largest) ** Decimal("0.25"))
    cards: list[dict[str, object]] = []
    for _evaluator in range(2):
        values = [coverage, rng.randint(6, 9), rng.randint(6, 9), rng.randint(6, 9)]
        cards.append(dict(zip(KEYS, (str(min(10, v)) for v in values), strict=True)))
    return cards


def _screen(session: Session, people: Cast, partner: Partner, revenue: Decimal,
            largest: Decimal) -> None:
    if partner.stage in ("negotiating", "signed"):
        return
    evaluators = (ADMIN_EMAIL, MANAGER_EMAIL)
    with _at(SCREENED_ON):
        for evaluator, ratings in zip(evaluators, _ratings(partner, revenue, largest),
                                      strict=True):
            screening.rate(session, people.admin, partner.id, evaluator_email=evaluator,
                           ratings=ratings)
        complete_checks(session, partner)
        walk(session, partner, "negotiating", None)


def _quarter_target(revenue: Decimal, months: int) -> str:
    """A quarterly revenue KPI a little above the market's pace, in whole hundreds."""
    quarterly = revenue / months * 3 * Decimal("1.1")
    hundreds = (quarterly / 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    return f"{max(hundreds, Decimal(1)) * 100}.00"


def _agreement(partner: Partner, program: Program, plan: CommissionPlan, kind: str,
               revenue: Decimal, months: int, customers: int) -> AgreementCreate:
    territory = partner.country or partner.name
    return AgreementCreate(
        partner_id=partner.id, program_id=program.id, plan_id=plan.id, partner_type=kind,
        territory=territory, starts_on=PROGRAM_START, ends_on=PROGRAM_END,
        exclusive=kind == "distributor",
        kpis=[KpiIn(metric="channel_revenue", target=_quarter_target(revenue, months),
                    period="quarter"),
              KpiIn(metric="new_customers", target=max(1, customers * 3 // (2 * months)),
                    period="quarter")],
        milestones=[MilestoneIn(title="Catalogue and merchandising course",
                                due_on=PROGRAM_START + timedelta(days=30))])


def _ensure_agreements(session: Session, people: Cast, program: Program,
                       plan_of: dict[str, CommissionPlan], facts: summary.FileSummary,
                       partner_ids: dict[str, int]) -> None:
    largest = max(facts.countries.values())
    months = len(facts.months)
    customers = {partner_id: int(count) for partner_id, count in session.execute(
        select(Deal.partner_id, func.count(Deal.customer_ref.distinct()))
        .where(Deal.program_id == program.id, Deal.stage == "won").group_by(Deal.partner_id))}
    for country, partner_id in sorted(partner_ids.items()):
        partner = session.get_one(Partner, partner_id)
        revenue = facts.countries.get(country, Decimal(0))
        # Agents are stored with the "reseller" type ("Agent / reseller").
        kind = "distributor" if partner.partner_type == "distributor" else "reseller"
        agreement = session.scalar(
            select(Agreement).where(Agreement.partner_id == partner.id,
                                    Agreement.program_id == program.id)
            .order_by(Agreement.id.desc()).limit(1))
        if agreement is not None and agreement.state != "draft":
            continue
        _screen(session, people, partner, revenue, largest)
        with _at(DRAFTED_ON):
            if partner.owner_id is None:
                set_channel_manager(session, people.admin, partner.id, people.manager_id)
            if agreement is None:
                agreement = agreements.create_draft(session, people.admin, _agreement(
                    partner, program, plan_of[kind], kind, revenue, months,
                    customers.get(partner.id, 0)))
        # The program writes its contracts in English. The partners who sign in to the
        # portal get the PDF; the others the editable DOCX, which takes a fraction of the
        # time (either can be generated again from the agreement's page).
        pdf = partner.country in PORTAL_LOGINS
        with _at(SIGNED_ON):
            agreements.sign(session, people.admin, agreement.id,
                            contract_format="pdf" if pdf else "docx")
        with _at(_start(PROGRAM_START) + timedelta(hours=8)):
            agreements.activate(session, people.admin, agreement.id)


def _ensure_goals(session: Session, people: Cast, program: Program) -> None:
    existing = set(session.scalars(select(Goal.title).where(Goal.program_id == program.id)))
    wanted = (
        GoalCreate(program_id=program.id, title=REVENUE_GOAL, metric="channel_revenue",
                   target="6000000.00", start=PROGRAM_START, deadline=date(2011, 9, 30),
                   owner_user_id=people.manager_id),
        GoalCreate(program_id=program.id, title=MARKETS_GOAL, metric="active_partners",
                   target="30", start=PROGRAM_START, deadline=date(2011, 9, 30),
                   owner_user_id=people.admin.user_id),
    )
    for goal in wanted:
        if goal.title not in existing:
            with _at(PREPARED_ON):
                goals.create_goal(session, people.admin, goal)


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _close_months(session: Session, program: Program, progress: Progress) -> int:
    """Runs every month not run yet, approves its statements a few days later and pays
    what is owed at the end of each quarter."""
    todo = [p for p in periods_to_run(session, program.id)
            if runs.latest_run(session, program.id, p.key) is None]
    for number, period in enumerate(todo, start=1):
        progress("runs", number - 1, len(todo))
        with _at(_start(period.end) + RUN_AFTER):
            runs.run_period(session, SYSTEM, period=period, program_id=program.id)
        _approve(session, program, period)
        if period.end.month % 3 == 0:
            _pay_quarter(session, program, period)
    progress("runs", len(todo), len(todo))
    return len(todo)


def _approve(session: Session, program: Program, period: Period) -> None:
    people = cast(session)
    drafts = session.scalars(
        select(CommissionStatement)
        .where(CommissionStatement.program_id == program.id,
               CommissionStatement.state == "draft",
               CommissionStatement.period_end == period.end)
        .order_by(CommissionStatement.id))
    with _at(_start(period.end) + APPROVE_AFTER):
        for statement in list(drafts):
            statements.approve(session, people.manager, statement.id)


def _pay_quarter(session: Session, program: Program, period: Period) -> None:
    people = cast(session)
    moment = _start(period.end) + PAY_AFTER
    partner_ids = sorted(set(session.scalars(
        select(CommissionStatement.partner_id)
        .where(CommissionStatement.program_id == program.id,
               CommissionStatement.state == "approved"))))
    with _at(moment):
        for partner_id in partner_ids:
            if payouts.payable_now(session, partner_id, CURRENCY) <= 0:
                continue
            reference = f"GW-{period.end:%Y}Q{(period.end.month + 2) // 3}-{partner_id}"
            try:
                with session.begin_nested():
                    payouts.pay(session, people.admin, partner_id=partner_id,
                                currency=CURRENCY, method=PAYOUT_METHOD, reference=reference,
                                paid_on=moment.date())
            except Unprocessable:
                continue  # below the plan's minimum payout: it carries to the next quarter


def _ensure_synthetic_calls(session: Session, partner_ids: list[int]) -> None:
    """The last month of recommendation calls by the distributors' shops, counted as
    synthetic."""
    if not partner_ids or session.scalar(
            select(ApiUsage.day).where(ApiUsage.partner_id.in_(partner_ids),
                                       ApiUsage.synthetic_calls > 0).limit(1)) is not None:
        return
    for partner_id in partner_ids:
        rng = random.Random(f"api:{partner_id}")  # noqa: S311 (demo figures, not secrets)
        base = rng.randint(200, 1500)
        for offset in range(SYNTHETIC_API_DAYS):
            day = clock.now().date() - timedelta(days=offset)
            calls = max(0, round(base * (0.6 + 0.8 * rng.random())))
            if day.weekday() >= 5:
                calls //= 3
            session.add(ApiUsage(day=day, partner_id=partner_id, endpoint="getRecommendations",
                                 calls=calls, synthetic_calls=calls))
    session.flush()


def _ensure_logins(session: Session, settings: Settings,
                   partner_ids: dict[str, int]) -> list[DemoLogin]:
    """The largest partner's managing director signs in to the portal."""
    logins = []
    for country in PORTAL_LOGINS:
        partner_id = partner_ids.get(country)
        if partner_id is None:
            continue
        partner = session.get_one(Partner, partner_id)
        contact = min(partner.contacts, key=lambda c: c.id)
        if contact.email:
            logins.append(ensure_partner_login(session, settings, partner, contact.email))
    return logins


def ensure_retail(session: Session, settings: Settings, *, path: Path = DATA_FILE,
                  progress: Progress = _quiet) -> RetailDemo:
    """Build (or complete) the wholesaler's channel from ``path``; a second call adds
    nothing."""
    if not path.exists():
        raise FileNotFoundError(path)
    people = cast(session)
    facts = summary.summarise(path, progress=lambda done, total: progress("read", done, total))
    program = _ensure_program(session, people)
    with _at(CATALOGUE_ON):
        products = catalogue.ensure_products(session, facts)
    with _at(SOURCED_ON):
        partner_ids = country_partners.ensure_country_partners(session, facts)
    with _at(IMPORTED_ON):
        report = importer.import_file(
            session, path, program_id=program.id, currency=CURRENCY, partners=partner_ids,
            products=products, progress=lambda done, total: progress("import", done, total))
    plan_of = _ensure_plans(session, people, program, sorted(facts.fee_codes))
    _ensure_agreements(session, people, program, plan_of, facts, partner_ids)
    _ensure_goals(session, people, program)
    count = _close_months(session, program, progress)
    distributors = sorted(session.scalars(
        select(Partner.id).where(Partner.id.in_(partner_ids.values()),
                                 Partner.partner_type == "distributor")))
    with _at(SYNTHETIC_UNTIL):
        ensure_demo_traffic(session, currency=CURRENCY, partner_ids=list(partner_ids.values()))
    _ensure_synthetic_calls(session, distributors)
    logins = _ensure_logins(session, settings, partner_ids)
    return RetailDemo(program.id, len(partner_ids), report, count, logins)
