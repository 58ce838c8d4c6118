"""The placeholders a template may use, described for the people who edit templates, and the
sample data every template is tried with before it is saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from qudao.core.i18n import N_, LocaleCode
from qudao.documents.context import Context, build_context
from qudao.partners.models import Contact, Partner
from qudao.programs.models import CommissionPlan, PlanTier, Program

# (name, description): shown on the template page and in docs/documents.md.
PLACEHOLDERS: tuple[tuple[str, str], ...] = (
    ("today", N_("Today's date, written out in the document's language")),
    ("today_iso", N_("Today's date as YYYY-MM-DD")),
    ("language", N_("The document's language: zh-CN or en")),
    ("company.name", N_("Your company's name (from the program)")),
    ("company.profile", N_("Your company's profile")),
    ("company.industry", N_("Your company's industry")),
    ("program.name", N_("The partner program's name")),
    ("program.currency", N_("The program's currency, such as CNY")),
    ("program.support_training", N_("Support policy: training")),
    ("program.support_marketing", N_("Support policy: marketing resources")),
    ("program.mdf_budget", N_("Market-development funds, as an amount; empty when not set")),
    ("program.exit_terms", N_("Exit terms of the program")),
    ("program.protection_days", N_("Days a registered deal is protected")),
    ("program.attribution_days", N_("Days a referral keeps its credit")),
    ("partner", N_("The partner; empty when no partner was chosen, so test it before "
                   "using its fields")),
    ("partner.name", N_("The partner's name")),
    ("partner.country", N_("The partner's country")),
    ("partner.region", N_("The partner's region")),
    ("partner.website", N_("The partner's website")),
    ("partner.industry", N_("The partner's industry")),
    ("partner.partner_type", N_("The partner's type, such as distributor")),
    ("partner.contacts", N_("The partner's contacts; each has name, role, email and phone")),
    ("partner.contact", N_("The partner's first contact, or nothing")),
    ("plan", N_("The commission plan, or nothing when none was chosen")),
    ("plan.name", N_("The plan's name")),
    ("plan.kind_label", N_("Flat rate, or tiered by period volume")),
    ("plan.tiered", N_("True for a tiered plan")),
    ("plan.flat_rate", N_("The flat rate as a percentage, such as 15%")),
    ("plan.tiers", N_("The tiers; each has threshold (an amount), rate (a percentage) and "
                      "band (the volumes it covers, in words)")),
    ("plan.tier_mode_text", N_("Whether the reached rate applies to the whole volume or "
                               "each band earns its own rate, as a sentence")),
    ("plan.boundary_text", N_("Whether a volume equal to a threshold reaches the tier, as a "
                              "sentence")),
    ("plan.rounding_text", N_("How commission is rounded, as a sentence")),
    ("plan.period_text", N_("The plan's period: calendar month or quarter")),
    ("plan.min_payout", N_("The smallest payout, as an amount; empty when none")),
    ("plan.cap", N_("The most a period pays, as an amount; empty when none")),
    ("agreement.territory", N_("Agreement: the territory")),
    ("agreement.partner_type", N_("Agreement: the partner's role under it")),
    ("agreement.starts_on", N_("Agreement: first day of the term")),
    ("agreement.ends_on", N_("Agreement: last day of the term")),
    ("agreement.exclusive", N_("Agreement: true when exclusive in the territory")),
    ("agreement.exclusivity", N_("Agreement: exclusivity in words")),
    ("agreement.kpis", N_("Agreement: KPIs; each has metric, target and period")),
    ("agreement.milestones", N_("Agreement: milestones; each has title, due_on, metric and "
                                "target")),
    ("agreement.ip_clause", N_("Agreement: the intellectual-property clause")),
    ("agreement.termination_terms", N_("Agreement: the termination conditions")),
)
SAMPLE_DAY = date(2026, 1, 15)


def _sample_program(locale: LocaleCode) -> Program:
    chinese = locale == "zh-CN"
    return Program(
        name="渠道合作伙伴计划" if chinese else "Partner Program",
        company_name="示例科技有限公司" if chinese else "Example Software Ltd.",
        company_profile="企业软件供应商。" if chinese else "A business software vendor.",
        industry="B2B software", currency="CNY", default_locale=locale,
        protection_days=90, attribution_days=90, inactivity_days=30,
        support_training="每季度两次认证培训。" if chinese
        else "Two certification trainings a quarter.",
        support_marketing="联合市场活动与宣传资料。" if chinese
        else "Joint campaigns and sales collateral.",
        mdf_budget_minor=5_000_000, exit_terms="提前 90 天书面通知。" if chinese
        else "Ninety days' written notice.",
    )


def _sample_partner(locale: LocaleCode) -> Partner:
    chinese = locale == "zh-CN"
    partner = Partner(name="华东示例分销有限公司" if chinese else "Sample Distribution GmbH",
                      country="中国" if chinese else "Germany",
                      region="华东" if chinese else "DACH", website="https://partner.example",
                      industry="IT services", partner_type="distributor")
    partner.contacts = [Contact(name="李明" if chinese else "Anna Weber", role="CEO",
                                email="ceo@partner.example", phone="+86 21 5555 0100")]
    return partner


def _sample_plan() -> CommissionPlan:
    plan = CommissionPlan(name="Standard", currency="CNY", kind="tiered", flat_rate=None,
                          tier_mode="whole", boundary="inclusive", rounding_mode="half_up",
                          rounding_level="line", period="quarter", min_payout_minor=0,
                          cap_minor=None)
    plan.tiers = [PlanTier(threshold_minor=0, rate=Decimal("0.15")),
                  PlanTier(threshold_minor=10_000_000, rate=Decimal("0.20"))]
    return plan


def _sample_agreement(locale: LocaleCode) -> dict[str, object]:
    chinese = locale == "zh-CN"
    return {
        "territory": "华东地区" if chinese else "Germany, Austria, Switzerland",
        "partner_type": "分销商" if chinese else "Distributor",
        "starts_on": date(2026, 2, 1), "ends_on": date(2027, 1, 31), "exclusive": True,
        "exclusivity": "区域内独家" if chinese else "Exclusive in the territory",
        "kpis": [{"metric": "销售额" if chinese else "Revenue", "target": "¥500,000.00",
                  "period": "每季度" if chinese else "per quarter"}],
        "milestones": [{"title": "首季度：10 家试点客户" if chinese
                        else "First quarter: 10 pilot customers",
                        "due_on": date(2026, 4, 30), "metric": "", "target": ""}],
        "ip_clause": "知识产权归各自所有。" if chinese else "Each party keeps its own IP.",
        "termination_terms": "任何一方可提前 90 天书面通知终止。" if chinese
        else "Either party may end the agreement with 90 days' written notice.",
    }


def sample_contexts(locale: LocaleCode) -> dict[str, Context]:
    """Every template must render with all data present and with only the program: a
    document may be made without a partner, a plan or an agreement."""
    program = _sample_program(locale)
    return {
        "full": build_context(locale=locale, program=program, partner=_sample_partner(locale),
                              plan=_sample_plan(), extra=_sample_agreement(locale),
                              today=SAMPLE_DAY),
        "minimal": build_context(locale=locale, program=program, today=SAMPLE_DAY),
    }
