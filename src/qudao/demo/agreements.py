"""The demo partners' agreements: the tiered plan, a territory, one year from the program's
start, two KPIs and two milestones; signed, which starts their onboarding and generates the
contract. Their channel manager is the demo's channel manager."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.agreements import contract, onboarding
from qudao.agreements import service as agreements
from qudao.agreements.models import Agreement
from qudao.agreements.schemas import AgreementCreate, KpiIn, MilestoneIn
from qudao.demo.people import Cast, DemoPartner
from qudao.demo.timeline import PROGRAM_AGE_DAYS, Timeline, add_months
from qudao.documents.fonts import FontMissing
from qudao.engagement.meetings import set_channel_manager
from qudao.programs.models import CommissionPlan, Program


@dataclass(frozen=True)
class Terms:
    partner_type: str
    territory: str
    exclusive: bool


TERMS = {
    "Northwind Distribution": Terms("distributor", "英国及爱尔兰", exclusive=True),
    "Blue Harbour Agency": Terms("reseller", "法国及比荷卢地区", exclusive=False),
}
IP_CLAUSE = ("云链电商保留供应链优化工具及其文档、商标的全部知识产权。合作伙伴仅可在协议期内、"
             "在授权区域内为销售和实施之目的使用，不得反向工程或转授权。")
TERMINATION = ("任一方严重违约且在收到书面通知后30天内未纠正的，另一方可立即终止本协议；"
               "合作伙伴连续两个季度未达到KPI目标的50%的，云链电商可提前30天书面通知终止。")
PILOT_MILESTONE = "首季度目标：10个试点客户"
KICKOFF_MILESTONE = "联合启动研讨会"
# The draft is written a few days before signing; the steps are ticked after it.
DRAFTED_DAYS_AGO = PROGRAM_AGE_DAYS + 3
TICKS = (("training", PROGRAM_AGE_DAYS - 10), ("materials", PROGRAM_AGE_DAYS - 5))
KICKOFF_HELD_DAYS_AGO = PROGRAM_AGE_DAYS - 26


def _draft(when: Timeline, demo: DemoPartner, terms: Terms, program: Program,
           plan: CommissionPlan) -> AgreementCreate:
    start = when.program_start
    return AgreementCreate(
        partner_id=demo.partner.id, program_id=program.id, plan_id=plan.id,
        partner_type=terms.partner_type, territory=terms.territory, starts_on=start,
        ends_on=add_months(start, 12) - timedelta(days=1), exclusive=terms.exclusive,
        ip_clause=IP_CLAUSE, termination_terms=TERMINATION,
        kpis=[KpiIn(metric="channel_revenue", target="300000.00", period="quarter"),
              KpiIn(metric="new_customers", target="10", period="quarter")],
        milestones=[MilestoneIn(title=PILOT_MILESTONE, due_on=start + timedelta(days=89),
                                metric="pilot_customers", target="10"),
                    MilestoneIn(title=KICKOFF_MILESTONE, due_on=start + timedelta(days=30))])


def _sign(session: Session, people: Cast, agreement: Agreement) -> bool:
    """Signs the draft, which generates the Chinese PDF contract. Without a CJK font the
    PDF is refused: the signing is undone, the draft stays (a later run signs it), and the
    contract is generated as DOCX, which needs no font on this machine."""
    try:
        with session.begin_nested():
            agreements.sign(session, people.admin, agreement.id)
    except FontMissing:
        contract.generate_on_request(session, people.admin, agreement, fmt="docx")
        return False
    return True


def _after_signing(session: Session, people: Cast, agreement: Agreement,
                   when: Timeline) -> None:
    for key, days_ago in TICKS:
        with when.on(days_ago):
            onboarding.update_item(session, people.manager, agreement, key, done=True)
    kickoff = next(m for m in agreement.milestones if m.title == KICKOFF_MILESTONE)
    with when.on(KICKOFF_HELD_DAYS_AGO):
        agreements.tick_milestone(session, people.manager, agreement.id, kickoff.id)


def ensure_agreements(session: Session, people: Cast, program: Program,
                      plan: CommissionPlan, when: Timeline) -> None:
    for name, demo in people.partners.items():
        terms = TERMS.get(name)
        if terms is None:
            continue
        if demo.partner.owner_id is None:
            with when.on(DRAFTED_DAYS_AGO):
                set_channel_manager(session, people.admin, demo.partner.id, people.manager_id)
        agreement = session.scalar(
            select(Agreement).where(Agreement.partner_id == demo.partner.id,
                                    Agreement.program_id == program.id)
            .order_by(Agreement.id.desc()).limit(1))
        if agreement is None:
            with when.on(DRAFTED_DAYS_AGO):
                agreement = agreements.create_draft(
                    session, people.admin, _draft(when, demo, terms, program, plan))
        if agreement.state != "draft":
            continue
        with when.on(PROGRAM_AGE_DAYS):
            signed = _sign(session, people, agreement)
        if signed:
            _after_signing(session, people, agreement, when)
