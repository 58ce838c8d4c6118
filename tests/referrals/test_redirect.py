"""The public referral redirect /r/{code}: a visit recorded, a first-party visitor cookie
set once, and the browser sent on to the landing URL with ref and vid."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import select

from qudao.core import clock
from qudao.db.session import Database
from qudao.referrals.models import ReferralEvent
from qudao.referrals.redirect import VISITOR_COOKIE
from tests.fixtures.accounts import make_partner
from tests.fixtures.security import session_cookie
from tests.fixtures.tenancy.engagement import make_link

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _code(db: Database, link_id: int) -> str:
    from qudao.referrals.models import ReferralLink

    with db.unit_of_work(read_only=True) as session:
        link = session.get(ReferralLink, link_id)
        assert link is not None
        return link.code


def _visits(db: Database) -> list[tuple[int | None, int | None, str | None, str]]:
    with db.unit_of_work(read_only=True) as session:
        return [(e.partner_id, e.link_id, e.visitor_id, e.source) for e in session.scalars(
            select(ReferralEvent).where(ReferralEvent.kind == "visit")
            .order_by(ReferralEvent.id))]


def test_a_click_records_the_visit_sets_the_cookie_and_redirects(
    client: TestClient, db: Database
) -> None:
    partner = make_partner(db, "Redirect Partner")
    link = make_link(db, partner, "https://shop.example/welcome?utm_source=partner&ref=old#top")
    code = _code(db, link)
    with clock.frozen(NOW):
        first = client.get(f"/r/{code}", follow_redirects=False)
    assert first.status_code == 302
    target = urlsplit(first.headers["location"])
    assert (target.scheme, target.netloc, target.path, target.fragment) == (
        "https", "shop.example", "/welcome", "top")
    query = parse_qs(target.query)
    visitor = query["vid"][0]
    assert query["ref"] == [code]
    assert query["utm_source"] == ["partner"]
    cookie = session_cookie(first)[VISITOR_COOKIE]
    assert cookie.value == visitor
    assert cookie["httponly"]
    assert cookie["samesite"].lower() == "lax"
    assert not cookie["secure"]  # the test settings are not production
    assert int(cookie["max-age"]) == 90 * 86_400
    assert first.headers["cache-control"] == "no-store"
    assert _visits(db) == [(partner, link, visitor, "link")]

    # The second click: the same visitor, no new cookie, a second visit.
    second = client.get(f"/r/{code}", follow_redirects=False)
    assert second.status_code == 302
    assert VISITOR_COOKIE not in session_cookie(second)
    assert parse_qs(urlsplit(second.headers["location"]).query)["vid"] == [visitor]
    assert _visits(db) == [(partner, link, visitor, "link")] * 2


def test_unknown_inactive_and_malformed_codes_answer_404(
    client: TestClient, db: Database
) -> None:
    from qudao.accounts.subject import SYSTEM
    from qudao.referrals import service
    from qudao.referrals.schemas import LinkUpdate

    link = make_link(db, make_partner(db, "Switched Off"))
    code = _code(db, link)
    with db.unit_of_work() as session:
        service.update_link(session, SYSTEM, link, LinkUpdate(active=False))
    for path in (f"/r/{code}", "/r/AAAAAAAAAAAA", "/r/x", "/r/<script>"):
        response = client.get(path, follow_redirects=False, headers={"Accept": "text/html"})
        assert response.status_code == 404, path
        assert "text/html" in response.headers["content-type"]
        assert VISITOR_COOKIE not in session_cookie(response)
    assert _visits(db) == []


def test_a_forged_visitor_cookie_is_replaced(client: TestClient, db: Database) -> None:
    code = _code(db, make_link(db, make_partner(db, "Cookie Partner")))
    client.cookies.set(VISITOR_COOKIE, "<bad value>")
    response = client.get(f"/r/{code}", follow_redirects=False)
    fresh = session_cookie(response)[VISITOR_COOKIE].value
    assert fresh != "<bad value>"
    assert len(fresh) >= 16
    assert _visits(db)[0][2] == fresh


def test_a_signed_in_staff_user_following_a_link_is_counted_too(
    client: TestClient, db: Database
) -> None:
    from qudao.accounts.roles import Role
    from tests.fixtures.accounts import login, make_user

    make_user(db, "clicker@example.com", Role.ANALYST)
    login(client, "clicker@example.com")
    code = _code(db, make_link(db, make_partner(db, "Staff Click")))
    assert client.get(f"/r/{code}", follow_redirects=False).status_code == 302
    assert len(_visits(db)) == 1
