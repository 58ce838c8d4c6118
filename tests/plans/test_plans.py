"""Commission plans as data: the guide's tiered plan, rates as percentages or fractions,
every rule of a sound plan, the boundary and the plan said in words."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from qudao.accounts.subject import SYSTEM
from qudao.audit.models import AuditEntry
from qudao.core.errors import Conflict, Unprocessable
from qudao.core.money import round_amount
from qudao.db.session import Database
from qudao.programs import plans
from qudao.programs.models import CommissionPlan
from qudao.programs.plan_schemas import PlanCreate, PlanUpdate
from tests.goals.builders import make_program

GUIDE = {"name": "Guide tiers", "kind": "tiered",
         "tiers": [{"threshold": "0", "rate": "15%"}, {"threshold": "100000", "rate": "20%"}]}


@pytest.fixture
def program(db: Database) -> int:
    return make_program(db)


def create(db: Database, **values: Any) -> CommissionPlan:
    with db.unit_of_work() as session:
        plan = plans.create_plan(session, SYSTEM, PlanCreate.model_validate(values))
        plans.get_plan(session, SYSTEM, plan.id)  # tiers loaded before the session ends
        return plan


def refused(db: Database, **values: Any) -> tuple[str | None, str]:
    with db.unit_of_work() as session, pytest.raises((Unprocessable, Conflict)) as error:
        plans.create_plan(session, SYSTEM, PlanCreate.model_validate(values))
    return error.value.field, error.value.render("en")


def test_the_guides_tiered_plan(db: Database, program: int) -> None:
    """Under 100,000 at 15%, at or above 100,000 at 20%."""
    plan = create(db, **GUIDE)
    assert (plan.kind, plan.currency, plan.boundary, plan.tier_mode) == (
        "tiered", "CNY", "inclusive", "whole")
    assert [(t.threshold_minor, t.rate) for t in plan.tiers] == [
        (0, Decimal("0.15")), (10_000_000, Decimal("0.2"))]
    assert plans.reached_rate(plan, 9_999_999) == Decimal("0.15")
    assert plans.reached_rate(plan, 10_000_000) == Decimal("0.2")
    assert plans.reached_rate(plan, 10_000_001) == Decimal("0.2")
    assert plans.describe(plan, "en") == [
        "Below CN¥100,000.00: 15%", "From CN¥100,000.00: 20%",
        "The rate reached applies to the whole period volume.",
        "Period: calendar month", "Rounding: half up, per line"]
    # Amounts and rates as a Chinese reader writes them.
    assert "¥100,000.00" in plans.describe(plan, "zh-CN")[0]
    assert plans.describe(plan, "zh-CN")[0].endswith("15%")


def test_an_exclusive_boundary_must_be_exceeded(db: Database, program: int) -> None:
    plan = create(db, **GUIDE, boundary="exclusive", tier_mode="marginal")
    assert plans.reached_rate(plan, 10_000_000) == Decimal("0.15")
    assert plans.reached_rate(plan, 10_000_001) == Decimal("0.2")
    assert plans.reached_rate(plan, 0) == Decimal("0.15")
    assert plans.describe(plan, "en")[:3] == [
        "Up to CN¥100,000.00: 15%", "Above CN¥100,000.00: 20%",
        "Each band of the period volume is paid at its own rate."]


def test_three_tiers_and_the_other_terms_in_words(db: Database, program: int) -> None:
    plan = create(db, name="Growth", kind="tiered", period="quarter", rounding_mode="down",
                  rounding_level="statement", min_payout="500", cap="80000.50",
                  excluded_skus=["HW-1", " SVC-2 ", "HW-1"],
                  tiers=[{"threshold": "0", "rate": "10"}, {"threshold": "50000", "rate": "0.125"},
                         {"threshold": "200000", "rate": "15.5%"}])
    assert plan.excluded_skus == ["HW-1", "SVC-2"]
    assert (plan.min_payout_minor, plan.cap_minor) == (50_000, 8_000_050)
    assert plans.describe(plan, "en") == [
        "Below CN¥50,000.00: 10%", "From CN¥50,000.00 to below CN¥200,000.00: 12.5%",
        "From CN¥200,000.00: 15.5%", "The rate reached applies to the whole period volume.",
        "Period: calendar quarter", "Rounding: down (toward zero), per statement",
        "Minimum payout: CN¥500.00", "At most CN¥80,000.50 per period",
        "No commission on: HW-1, SVC-2"]


def test_a_flat_plan(db: Database, program: int) -> None:
    plan = create(db, name="Resellers", flat_rate="10%", currency="usd")
    assert (plan.kind, plan.flat_rate, plan.currency, plan.tiers) == (
        "flat", Decimal("0.1"), "USD", [])
    assert plans.reached_rate(plan, 123) == Decimal("0.1")
    assert plans.describe(plan, "en")[0] == "10% on every sale"


@pytest.mark.parametrize(("text", "rate"), [
    ("15", "0.15"), ("15%", "0.15"), (" 15 % ", "0.15"), ("0.15", "0.15"), (15, "0.15"),
    ("0.5%", "0.005"), ("1", "0.01"), ("100%", "1"), ("12.3456%", "0.123456"), ("0", "0"),
    ("20％", "0.2"),
])
def test_rates_are_percentages_or_fractions(text: object, rate: str) -> None:
    assert plans.parse_rate(text) == Decimal(rate)


@pytest.mark.parametrize("text", ["abc", "12.34567%", 15.0, "NaN", "1e9"])
def test_a_rate_that_is_not_one_is_refused(text: object) -> None:
    with pytest.raises(Unprocessable):
        plans.parse_rate(text, "flat_rate")


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"name": "X"}, "flat_rate", "A flat plan needs its rate."),
    ({"name": "X", "flat_rate": "0"}, "flat_rate",
     "A flat rate lies above 0% and at most 100%."),
    ({"name": "X", "flat_rate": "150%"}, "flat_rate",
     "A flat rate lies above 0% and at most 100%."),
    ({"name": "X", "kind": "tiered"}, "tiers", "A tiered plan needs at least one tier."),
    ({"name": "X", "kind": "tiered", "tiers": [{"threshold": "100", "rate": "5"}]},
     "tiers.0.threshold", "The first tier starts at 0."),
    ({"name": "X", "kind": "tiered", "tiers": [
        {"threshold": "0", "rate": "5"}, {"threshold": "100", "rate": "6"},
        {"threshold": "100", "rate": "7"}]},
     "tiers.2.threshold", "Each tier starts above the one before: the thresholds must rise."),
    ({"name": "X", "kind": "tiered", "tiers": [
        {"threshold": "0", "rate": "5"}, {"threshold": "100", "rate": "120%"}]},
     "tiers.1.rate", "A rate lies between 0% and 100%."),
    ({"name": "X", "kind": "tiered", "tiers": [{"threshold": "0.001", "rate": "5"}]},
     "tiers.0.threshold", "0.001 has more decimal places than CNY allows (2)."),
    ({"name": "X", "flat_rate": "5", "tiers": [{"threshold": "0", "rate": "5"}]}, "tiers",
     "A flat plan has no tiers: choose a tiered plan, or remove the tiers."),
    ({"name": "X", "kind": "tiered", "flat_rate": "5",
      "tiers": [{"threshold": "0", "rate": "5"}]}, "flat_rate",
     "A tiered plan has no flat rate: its tiers give the rates."),
    ({"name": "X", "flat_rate": "5", "min_payout": "-1"}, "min_payout",
     "The minimum payout cannot be negative."),
    ({"name": "X", "flat_rate": "5", "min_payout": "100", "cap": "50"}, "cap",
     "The cap must be above 0 and not below the minimum payout."),
    ({"name": "X", "flat_rate": "5", "currency": "ZZZ"}, "currency",
     "ZZZ is not an ISO 4217 currency code; use one such as CNY, USD or EUR."),
    ({"name": "X", "flat_rate": "5", "currency": "JPY", "min_payout": "100.5"}, "min_payout",
     "100.5 has more decimal places than JPY allows (0)."),
    ({"name": "X", "flat_rate": "5", "cap": "1e20"}, "cap", "This amount is too large."),
])
def test_an_unsound_plan_is_refused_at_its_field(
    db: Database, program: int, values: dict[str, Any], field: str, message: str
) -> None:
    assert refused(db, **values) == (field, message)
    with db.unit_of_work(read_only=True) as session:
        assert session.scalars(select(CommissionPlan)).all() == []


def test_a_plan_belongs_to_a_program(db: Database) -> None:
    assert refused(db, name="X", flat_rate="5") == (
        "program_id", "Set up the program first: a commission plan belongs to a program.")
    first, second = make_program(db, "First"), make_program(db, "Second", "EUR")
    assert refused(db, name="X", flat_rate="5") == (
        "program_id", "Choose the program this plan belongs to.")
    plan = create(db, name="X", flat_rate="5", program_id=second)
    assert (plan.program_id, plan.currency) == (second, "EUR")
    # Names are unique within a program, whatever their case.
    assert refused(db, name="x", flat_rate="6", program_id=second) == (
        "name", "A plan named x already exists in this program.")
    assert create(db, name="X", flat_rate="5", program_id=first).program_id == first


def test_a_change_replaces_the_tiers_and_is_audited(db: Database, program: int) -> None:
    plan_id = create(db, **GUIDE).id
    with db.unit_of_work() as session:
        # The same thresholds with new rates: the old rows go before the new ones come.
        plan = plans.update_plan(session, SYSTEM, plan_id, PlanUpdate.model_validate({
            "tiers": [{"threshold": "0", "rate": "16%"}, {"threshold": "100000", "rate": "21"},
                      {"threshold": "500000", "rate": "25"}]}))
        assert [(t.threshold_minor, t.rate) for t in plan.tiers] == [
            (0, Decimal("0.16")), (10_000_000, Decimal("0.21")), (50_000_000, Decimal("0.25"))]
    with db.unit_of_work() as session:
        # A new currency keeps the numbers; a flat plan drops the tiers.
        plan = plans.update_plan(session, SYSTEM, plan_id, PlanUpdate(currency="USD"))
        assert (plan.currency, plan.tiers[1].threshold_minor) == ("USD", 10_000_000)
        plan = plans.update_plan(session, SYSTEM, plan_id,
                                 PlanUpdate(kind="flat", flat_rate="12%"))
        assert (plan.kind, plan.flat_rate, plan.tiers) == ("flat", Decimal("0.12"), [])
        plan = plans.deactivate_plan(session, SYSTEM, plan_id)
        assert plan.active is False
    with db.unit_of_work(read_only=True) as session:
        actions = list(session.scalars(select(AuditEntry.action).where(
            AuditEntry.target_type == "commission_plan").order_by(AuditEntry.id)))
        assert actions == ["plan.create"] + ["plan.update"] * 4
        first = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "plan.update").order_by(AuditEntry.id)).first()
        assert first is not None
        assert '"tiers"' in (first.after or "")


def test_payouts_may_round_down_or_up() -> None:
    """The plans' two further rounding modes, toward and away from zero."""
    assert round_amount(Decimal("1.239"), "EUR", "down") == Decimal("1.23")
    assert round_amount(Decimal("1.231"), "EUR", "up") == Decimal("1.24")
    assert round_amount(Decimal("-1.239"), "EUR", "down") == Decimal("-1.23")
    assert round_amount(Decimal("1.5"), "JPY", "up") == Decimal("2")
