"""Referral pages: staff create and switch links and read a partner's funnel; the partner
page shows its funnel and links; the portal shows a partner its own links (with copy
buttons) and its own funnel, synthetic events marked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from qudao.core import clock
from qudao.db.session import Database
from qudao.referrals.models import ReferralEvent, ReferralLink
from tests.fixtures.accounts import TwoPartners
from tests.fixtures.tenancy.engagement import make_link
from tests.web.conftest import Browser, sign_in  # noqa: F401

SignIn = Callable[..., Browser]
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _links(db: Database) -> list[tuple[int, str, bool]]:
    with db.unit_of_work(read_only=True) as session:
        return [(link.partner_id, link.landing_url, link.active) for link in
                session.scalars(select(ReferralLink).order_by(ReferralLink.id))]


def test_staff_create_a_link_and_switch_it_off(
    db: Database, world: TwoPartners, sign_in: SignIn  # noqa: F811
) -> None:
    admin = sign_in(world.admin_email)
    page = admin.get("/referrals")
    assert page.status_code == 200
    assert "No referral links yet." in page.text
    refused = admin.post("/referrals", {"partner_id": str(world.partner_a),
                                        "landing_url": "javascript:alert(1)"})
    assert refused.status_code == 422
    assert 'id="f-landing_url-error"' in refused.text
    no_partner = admin.post("/referrals", {"landing_url": "https://shop.example/"})
    assert no_partner.status_code == 422
    assert 'id="f-partner_id-error"' in no_partner.text
    assert _links(db) == []
    made = admin.post("/referrals", {"partner_id": str(world.partner_a),
                                     "landing_url": "https://shop.example/hi",
                                     "label": "Spring mailing"})
    assert made.status_code == 303
    assert made.headers["location"] == f"/referrals?partner_id={world.partner_a}"
    shown = admin.get(made.headers["location"]).text
    assert "Spring mailing" in shown
    assert "http://testserver/r/" in shown
    assert "Unique visitors" in shown  # the partner's funnel
    with db.unit_of_work(read_only=True) as session:
        link_id = session.scalars(select(ReferralLink.id)).one()
    off = admin.post(f"/referrals/{link_id}/active", {"active": "off"})
    assert off.status_code == 303
    assert _links(db) == [(world.partner_a, "https://shop.example/hi", False)]
    assert "Switched off" in admin.get("/referrals").text


def test_an_analyst_reads_but_does_not_create(
    db: Database, world: TwoPartners, sign_in: SignIn  # noqa: F811
) -> None:
    from qudao.accounts.roles import Role
    from tests.fixtures.accounts import make_user

    make_user(db, "ana@example.com", Role.ANALYST)
    analyst = sign_in("ana@example.com")
    page = analyst.get("/referrals").text
    assert 'action="/referrals"' not in page.replace('method="get" action="/referrals"', "")
    refused = analyst.post("/referrals", {"partner_id": str(world.partner_a),
                                          "landing_url": "https://shop.example/"})
    assert refused.status_code == 403
    assert _links(db) == []


def test_the_portal_shows_my_links_and_my_funnel_only(
    db: Database, world: TwoPartners, sign_in: SignIn  # noqa: F811
) -> None:
    mine = make_link(db, world.partner_a, "https://shop.example/alpha")
    make_link(db, world.partner_b, "https://shop.example/beta")
    with db.unit_of_work() as session:
        session.add(ReferralEvent(kind="visit", partner_id=world.partner_a, link_id=mine,
                                  visitor_id="demo-1", occurred_at=NOW, source="link",
                                  synthetic=True))
    with clock.frozen(NOW):
        partner = sign_in(world.email_a)
        page = partner.get("/portal/referrals")
    assert page.status_code == 200
    text = page.text
    assert "https://shop.example/alpha" in text
    assert "https://shop.example/beta" not in text
    assert 'data-copy="link-' in text
    assert "Synthetic" in text
    assert "Events generated for the demo, not real traffic: 1." in text
    with clock.frozen(NOW):
        assert partner.get("/portal/referrals?days=365").status_code == 200
        assert partner.get("/portal/referrals?days=7").status_code == 422
        # Staff pages stay closed to the partner.
        assert partner.get(f"/referrals?partner_id={world.partner_b}").status_code == 403
