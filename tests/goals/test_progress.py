"""A goal's live progress against the pace, with a frozen clock at each boundary: equal to
the pace is on track, a fraction of a customer behind is not behind, the deadline day is
after the goal, and a target reached is achieved."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from qudao.accounts.subject import SYSTEM
from qudao.core import clock
from qudao.db.session import Database
from qudao.goals import progress, service
from qudao.goals.models import Goal
from qudao.goals.schemas import GoalCreate
from tests.fixtures.accounts import make_partner
from tests.goals.builders import at, make_owner, make_program, new_customers

GUIDE = {"title": "6个月内通过渠道获取100个新客户", "metric": "new_customers", "target": "100",
         "start": "2026-12-01", "deadline": "2027-06-01", "owner_email": "mei@example.com"}


@pytest.fixture
def guide(db: Database) -> tuple[int, int]:
    """The guide's goal (182 days, 100 new customers) and a partner to win them."""
    make_owner(db)
    make_program(db)
    partner = make_partner(db, "Alpha Distribution")
    with clock.frozen(at("2026-11-27")), db.unit_of_work() as session:
        goal = service.create_goal(session, SYSTEM, GoalCreate.model_validate(GUIDE))
    return goal.id, partner


def read(db: Database, goal_id: int, now: str | None = None) -> progress.Progress:
    with db.unit_of_work(read_only=True) as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        return progress.progress(session, goal, at(now) if now else None)


def test_before_and_at_the_start_nothing_is_expected(
    db: Database, guide: tuple[int, int]
) -> None:
    goal_id, _partner = guide
    before = read(db, goal_id, "2026-11-30")
    assert (before.actual, before.pace, before.status) == (0, 0, "on_track")
    assert (before.days_total, before.days_left) == (182, 183)
    at_start = read(db, goal_id, "2026-12-01")
    assert (at_start.pace, at_start.status, at_start.days_left) == (0, "on_track", 182)


def test_equal_to_the_pace_is_on_track_one_below_is_at_risk(
    db: Database, guide: tuple[int, int]
) -> None:
    goal_id, partner = guide
    new_customers(db, partner, 49, "2027-01-15")
    # 91 of 182 days: the pace is exactly half the target.
    behind = read(db, goal_id, "2027-03-02")
    assert (behind.actual, behind.pace, behind.status) == (49, 50, "at_risk")
    assert behind.percent == Decimal("49.0")
    new_customers(db, partner, 1, "2027-03-01 23:59:59", prefix="Late")
    equal = read(db, goal_id, "2027-03-02")
    assert (equal.actual, equal.pace, equal.status) == (50, 50, "on_track")
    assert equal.days_left == 91


def test_a_fraction_of_a_customer_behind_is_not_behind(
    db: Database, guide: tuple[int, int]
) -> None:
    goal_id, partner = guide
    new_customers(db, partner, 50, "2027-01-15")
    # 92 days: pace 50.549…, rounded down to 50 customers: on track.
    day_92 = read(db, goal_id, "2027-03-03")
    assert day_92.pace > 50
    assert day_92.status == "on_track"
    # 93 days: pace 51.098…: one whole customer behind.
    day_93 = read(db, goal_id, "2027-03-04")
    assert (day_93.pace > 51, day_93.status) == (True, "at_risk")


def test_the_deadline_day_is_after_the_goal(db: Database, guide: tuple[int, int]) -> None:
    goal_id, partner = guide
    new_customers(db, partner, 99, "2027-05-20")
    # A customer won at 00:00 UTC of the deadline is after the goal.
    new_customers(db, partner, 1, "2027-06-01 00:00", prefix="Too late")
    last_instant = at("2027-06-01") - timedelta(microseconds=1)
    with db.unit_of_work(read_only=True) as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        late = progress.progress(session, goal, last_instant)
    # Pace 99.99…, rounded down to 99: still on track, one microsecond before the end.
    assert (late.actual, late.status, late.days_left) == (99, "on_track", 1)
    ended = read(db, goal_id, "2027-06-01")
    assert (ended.actual, ended.pace, ended.status, ended.days_left) == (99, 100, "missed", 0)
    assert read(db, goal_id, "2027-09-01").status == "missed"


def test_a_target_reached_is_achieved_and_stays_so(
    db: Database, guide: tuple[int, int]
) -> None:
    goal_id, partner = guide
    new_customers(db, partner, 100, "2027-05-31 23:00")
    # Data counts from the instant after it happened: [start, now).
    assert read(db, goal_id, "2027-05-31 23:00").status == "at_risk"
    assert read(db, goal_id, "2027-05-31 23:00:01").status == "achieved"
    assert read(db, goal_id, "2027-06-01").status == "achieved"
    new_customers(db, partner, 1, "2027-02-01", prefix="Early")
    later = read(db, goal_id, "2028-01-01")
    assert (later.actual, later.status, later.percent) == (101, "achieved", Decimal("101.0"))


def test_the_chart_series_reads_actual_against_pace(
    db: Database, guide: tuple[int, int]
) -> None:
    goal_id, partner = guide
    new_customers(db, partner, 10, "2026-12-03 10:00")
    new_customers(db, partner, 5, "2027-01-20 10:00", prefix="Second")
    with db.unit_of_work(read_only=True) as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        points = progress.series(session, goal, at("2027-01-20 12:00"))
        headline = progress.progress(session, goal, at("2027-01-20 12:00"))
    # 182 days: a point a week from the start, the deadline, and now.
    assert points[0].at == at("2026-12-01")
    assert points[1].at == at("2026-12-08")
    assert points[-1].at == at("2027-06-01")
    assert len(points) == 26 + 1 + 1
    now_point = next(p for p in points if p.at == at("2027-01-20 12:00"))
    assert now_point.actual == headline.actual == 15
    assert [p.actual for p in points[:3]] == [0, 10, 10]
    assert all(p.actual is None for p in points if p.at > at("2027-01-20 12:00"))
    assert points[1].pace == Decimal("3.85")  # 100 × 7 / 182, to hundredths
    assert points[-1].pace == 100


def test_a_short_goal_has_a_point_per_day(db: Database) -> None:
    make_owner(db)
    make_program(db)
    with clock.frozen(at("2026-11-27")), db.unit_of_work() as session:
        goal = service.create_goal(session, SYSTEM, GoalCreate.model_validate(
            {**GUIDE, "deadline": "2027-03-02"}))  # 91 days
        points = progress.series(session, goal, at("2026-11-27"))
    assert len(points) == 92
    assert points[1].at - points[0].at == timedelta(days=1)
    assert all(p.actual is None for p in points)


def test_a_money_goal_reads_amounts(db: Database) -> None:
    make_owner(db)
    make_program(db)
    partner = make_partner(db, "Alpha Distribution")
    with clock.frozen(at("2026-11-27")), db.unit_of_work() as session:
        goal_id = service.create_goal(session, SYSTEM, GoalCreate.model_validate(
            {**GUIDE, "metric": "channel_revenue", "target": "1000000.00"})).id
    new_customers(db, partner, 3, "2026-12-10")  # 3 × 1,000.00
    found = read(db, goal_id, "2026-12-11")
    assert (found.actual, found.target) == (Decimal("3000.00"), Decimal("1000000.00"))
    # 10 of 182 days: 54,945.054…, rounded down to the fen before comparing.
    assert found.status == "at_risk"
