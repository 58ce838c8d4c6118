"""The placeholders: dates, money and percentages written in the document's language, the
tiers of a plan in words, and the caller's agreement terms as plain data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from qudao.documents.context import build_context
from qudao.documents.placeholders import PLACEHOLDERS, sample_contexts
from qudao.documents.service import inputs_sha256
from qudao.partners.models import Contact, Partner
from qudao.programs.models import CommissionPlan, PlanTier, Program


def _program() -> Program:
    return Program(name="P", company_name="渠道云科技有限公司", currency="CNY",
                   default_locale="zh-CN", protection_days=90, attribution_days=90,
                   mdf_budget_minor=12_345_600)


def _plan(boundary: str = "inclusive") -> CommissionPlan:
    plan = CommissionPlan(name="Tiers", currency="CNY", kind="tiered", tier_mode="marginal",
                          boundary=boundary, rounding_mode="half_even",
                          rounding_level="statement", period="month", min_payout_minor=0)
    plan.tiers = [PlanTier(threshold_minor=10_000_000, rate=Decimal("0.2")),
                  PlanTier(threshold_minor=0, rate=Decimal("0.125")),
                  PlanTier(threshold_minor=50_000_000, rate=Decimal("0.25"))]
    return plan


def test_values_are_formatted_for_the_language() -> None:
    zh = build_context(locale="zh-CN", program=_program(), plan=_plan(),
                       today=date(2026, 3, 9))
    en = build_context(locale="en", program=_program(), plan=_plan(), today=date(2026, 3, 9))
    assert zh["today"] == "2026年3月9日"
    assert en["today"] == "March 9, 2026"
    assert zh["today_iso"] == "2026-03-09"
    assert zh["program"]["mdf_budget"] == "¥123,456.00"
    assert en["program"]["mdf_budget"] == "CN¥123,456.00"
    assert [t["rate"] for t in en["plan"]["tiers"]] == ["12.5%", "20%", "25%"]
    assert [t["band"] for t in en["plan"]["tiers"]] == [
        "below CN¥100,000.00", "from CN¥100,000.00 to below CN¥500,000.00",
        "CN¥500,000.00 and above"]
    assert en["plan"]["tiered"] is True
    assert en["plan"]["tier_mode_text"].startswith("Each band")
    assert en["plan"]["rounding_text"] == "Commission is rounded half to even, per statement."
    assert zh["partner"] is None


def test_an_exclusive_boundary_is_written_as_such() -> None:
    en = build_context(locale="en", program=_program(), plan=_plan("exclusive"))
    assert [t["band"] for t in en["plan"]["tiers"]] == [
        "up to CN¥100,000.00", "above CN¥100,000.00 up to CN¥500,000.00",
        "above CN¥500,000.00"]


def test_partner_and_agreement_values_are_plain_data() -> None:
    partner = Partner(name="Alpha", country="UK", partner_type="system_integrator")
    partner.contacts = [Contact(name="Ann", role="CEO", email="ann@alpha.example")]
    context = build_context(
        locale="en", program=_program(), partner=partner,
        extra={"territory": "UK", "starts_on": date(2026, 2, 1), "exclusive": True,
               "fee": Decimal("1.50"), "kpis": [{"metric": "Revenue", "target": "1"}],
               "_hidden": "x"})
    assert context["partner"]["partner_type"] == "System integrator"
    assert context["partner"]["contact"] == {"name": "Ann", "role": "CEO",
                                             "email": "ann@alpha.example", "phone": ""}
    agreement = context["agreement"]
    assert agreement["starts_on"] == "February 1, 2026"
    assert agreement["fee"] == "1.50"
    assert agreement["exclusive"] is True
    assert agreement["milestones"] == []  # a default the templates can test
    assert "_hidden" not in agreement
    # Plain data hashes the same way every time.
    assert inputs_sha256(context) == inputs_sha256(dict(reversed(list(context.items()))))


def test_every_documented_placeholder_exists_in_the_sample_data() -> None:
    context = sample_contexts("en")["full"]
    for name, _description in PLACEHOLDERS:
        value: object = context
        for part in name.split("."):
            assert isinstance(value, dict), name
            assert part in value, name
            value = value[part]


def test_the_user_guide_lists_every_placeholder() -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "documents.md").read_text()
    for name, description in PLACEHOLDERS:
        assert f"| `{name}` | {description} |" in guide, name
