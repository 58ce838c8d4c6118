"""Programs, plans and partners for the document tests, written as rows (the program and plan
services are tested with their own domain)."""

from __future__ import annotations

from decimal import Decimal

from qudao.accounts.subject import SYSTEM
from qudao.db.session import Database
from qudao.partners import service as partners
from qudao.partners.schemas import ContactIn, PartnerCreate
from qudao.programs.models import CommissionPlan, PlanTier, Program

COMPANY_ZH = "渠道云科技有限公司"
PARTNER_ZH = "华东智联分销有限公司"


def make_program(db: Database, *, name: str = "渠道合作伙伴计划",
                 company: str = COMPANY_ZH, currency: str = "CNY") -> int:
    with db.unit_of_work() as session:
        program = Program(
            name=name, company_name=company, company_profile="为中小企业提供客户关系管理软件。",
            industry="B2B software", currency=currency, default_locale="zh-CN",
            support_training="每季度两次产品认证培训。",
            support_marketing="联合市场活动、案例和宣传资料。",
            mdf_budget_minor=8_000_000, exit_terms="终止后 30 天内移交未完成的商机。")
        session.add(program)
        session.flush()
        return program.id


def make_plan(db: Database, program_id: int, *, name: str = "Northwind Gold",
              tiered: bool = True) -> int:
    """The guide's plan: below 100,000 at 15%, from 100,000 at 20%."""
    with db.unit_of_work() as session:
        plan = CommissionPlan(program_id=program_id, name=name, currency="CNY",
                              kind="tiered" if tiered else "flat",
                              flat_rate=None if tiered else Decimal("0.12"),
                              tier_mode="whole", boundary="inclusive", period="quarter")
        if tiered:
            plan.tiers = [PlanTier(threshold_minor=0, rate=Decimal("0.15")),
                          PlanTier(threshold_minor=10_000_000, rate=Decimal("0.20"))]
        session.add(plan)
        session.flush()
        return plan.id


def make_partner(db: Database, name: str = PARTNER_ZH, *, country: str = "中国",
                 contact: str = "王芳", website: str | None = None) -> int:
    with db.unit_of_work() as session:
        return partners.create_partner(session, SYSTEM, PartnerCreate(
            name=name, country=country, website=website,
            partner_type="distributor", allow_similar=True,
            contacts=[ContactIn(name=contact, role="总经理", email="ceo@partner.example")])).id
