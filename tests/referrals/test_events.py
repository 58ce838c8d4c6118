"""Events from the company's site, and who gets the credit: the partner of the visitor's
last click within the attribution window (the default program's; 90 days without one).
A partner may only report visitors of its own links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from qudao.core import clock
from qudao.db.session import Database
from qudao.programs.models import Program
from qudao.referrals.models import ReferralEvent, ReferralLink
from tests.fixtures.accounts import TwoPartners, bearer
from tests.fixtures.security import snapshot
from tests.fixtures.tenancy.engagement import make_link

T0 = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


def _click(client: TestClient, db: Database, link_id: int) -> str:
    """Follow the link as a new browser would; the visitor id it got."""
    with db.unit_of_work(read_only=True) as session:
        link = session.get(ReferralLink, link_id)
        assert link is not None
        code = link.code
    response = client.get(f"/r/{code}", follow_redirects=False)
    assert response.status_code == 302
    return str(response.cookies.get("qudao_vid") or client.cookies.get("qudao_vid"))


def _post(client: TestClient, key: str, **body: Any) -> Any:
    return client.post("/api/v1/referral-events", headers=bearer(key), json=body)


def _credited(db: Database, event_id: int) -> int | None:
    with db.unit_of_work(read_only=True) as session:
        event = session.get(ReferralEvent, event_id)
        assert event is not None
        return event.partner_id


def _set_window(db: Database, days: int) -> None:
    with db.unit_of_work() as session:
        session.add(Program(name="Main", company_name="Us", currency="CNY",
                            attribution_days=days))


def test_the_last_click_wins_between_two_partners(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str
) -> None:
    link_a = make_link(db, world.partner_a)
    link_b = make_link(db, world.partner_b)
    with clock.frozen(T0):
        visitor = _click(client, db, link_a)
        signup = _post(client, staff_key, kind="signup", visitor_id=visitor,
                       customer_id="cust-1")
        assert signup.status_code == 201, signup.text
        assert signup.json()["partner_id"] == world.partner_a
        clock.advance(timedelta(days=3))
        assert _click(client, db, link_b) == visitor  # the same browser, the other link
        clock.advance(timedelta(days=1))
        # Known only by the customer id now: tied to the visitor by the sign-up.
        paid = _post(client, staff_key, kind="paid", customer_id="cust-1", amount="199.00",
                     currency="CNY")
    assert paid.status_code == 201, paid.text
    assert paid.json()["partner_id"] == world.partner_b
    assert paid.json()["amount"] == "199.00"
    assert paid.json()["link_id"] == link_b


def test_outside_the_window_nobody_is_credited(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str
) -> None:
    link = make_link(db, world.partner_a)
    with clock.frozen(T0):
        visitor = _click(client, db, link)
        clock.advance(timedelta(days=90))
        inside = _post(client, staff_key, kind="trial", visitor_id=visitor).json()
        clock.advance(timedelta(seconds=1))
        outside = _post(client, staff_key, kind="paid", visitor_id=visitor).json()
        unknown = _post(client, staff_key, kind="signup", visitor_id="never-seen").json()
    assert _credited(db, inside["id"]) == world.partner_a
    assert outside["partner_id"] is None
    assert outside["link_id"] is None
    assert unknown["partner_id"] is None


def test_the_window_comes_from_the_program(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str
) -> None:
    _set_window(db, 7)
    link = make_link(db, world.partner_a)
    with clock.frozen(T0):
        visitor = _click(client, db, link)
        clock.advance(timedelta(days=7))
        inside = _post(client, staff_key, kind="signup", visitor_id=visitor).json()
        clock.advance(timedelta(minutes=1))
        outside = _post(client, staff_key, kind="trial", visitor_id=visitor).json()
    assert inside["partner_id"] == world.partner_a
    assert outside["partner_id"] is None


def test_a_late_report_is_credited_as_of_its_own_time(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str
) -> None:
    """A sign-up that happened before a click on another partner's link stays with the
    partner clicked before it."""
    link_a, link_b = make_link(db, world.partner_a), make_link(db, world.partner_b)
    with clock.frozen(T0):
        visitor = _click(client, db, link_a)
        clock.advance(timedelta(days=2))
        _click(client, db, link_b)
        clock.advance(timedelta(days=1))
        late = _post(client, staff_key, kind="signup", visitor_id=visitor,
                     occurred_at=(T0 + timedelta(days=1)).isoformat()).json()
    assert late["partner_id"] == world.partner_a


def test_a_visit_reported_with_its_code_is_a_click(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str
) -> None:
    link = make_link(db, world.partner_b)
    with db.unit_of_work(read_only=True) as session:
        code = session.scalars(select(ReferralLink.code).where(ReferralLink.id == link)).one()
    visit = _post(client, staff_key, kind="visit", visitor_id="site-visitor-9", ref=code)
    assert visit.status_code == 201, visit.text
    assert (visit.json()["partner_id"], visit.json()["link_id"]) == (world.partner_b, link)
    later = _post(client, staff_key, kind="signup", visitor_id="site-visitor-9").json()
    assert later["partner_id"] == world.partner_b


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "refund", "visitor_id": "v1"}, "kind"),
    ({"kind": "signup"}, None),
    ({"kind": "signup", "visitor_id": ""}, "visitor_id"),
    ({"kind": "signup", "visitor_id": "v" * 129}, "visitor_id"),
    ({"kind": "signup", "customer_id": "bad\nid"}, "customer_id"),
    ({"kind": "signup", "visitor_id": "v1", "occurred_at": "2099-01-01T00:00:00Z"},
     "occurred_at"),
    ({"kind": "signup", "visitor_id": "v1", "occurred_at": "2026-01-01T00:00:00"},
     "occurred_at"),
    ({"kind": "paid", "visitor_id": "v1", "amount": 10.5, "currency": "CNY"}, "amount"),
    ({"kind": "paid", "visitor_id": "v1", "amount": "10.001", "currency": "CNY"}, "amount"),
    ({"kind": "paid", "visitor_id": "v1", "amount": "10"}, "currency"),
    ({"kind": "signup", "visitor_id": "v1", "amount": "10", "currency": "CNY"}, "amount"),
    ({"kind": "visit", "visitor_id": "v1", "ref": "NoSuchCode12"}, "ref"),
    ({"kind": "signup", "visitor_id": "v1", "partner_id": 1}, "partner_id"),
])
def test_bad_events_are_refused_and_write_nothing(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str,
    body: dict[str, Any], field: str | None,
) -> None:
    before = snapshot(db)
    response = _post(client, staff_key, **body)
    assert response.status_code == 422, (body, response.text)
    assert field is None or field in response.text, response.text
    assert snapshot(db) == before


def test_a_partner_reports_only_its_own_visitors(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str
) -> None:
    link_a, link_b = make_link(db, world.partner_a), make_link(db, world.partner_b)
    ours = _click(client, db, link_a)
    client.cookies.clear()
    theirs = _click(client, db, link_b)
    assert ours != theirs
    mine = _post(client, world.key_a, kind="signup", visitor_id=ours)
    assert mine.status_code == 201
    assert mine.json()["partner_id"] == world.partner_a
    before = snapshot(db)
    for body in ({"kind": "signup", "visitor_id": theirs},
                 {"kind": "signup", "visitor_id": "nobody-knows"}):
        refused = _post(client, world.key_a, **body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == "visitor_id"
    with db.unit_of_work(read_only=True) as session:
        b_code = session.scalars(select(ReferralLink.code).where(ReferralLink.id == link_b)
                                 ).one()
    forged = _post(client, world.key_a, kind="visit", visitor_id="v-x", ref=b_code)
    assert forged.status_code == 422
    assert forged.json()["field"] == "ref"
    assert snapshot(db) == before
    # A partner lists its own events only.
    listed = client.get("/api/v1/referral-events", headers=bearer(world.key_a)).json()
    assert {e["partner_id"] for e in listed["items"]} == {world.partner_a}
    everything = client.get("/api/v1/referral-events", headers=bearer(staff_key)).json()
    assert everything["total"] == 3
