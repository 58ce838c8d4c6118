"""KPI actuals from the partner's deals over the current period, and milestone statuses
around their due dates, with a frozen clock."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from qudao.accounts.subject import SYSTEM
from qudao.agreements import present, repository
from qudao.agreements.measures import percent, period_window
from qudao.agreements.schemas import KpiIn, MilestoneIn
from qudao.core import clock
from qudao.core.errors import Unprocessable
from qudao.db.session import Database
from tests.agreements.builders import draft, signed, utc, won_deal
from tests.fixtures.accounts import make_partner

START, END = date(2026, 1, 1), date(2026, 12, 31)


@pytest.mark.parametrize(("period", "today", "window"), [
    ("quarter", date(2026, 5, 20), (date(2026, 4, 1), date(2026, 6, 30))),
    ("month", date(2026, 2, 10), (date(2026, 2, 1), date(2026, 2, 28))),
    ("year", date(2026, 5, 20), (START, END)),
    ("term", date(2026, 5, 20), (START, END)),
    # Before the term: its first period; after it: its last.
    ("quarter", date(2025, 11, 3), (date(2026, 1, 1), date(2026, 3, 31))),
    ("month", date(2027, 2, 1), (date(2026, 12, 1), END)),
])
def test_the_current_period(period: str, today: date, window: tuple[date, date]) -> None:
    assert period_window(period, today, START, END) == window


def test_a_period_is_cut_to_the_term() -> None:
    assert period_window("quarter", date(2026, 2, 20), date(2026, 2, 15), END) == (
        date(2026, 2, 15), date(2026, 3, 31))


def test_attainment_rounds_half_up_to_one_decimal() -> None:
    assert percent(Decimal("1"), Decimal("3")) == Decimal("33.3")
    assert percent(Decimal("2"), Decimal("3")) == Decimal("66.7")
    assert percent(Decimal("150000.00"), Decimal("100000.00")) == Decimal("150.0")


def _detail(db: Database, agreement_id: int):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as session:
        agreement = repository.get(session, SYSTEM, agreement_id)
        return present.detail_out(session, SYSTEM, agreement, "en")


def test_kpi_actuals_come_from_the_partners_won_deals_in_the_quarter(db: Database) -> None:
    partner = make_partner(db, "Selling Partner")
    other = make_partner(db, "Someone Else")
    clock.freeze(utc(2025, 12, 15))
    agreement_id = signed(db, partner)
    # In Q2 2026: two won deals of the partner (one customer twice), one lost, one of
    # another partner, one in another currency, one in Q1.
    won_deal(db, partner, 6_000_000, utc(2026, 4, 2), customer="Acme Retail")
    won_deal(db, partner, 2_550_050, utc(2026, 5, 30), customer="Acme Retail")
    won_deal(db, partner, 1_000_000, utc(2026, 6, 30, 23), customer="Blue Sky Foods")
    won_deal(db, partner, 9_900_000, utc(2026, 5, 1), customer="Lost Cause", stage="lost")
    won_deal(db, other, 5_000_000, utc(2026, 5, 1), customer="Elsewhere")
    won_deal(db, partner, 7_000_000, utc(2026, 5, 1), customer="Dollar Inc", currency="USD")
    won_deal(db, partner, 3_000_000, utc(2026, 3, 31, 23), customer="Early Bird")
    clock.freeze(utc(2026, 6, 15))
    detail = _detail(db, agreement_id)
    revenue, customers = detail.kpis
    assert (revenue.metric, revenue.currency, revenue.period_start, revenue.period_end) == (
        "channel_revenue", "CNY", date(2026, 4, 1), date(2026, 6, 30))
    assert revenue.target == Decimal("100000.00")
    assert revenue.actual == Decimal("95500.50")
    assert revenue.percent == Decimal("95.5")
    # Acme, Blue Sky and Dollar Inc (customers count in any currency); Acme's second deal
    # is not a new customer, and Early Bird was won in Q1.
    assert (customers.actual, customers.target, customers.percent) == (
        Decimal(3), Decimal(10), Decimal("30.0"))

    clock.freeze(utc(2026, 7, 1))
    revenue, customers = _detail(db, agreement_id).kpis
    assert (revenue.period_start, revenue.actual) == (date(2026, 7, 1), Decimal(0))


def _statuses(db: Database, agreement_id: int) -> dict[str, str]:
    return {m.title: m.status for m in _detail(db, agreement_id).milestones}


def test_milestone_statuses_around_their_due_dates(db: Database) -> None:
    partner = make_partner(db, "Milestone Partner")
    clock.freeze(utc(2025, 12, 15))
    agreement_id = signed(db, partner, milestones=[
        MilestoneIn(title="Kick-off workshop held", due_on=date(2026, 2, 15)),
        MilestoneIn(title="First quarter: 3 pilot customers", due_on=date(2026, 3, 31),
                    metric="pilot_customers", target=3),
    ])
    clock.freeze(utc(2026, 1, 10))
    assert _statuses(db, agreement_id) == {"Kick-off workshop held": "upcoming",
                                           "First quarter: 3 pilot customers": "upcoming"}
    clock.freeze(utc(2026, 2, 1))
    assert _statuses(db, agreement_id)["Kick-off workshop held"] == "due_soon"
    clock.freeze(utc(2026, 2, 16))
    assert _statuses(db, agreement_id)["Kick-off workshop held"] == "overdue"
    with db.unit_of_work() as session:
        agreement = repository.get(session, SYSTEM, agreement_id)
        hand = next(m for m in agreement.milestones if m.metric is None)
        from qudao.agreements import service

        service.tick_milestone(session, SYSTEM, agreement_id, hand.id)
        measured = next(m for m in agreement.milestones if m.metric is not None)
        with pytest.raises(Unprocessable):
            service.tick_milestone(session, SYSTEM, agreement_id, measured.id)
    assert _statuses(db, agreement_id)["Kick-off workshop held"] == "done"

    for day, name in ((10, "Pilot One"), (20, "Pilot Two")):
        won_deal(db, partner, 100_00, utc(2026, 3, day), customer=name)
    clock.freeze(utc(2026, 3, 25))
    assert _statuses(db, agreement_id)["First quarter: 3 pilot customers"] == "due_soon"
    # The third pilot comes after the due date: the milestone was missed.
    won_deal(db, partner, 100_00, utc(2026, 4, 2), customer="Pilot Three")
    clock.freeze(utc(2026, 4, 5))
    measured_out = next(m for m in _detail(db, agreement_id).milestones if m.measured)
    assert (measured_out.status, measured_out.actual, measured_out.target) == (
        "overdue", Decimal(2), Decimal(3))
    won_deal(db, partner, 100_00, utc(2026, 3, 31, 22), customer="Pilot Late In March")
    assert _statuses(db, agreement_id)["First quarter: 3 pilot customers"] == "done"


def test_kpis_and_milestones_refuse_what_cannot_be_measured(db: Database) -> None:
    partner = make_partner(db, "Odd Partner")
    for kpis, milestones, needle in [
        ([KpiIn(metric="active_partners", target=1, period="year")], [],
         "cannot be measured for one partner"),
        ([KpiIn(metric="channel_revenue", target="100.001", period="year")], [],
         "more decimal places than CNY allows"),
        ([KpiIn(metric="new_customers", target=0, period="year")], [], "greater than zero"),
        ([], [MilestoneIn(title="Half", due_on=date(2026, 6, 1), metric="new_customers")],
         "needs both a metric and a target"),
    ]:
        with pytest.raises(Unprocessable) as refused:
            draft(db, partner, kpis=kpis, milestones=milestones)
        assert needle in refused.value.render("en"), refused.value.render("en")
