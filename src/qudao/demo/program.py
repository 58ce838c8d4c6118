"""The demo's partner program, as section 1 of the guide prepares it: a small Chinese
e-commerce platform whose supply-chain tool saves retailers 20% of their logistics costs,
with its value proposition (two versions), a product catalogue, two commission plans and
SMART goals. Then the program lives: agreements with the signed partners, deals over the
last four months, referral traffic, a meeting, this week's follow-ups and the alerts.

Idempotent: every object is found by its natural key (program name, SKU, plan name, goal
title, a partner's agreement, a partner's customer …) and made only when missing, always
through the domain services, so that their rules and the audit log apply."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core.config import Settings
from qudao.demo import agreements, cadence, deals
from qudao.demo.people import Cast, cast
from qudao.demo.timeline import PROGRAM_AGE_DAYS, Timeline, add_months
from qudao.goals import service as goals
from qudao.goals.models import Goal
from qudao.goals.schemas import GoalCreate
from qudao.programs import catalogue, plans, value_proposition
from qudao.programs import repository as programs
from qudao.programs import service as program_service
from qudao.programs.models import CommissionPlan, Program
from qudao.programs.plan_schemas import PlanCreate, TierIn
from qudao.programs.schemas import (
    Benefit,
    Competitor,
    PriceTierIn,
    ProductCreate,
    ProgramCreate,
    Swot,
    ValuePropositionContent,
)
from qudao.referrals.demo import ensure_demo_traffic

PROGRAM_NAME = "云链渠道合作计划"
TIERED_PLAN = "阶梯佣金：月销售额10万元起20%"
FLAT_PLAN = "代理商统一佣金10%"
CUSTOMERS_GOAL = "6个月内通过渠道获取100个新客户"
REVENUE_GOAL = "首年渠道收入达到150万元"

PROGRAM = ProgramCreate(
    name=PROGRAM_NAME,
    company_name="云链电商",
    company_profile=(
        "云链电商成立于2023年，是一家30人的初创电商平台。我们先在自己的平台上内部测试了"
        "供应链优化工具，确认它能为零售商节省20%的物流成本，现在通过渠道合作伙伴把它推向"
        "中小零售商。"),
    industry="B2B软件（供应链SaaS）",
    currency="CNY",
    default_locale="zh-CN",
    support_training=(
        "签约后两周内提供在线产品与销售培训课程；每季度一次现场workshop；通过认证考试的"
        "伙伴获得“认证伙伴”称号。"),
    support_marketing=(
        "联合品牌的销售演示文稿、产品手册和客户案例；每季度一次联合网络研讨会；"
        "官网合作伙伴目录展示与线索共享。"),
    mdf_budget="50000.00",
    exit_terms=(
        "任一方可提前90天书面通知终止合作。终止后，已登记且仍在保护期内的交易按原佣金"
        "结算；合作伙伴须在30天内停止使用云链商标，并归还或销毁全部销售资料和客户数据。"),
)

FIRST_VERSION = ValuePropositionContent(
    product="供应链优化工具",
    pains=["零售商物流成本高，常占营收的10%以上",
           "库存积压与缺货并存，需求难以预测",
           "多仓库、多承运商的调度依赖人工，效率低、易出错"],
    usp="AI驱动的预测分析，而不是简单的数据存储：提前两周预测需求，并自动给出补货和调度方案。",
    features=["需求预测", "智能补货", "多仓库存调度", "承运商比价与路线优化", "实时物流看板"],
    segments=["年营收1000万至5亿元的中小零售商", "多渠道电商卖家", "区域连锁门店"],
    benefits=[Benefit(claim="节省20%物流成本", value=20, unit="%",
                      evidence="内部测试：为零售商节省了20%的物流成本")],
    competitors=[Competitor(name="传统物流管理软件", their_strengths="市场占有率高，功能全面",
                            their_weaknesses="没有预测能力，实施周期长达数月",
                            our_advantage="AI预测，两周上线，按年订阅")],
    swot=Swot(strengths=["AI预测技术", "两周上线的SaaS交付"],
              weaknesses=["品牌知名度低", "自有销售团队小"],
              opportunities=["B2B渠道市场持续增长", "中小零售商的数字化需求"],
              threats=["大公司进入市场", "同类工具的价格战"]),
)
# The second version: the ERP connector joins the features, and the USP names it.
SECOND_VERSION = FIRST_VERSION.model_copy(update={
    "usp": "AI驱动的预测分析，而不是简单的数据存储：提前两周预测需求，自动给出补货和调度"
           "方案，并直接写回企业的ERP。",
    "features": [*FIRST_VERSION.features, "与金蝶、用友等主流ERP对接"],
})
VERSION_NOTES = ("第一版：内部测试后整理", "第二版：加入ERP对接")
# The preparation took place this many days before the demo's moment, in the guide's order.
PROGRAM_DAYS_AGO = 150
VERSIONS_DAYS_AGO = (148, 135)
CATALOGUE_DAYS_AGO = 145
PLANS_DAYS_AGO = 140


def _prices(*tiers: tuple[int, str]) -> list[PriceTierIn]:
    return [PriceTierIn(currency="CNY", min_quantity=quantity, unit_price=price)
            for quantity, price in tiers]


PRODUCTS = (
    ProductCreate(
        sku="SCO-STD", name="供应链优化工具 标准版（年订阅，每门店）",
        description="需求预测、智能补货和实时物流看板，适合单仓或少量门店的零售商。",
        features=["需求预测", "智能补货", "实时物流看板"],
        use_cases=["便利店和专卖店的补货计划", "电商卖家的备货预测"],
        prices=_prices((1, "9800.00"), (10, "8800.00"), (50, "7800.00"))),
    ProductCreate(
        sku="SCO-PRO", name="供应链优化工具 专业版（年订阅，每门店）",
        description="标准版的全部功能，加上多仓库存调度和承运商比价与路线优化。",
        features=["多仓库存调度", "承运商比价与路线优化", "异常预警"],
        use_cases=["区域连锁门店的多仓调拨", "多承运商的运费优化"],
        prices=_prices((1, "19800.00"), (10, "17800.00"))),
    ProductCreate(
        sku="SCO-API", name="需求预测API（每百万次调用）",
        description="把需求预测接入伙伴或客户自己的系统：REST接口，附SDK和文档。",
        features=["REST接口", "Python SDK", "按调用量计费"],
        use_cases=["系统集成商把预测嵌入自己的方案"],
        prices=_prices((1, "2000.00"), (10, "1600.00"))),
    ProductCreate(
        sku="SCO-ERP", name="ERP对接包（一次性）",
        description="与金蝶、用友等主流ERP双向同步商品、库存和订单。",
        features=["金蝶、用友接口", "双向同步"],
        use_cases=["已有ERP的零售商上线"],
        prices=_prices((1, "15000.00"))),
    ProductCreate(
        sku="SCO-IMPL", name="实施与培训服务（每人天）",
        description="数据导入、参数配置和用户培训，由云链或认证伙伴提供。",
        features=["数据导入", "参数配置", "用户培训"],
        use_cases=["新客户上线", "门店员工培训"],
        prices=_prices((1, "3000.00"))),
)


def _ensure_program(session: Session, subject: AuthSubject) -> Program:
    program = programs.program_by_name(session, PROGRAM_NAME)
    if program is None:
        program = program_service.create_program(session, subject, PROGRAM)
    return program


def _ensure_value_proposition(session: Session, subject: AuthSubject, program: Program,
                              when: Timeline) -> None:
    versions = (FIRST_VERSION, SECOND_VERSION)
    for number in range(programs.version_count(session, program.id), len(versions)):
        with when.on(VERSIONS_DAYS_AGO[number]):
            value_proposition.save_version(session, subject, program.id, versions[number],
                                           note=VERSION_NOTES[number])


def _ensure_catalogue(session: Session, subject: AuthSubject) -> None:
    for product in PRODUCTS:
        if programs.product_by_sku(session, product.sku) is None:
            catalogue.create_product(session, subject, product)


def _ensure_plan(session: Session, subject: AuthSubject, program: Program,
                 data: PlanCreate) -> CommissionPlan:
    plan = plans.plan_by_name(session, program.id, data.name)
    if plan is None:
        plan = plans.create_plan(session, subject, data)
    return plan


def _ensure_plans(session: Session, subject: AuthSubject, program: Program) -> CommissionPlan:
    """The guide's tiered plan (§4.1: under 100,000 at 15%, at or above at 20%) and a flat
    plan for agents; returns the tiered one, which the agreements use."""
    tiered = _ensure_plan(session, subject, program, PlanCreate(
        program_id=program.id, name=TIERED_PLAN, kind="tiered", currency="CNY",
        tiers=[TierIn(threshold="0", rate="15%"), TierIn(threshold="100000.00", rate="20%")],
        tier_mode="whole", boundary="inclusive", rounding_mode="half_up",
        rounding_level="line", period="month"))
    _ensure_plan(session, subject, program, PlanCreate(
        program_id=program.id, name=FLAT_PLAN, kind="flat", flat_rate="10%", currency="CNY",
        rounding_mode="half_up", rounding_level="line", period="month"))
    return tiered


def _ensure_goals(session: Session, people: Cast, program: Program, when: Timeline) -> None:
    """Set before any deal exists, as a company starting from zero would: with no history
    there is nothing the targets could be too ambitious against."""
    existing = set(session.scalars(select(Goal.title).where(Goal.program_id == program.id)))
    wanted = (
        (PROGRAM_AGE_DAYS, GoalCreate(
            program_id=program.id, title=REVENUE_GOAL, metric="channel_revenue",
            target="1500000.00", start=when.program_start,
            deadline=add_months(when.program_start, 12), owner_user_id=people.manager_id)),
        (0, GoalCreate(
            program_id=program.id, title=CUSTOMERS_GOAL, metric="new_customers",
            target="100", start=when.today, deadline=add_months(when.today, 6),
            owner_user_id=people.admin.user_id)),
    )
    for days_ago, goal in wanted:
        if goal.title not in existing:
            with when.on(days_ago):
                goals.create_goal(session, people.admin, goal)


def ensure_program(session: Session, settings: Settings) -> None:
    """Set up the demo's program and bring it to life; a second run adds nothing.

    ``settings`` is the command's configuration, as for the demo accounts; the program
    needs nothing from it today."""
    del settings
    people = cast(session)
    when = Timeline.starting_now()
    with when.on(PROGRAM_DAYS_AGO):
        program = _ensure_program(session, people.admin)
    _ensure_value_proposition(session, people.admin, program, when)
    with when.on(CATALOGUE_DAYS_AGO):
        _ensure_catalogue(session, people.admin)
    with when.on(PLANS_DAYS_AGO):
        plan = _ensure_plans(session, people.admin, program)
    _ensure_goals(session, people, program, when)
    agreements.ensure_agreements(session, people, program, plan, when)
    deals.ensure_deals(session, people, program, when)
    with when.on(0):
        ensure_demo_traffic(session)
        cadence.ensure_cadence(session, people, when)
