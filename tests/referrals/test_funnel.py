"""A partner's funnel on fixture events: distinct people per step, each step's rate from
the step before, the overall rate, exact percentages, and no division by zero."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from fastapi.testclient import TestClient

from qudao.core import clock
from qudao.db.session import Database
from qudao.referrals.funnel import percent
from qudao.referrals.models import ReferralEvent
from tests.fixtures.accounts import TwoPartners, bearer

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _events(db: Database, partner_id: int | None, rows: list[tuple[str, str | None,
                                                                   str | None, int]],
            *, synthetic: bool = False, amount: int | None = None) -> None:
    """(kind, visitor, customer, days ago)"""
    with db.unit_of_work() as session:
        for kind, visitor, customer, ago in rows:
            session.add(ReferralEvent(
                kind=kind, partner_id=partner_id, visitor_id=visitor, customer_id=customer,
                occurred_at=NOW - timedelta(days=ago), source="api", synthetic=synthetic,
                amount_minor=amount if kind == "paid" else None,
                currency="CNY" if kind == "paid" and amount else None))


def test_percent_is_exact_and_safe() -> None:
    assert percent(1, 3) == Decimal("33.33")
    assert percent(2, 3) == Decimal("66.67")
    assert percent(1, 8) == Decimal("12.50")
    assert percent(0, 0) == Decimal("0.00")
    assert percent(5, 0) == Decimal("0.00")
    assert percent(3, 3) == Decimal("100.00")


def test_the_funnel_counts_people_per_step(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str
) -> None:
    a = world.partner_a
    visits = [("visit", f"v{i}", None, 5) for i in range(8)]
    visits += [("visit", "v0", None, 3), ("visit", "v1", None, 2)]  # come back: one each
    _events(db, a, visits)
    _events(db, a, [("signup", "v0", "c0", 4), ("signup", "v1", "c1", 4),
                    ("signup", "v2", None, 4), ("signup", "v2", None, 3)])  # twice: one
    _events(db, a, [("trial", None, "c0", 2), ("trial", "v1", "c1", 2)])
    _events(db, a, [("paid", None, "c0", 1)], amount=19900)
    _events(db, a, [("paid", None, "c0", 1)], amount=100)  # a second payment, same person
    _events(db, a, [("visit", "old", None, 120)])  # before the period
    _events(db, world.partner_b, [("visit", "b1", None, 1), ("paid", None, "cb", 1)],
            amount=500)
    _events(db, None, [("visit", "u1", None, 1)])
    with clock.frozen(NOW):
        body = client.get(f"/api/v1/partners/{a}/funnel", headers=bearer(staff_key)).json()
    assert body["since"] == "2026-08-30"
    assert body["until"] == "2026-11-27"
    assert body["attribution_days"] == 90
    steps = {s["kind"]: (s["count"], s["rate"]) for s in body["steps"]}
    assert steps == {"visit": (8, None), "signup": (3, "37.50"), "trial": (2, "66.67"),
                     "paid": (1, "50.00")}
    assert body["overall_rate"] == "12.50"
    assert body["revenue"] == [{"currency": "CNY", "amount": "200.00"}]
    assert body["synthetic_events"] == 0
    assert [s["label"] for s in body["steps"]] == ["Unique visitors", "Sign-ups", "Trials",
                                                    "Paid"]


def test_an_empty_funnel_is_all_zero(
    client: TestClient, world: TwoPartners, staff_key: str
) -> None:
    body = client.get(f"/api/v1/partners/{world.partner_a}/funnel",
                      headers=bearer(staff_key)).json()
    assert [(s["count"], s["rate"]) for s in body["steps"]] == [
        (0, None), (0, "0.00"), (0, "0.00"), (0, "0.00")]
    assert body["overall_rate"] == "0.00"
    assert body["revenue"] == []


def test_a_period_and_synthetic_events(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str
) -> None:
    _events(db, world.partner_a, [("visit", "s1", None, 10), ("signup", "s1", None, 10)],
            synthetic=True)
    _events(db, world.partner_a, [("visit", "r1", None, 40)])
    with clock.frozen(NOW):
        recent = client.get(f"/api/v1/partners/{world.partner_a}/funnel",
                            params={"since": (NOW.date() - timedelta(days=30)).isoformat()},
                            headers=bearer(staff_key)).json()
        bad = client.get(f"/api/v1/partners/{world.partner_a}/funnel",
                         params={"since": "2026-12-01", "until": "2026-11-01"},
                         headers=bearer(staff_key))
    assert [s["count"] for s in recent["steps"]] == [1, 1, 0, 0]
    assert recent["synthetic_events"] == 2
    assert bad.status_code == 422


def test_a_partner_reads_its_own_funnel_only(
    client: TestClient, db: Database, world: TwoPartners
) -> None:
    _events(db, world.partner_a, [("visit", "x", None, 1)])
    with clock.frozen(NOW):
        own = client.get(f"/api/v1/partners/{world.partner_a}/funnel",
                         headers=bearer(world.key_a))
        other = client.get(f"/api/v1/partners/{world.partner_b}/funnel",
                           headers=bearer(world.key_a))
    assert own.status_code == 200
    assert own.json()["steps"][0]["count"] == 1
    assert other.status_code == 404


def test_dates_are_days(db: Database) -> None:
    from qudao.referrals.funnel import period

    with clock.frozen(NOW):
        assert period(None, None) == (date(2026, 8, 30), date(2026, 11, 27))
        assert period(None, None, 30) == (date(2026, 10, 29), date(2026, 11, 27))
