"""A vague goal is refused with a message that names each missing SMART part, at its field,
all at once; a SMART goal is kept. Service-level, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from qudao.accounts.roles import Role
from qudao.accounts.subject import SYSTEM
from qudao.core import clock
from qudao.db.session import Database
from qudao.goals import service, smart
from qudao.goals.models import Goal
from qudao.goals.schemas import GoalCreate, GoalUpdate
from tests.fixtures.accounts import make_partner, make_user
from tests.goals.builders import at, make_owner, make_program, won_deal

GUIDE_TITLE = "6个月内通过渠道获取100个新客户"


@pytest.fixture(autouse=True)
def _today() -> None:
    clock.freeze(at("2026-11-27 09:00"))


@pytest.fixture
def program(db: Database) -> int:
    make_owner(db)
    return make_program(db)


def guide_goal(**changes: Any) -> GoalCreate:
    values: dict[str, Any] = {"title": GUIDE_TITLE, "metric": "new_customers",
                              "target": "100", "start": "2026-12-01",
                              "deadline": "2027-06-01", "owner_email": "mei@example.com"}
    values.update(changes)
    return GoalCreate.model_validate(values)


def refusal(db: Database, data: GoalCreate) -> list[tuple[str, str, str]]:
    """(part, field, English message) of every missing part."""
    with db.unit_of_work() as session, pytest.raises(smart.GoalRefused) as refused:
        service.create_goal(session, SYSTEM, data)
    return [(p.part, p.field, p.render("en")) for p in refused.value.problems]


def goals(db: Database) -> int:
    with db.unit_of_work(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(Goal)) or 0)


def test_the_guides_goal_is_smart(db: Database, program: int) -> None:
    with db.unit_of_work() as session:
        goal = service.create_goal(session, SYSTEM, guide_goal())
        assert (goal.title, goal.metric, goal.target, goal.program_id) == (
            GUIDE_TITLE, "new_customers", 100, program)
        assert (goal.start.isoformat(), goal.deadline.isoformat()) == ("2026-12-01",
                                                                       "2027-06-01")
        assert goal.currency is None


def test_a_vague_goal_names_every_missing_part_at_once(db: Database, program: int) -> None:
    """"扩大市场份额" ("grow the market share"): the guide's example of a vague goal."""
    found = refusal(db, GoalCreate(title="扩大市场份额"))
    assert found == [
        ("specific", "metric", "Not specific: choose a metric from the catalogue."),
        ("measurable", "target", "Not measurable: the target must be a number above 0."),
        ("time_bound", "deadline", "Not time-bound: set a deadline after the start."),
        ("owner", "owner", "No owner: name the person responsible."),
    ]
    assert goals(db) == 0


@pytest.mark.parametrize(("target", "message"), [
    ("0", "Not measurable: the target must be a number above 0."),
    ("-5", "Not measurable: the target must be a number above 0."),
    ("many", "Not measurable: the target must be a number above 0."),
    ("12.5", "Not measurable: a count target is a whole number, such as 100."),
    ("1" + "0" * 15, "Not measurable: the target is too large."),
])
def test_not_measurable(db: Database, program: int, target: str, message: str) -> None:
    assert refusal(db, guide_goal(target=target)) == [("measurable", "target", message)]


def test_a_money_target_is_an_amount_of_the_program_currency(
    db: Database, program: int
) -> None:
    assert refusal(db, guide_goal(metric="channel_revenue", target="100.001")) == [
        ("measurable", "target", "Not measurable: 100.001 is not an amount of CNY.")]
    with db.unit_of_work() as session:
        goal = service.create_goal(session, SYSTEM, guide_goal(metric="channel_revenue",
                                                               target="500000.50"))
        assert (goal.target, goal.currency) == (50_000_050, "CNY")


def test_not_specific(db: Database, program: int) -> None:
    assert refusal(db, guide_goal(metric="market_share")) == [
        ("specific", "metric", "Not specific: choose a metric from the catalogue.")]


def test_not_time_bound(db: Database, program: int) -> None:
    same_day = refusal(db, guide_goal(deadline="2026-12-01"))
    assert same_day == [("time_bound", "deadline",
                         "Not time-bound: set a deadline after the start.")]
    # 1827 days (five years) is the longest goal.
    assert goals(db) == 0
    too_long = refusal(db, guide_goal(deadline="2031-12-03"))
    assert too_long == [("time_bound", "deadline", "Not time-bound: a goal runs for at most "
                         "5 years; set an earlier deadline.")]
    with db.unit_of_work() as session:
        service.create_goal(session, SYSTEM, guide_goal(deadline="2031-12-02"))
    # The deadline day is after the goal: a deadline of today has passed.
    passed = refusal(db, guide_goal(start="2026-11-01", deadline="2026-11-27"))
    assert passed == [("time_bound", "deadline", "Not time-bound: the deadline has already "
                       "passed; set one in the future.")]
    with db.unit_of_work() as session:
        service.create_goal(session, SYSTEM, guide_goal(start="2026-11-01",
                                                        deadline="2026-11-28"))


def test_no_owner(db: Database, program: int) -> None:
    partner = make_partner(db, "Alpha Distribution")
    make_user(db, "ana@alpha.example", Role.PARTNER_ADMIN, partner)
    assert refusal(db, guide_goal(owner_email=None)) == [
        ("owner", "owner", "No owner: name the person responsible.")]
    for who in ("nobody@example.com", "ana@alpha.example"):
        assert refusal(db, guide_goal(owner_email=who)) == [
            ("owner", "owner", f"No owner: {who} is not an active staff user.")]


def test_not_relevant(db: Database, program: int) -> None:
    alpha = make_partner(db, "Alpha Distribution")
    assert refusal(db, guide_goal(metric="pilot_customers", target="10")) == [
        ("relevant", "partner_id", "Not relevant: a pilot-customers goal names the partner "
         "whose pilot customers it counts.")]
    assert refusal(db, guide_goal(metric="signed_partners", target="5",
                                  partner_id=alpha)) == [
        ("relevant", "partner_id", "Not relevant: this metric counts partners, so for one "
         "partner it could only be 0 or 1. Leave the partner empty.")]
    assert refusal(db, guide_goal(partner_id=9999)) == [
        ("relevant", "partner_id", "Partner 9999 was not found.")]
    with db.unit_of_work() as session:
        goal = service.create_goal(session, SYSTEM, guide_goal(
            metric="pilot_customers", target="10", partner_id=alpha, title="10 pilots"))
        assert goal.partner_id == alpha


def test_not_achievable_when_already_reached(db: Database, program: int) -> None:
    alpha, beta = make_partner(db, "Alpha"), make_partner(db, "Beta")
    won_deal(db, alpha, "Acme", "2026-11-01")
    won_deal(db, beta, "Bright", "2026-11-20")
    # Two partners are active today; a goal of two has nothing left to achieve.
    assert refusal(db, guide_goal(metric="active_partners", target="2")) == [
        ("achievable", "target", "Not achievable: the target is already reached (2), so "
         "there is nothing left to achieve. Set a higher target.")]
    # A goal that began in the past counts what happened since its start.
    assert refusal(db, guide_goal(start="2026-10-01", target="2"))[0][0] == "achievable"
    with db.unit_of_work() as session:
        service.create_goal(session, SYSTEM, guide_goal(metric="active_partners", target="3"))
        service.create_goal(session, SYSTEM, guide_goal(start="2026-10-01", target="3"))


def test_not_achievable_when_far_beyond_the_recent_pace(db: Database, program: int) -> None:
    alpha = make_partner(db, "Alpha")
    # Two new customers in the 182 days before the start ([2026-06-02, 2026-12-01)).
    won_deal(db, alpha, "Acme", "2026-06-02")
    won_deal(db, alpha, "Bright", "2026-11-30 23:59")
    won_deal(db, alpha, "Before", "2026-06-01 23:59")  # outside the comparison
    assert refusal(db, guide_goal(target="21")) == [
        ("achievable", "target", "Not achievable: 21 is more than 10 times what the channel "
         "reached in the same length of time before the start (2). Lower the target or "
         "allow more time.")]
    with db.unit_of_work() as session:
        service.create_goal(session, SYSTEM, guide_goal(target="20"))


def test_a_channel_without_history_may_aim_high(db: Database, program: int) -> None:
    """The guide's company starts from zero: nothing to compare with, nothing refused."""
    with db.unit_of_work() as session:
        goal = service.create_goal(session, SYSTEM, guide_goal(target="100000"))
        assert goal.target == 100_000


def test_a_goal_belongs_to_a_program(db: Database) -> None:
    make_owner(db)
    assert refusal(db, guide_goal()) == [
        ("program", "program_id", "Set up the program first: a goal belongs to a program.")]
    first, second = make_program(db, "First"), make_program(db, "Second")
    assert refusal(db, guide_goal()) == [
        ("program", "program_id", "Choose the program this goal belongs to.")]
    assert refusal(db, guide_goal(program_id=999)) == [
        ("program", "program_id", "Program 999 was not found.")]
    with db.unit_of_work() as session:
        assert service.create_goal(session, SYSTEM,
                                   guide_goal(program_id=second)).program_id == second
    assert first != second


def test_an_update_must_keep_the_goal_smart(db: Database, program: int) -> None:
    with db.unit_of_work() as session:
        goal_id = service.create_goal(session, SYSTEM, guide_goal(metric="channel_revenue",
                                                                  target="500000")).id
    with db.unit_of_work() as session, pytest.raises(smart.GoalRefused) as refused:
        service.update_goal(session, SYSTEM, goal_id, GoalUpdate(target="0", deadline=None))
    assert [p.part for p in refused.value.problems] == ["measurable", "time_bound"]
    with db.unit_of_work() as session:
        # The stored amount is read as an amount again, not as minor units.
        goal = service.update_goal(session, SYSTEM, goal_id, GoalUpdate(title="Revenue H1"))
        assert (goal.title, goal.target, goal.currency) == ("Revenue H1", 50_000_000, "CNY")
        goal = service.update_goal(session, SYSTEM, goal_id, GoalUpdate(target="600000"))
        assert goal.target == 60_000_000
    clock.freeze(at("2027-07-01"))
    with db.unit_of_work() as session:
        # Past its deadline a goal may still be renamed: only a new deadline must be ahead.
        assert service.update_goal(session, SYSTEM, goal_id,
                                   GoalUpdate(title="H1 revenue")).title == "H1 revenue"
        service.archive_goal(session, SYSTEM, goal_id)
    with db.unit_of_work(read_only=True) as session:
        assert session.get(Goal, goal_id).archived  # type: ignore[union-attr]
