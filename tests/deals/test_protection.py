"""Customer protection over time: what the job runner calls (expiry, reminders), won deals
keeping their customer, and extensions around the end of a protection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qudao.accounts.subject import SYSTEM
from qudao.core import clock
from qudao.core.errors import Conflict
from qudao.db.session import Database
from qudao.deals import repository, service
from qudao.deals.claims import CustomerProtected
from qudao.deals.customers import identify
from qudao.deals.schemas import DealCreate
from tests.deals.builders import approve, deal_body, program, register, win
from tests.fixtures.accounts import TwoPartners
from tests.fixtures.security import count

START = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _ids(deals: list[object]) -> list[int]:
    return [deal.id for deal in deals]  # type: ignore[attr-defined]


def test_expiry_releases_claims_once_and_names_the_open_deals(
    db: Database, world: TwoPartners
) -> None:
    clock.freeze(START)
    open_deal = register(db, world.partner_a, customer_website="open.cn")
    won = register(db, world.partner_a, customer_website="won.cn")
    approve(db, won)
    win(db, won, ("SKU-1", 1, "10.00"))
    clock.advance(timedelta(days=30))
    later = register(db, world.partner_b, customer_website="later.cn")
    with db.unit_of_work() as session:
        assert service.expire_protections(session, clock.now()) == []
    clock.advance(timedelta(days=61))  # the first two ended a day ago; "later" has 29 left
    with db.unit_of_work() as session:
        assert _ids(service.expire_protections(session, clock.now())) == [open_deal]
    assert count(db, "customer_claims") == 1
    with db.unit_of_work() as session:
        assert service.expire_protections(session, clock.now()) == []
        assert repository.claims_of(session, later)[0].key == "domain:later.cn"
    assert count(db, "audit_log", "action = 'deal.protection_expired'") == 1


def test_protections_ending_soon_are_open_deals_still_protected(
    db: Database, world: TwoPartners
) -> None:
    clock.freeze(START)
    first = register(db, world.partner_a, customer_website="first.cn")
    rejected = register(db, world.partner_a, customer_website="rejected.cn")
    with db.unit_of_work() as session:
        service.reject(session, SYSTEM, rejected, "Duplicate")
    clock.advance(timedelta(days=5))
    second = register(db, world.partner_b, customer_website="second.cn")
    clock.advance(timedelta(days=80))  # first ends in 5 days, second in 10
    with db.unit_of_work(read_only=True) as session:
        assert _ids(repository.protections_ending(session, clock.now(), 7)) == [first]
        assert _ids(repository.protections_ending(session, clock.now(), 14)) == [first, second]
    clock.advance(timedelta(days=6))
    with db.unit_of_work(read_only=True) as session:
        assert _ids(repository.protections_ending(session, clock.now(), 14)) == [second]


def test_a_won_deal_keeps_its_customer_until_the_protection_ends(
    db: Database, world: TwoPartners
) -> None:
    clock.freeze(START)
    deal = register(db, world.partner_a)
    approve(db, deal)
    win(db, deal, ("SKU-1", 3, "100.00"))
    with pytest.raises(CustomerProtected):
        register(db, world.partner_b)
    clock.advance(timedelta(days=90))
    assert register(db, world.partner_b) > deal


def test_an_extension_after_the_end_restarts_from_now_unless_the_customer_moved_on(
    db: Database, world: TwoPartners
) -> None:
    clock.freeze(START)
    program(db, protection_days=30)
    lapsed = register(db, world.partner_a, customer_website="lapsed.cn")
    taken = register(db, world.partner_a, customer_website="taken.cn")
    with db.unit_of_work() as session:
        for deal_id in (lapsed, taken):
            service.request_extension(session, SYSTEM, deal_id, "Slow customer")
    clock.advance(timedelta(days=40))
    register(db, world.partner_b, customer_website="taken.cn")
    with db.unit_of_work() as session:
        granted = service.decide_extension(session, SYSTEM, lapsed, grant=True)
        assert granted.protected_until == clock.now() + timedelta(days=30)
        assert [c.protected_until for c in repository.claims_of(session, lapsed)] == [
            granted.protected_until]
    with pytest.raises(Conflict) as refused, db.unit_of_work() as session:
        service.decide_extension(session, SYSTEM, taken, grant=True)
    assert "another deal now protects the customer" in str(refused.value)


def test_the_keys_of_a_customer() -> None:
    assert identify("https://www.Acme.CN:8443/about", "li@acme.com", " 9131-0000.ab c").keys \
        == ("domain:acme.cn", "domain:acme.com", "tax:91310000ABC")
    assert identify(None, "Li.Wei@QQ.com", None).keys == ("email:li.wei@qq.com",)
    assert identify("例子.中国", None, None).keys == ("domain:xn--fsqu00a.xn--fiqs8s",)
    assert identify(None, "buyer@sub.acme.cn", None).domain == "sub.acme.cn"


def test_a_registration_refused_in_the_service_leaves_no_deal_behind(
    db: Database, world: TwoPartners
) -> None:
    register(db, world.partner_a, customer_tax_id="91310000MA1FL0XX1",
             customer_website="acme-a.cn")
    # The domain is free but the tax id is not: nothing of the second deal is kept.
    with pytest.raises(CustomerProtected), db.unit_of_work() as session:
        service.register(session, SYSTEM, DealCreate(**deal_body(
            partner_id=world.partner_b, customer_website="acme-b.cn",
            customer_tax_id="91310000-ma1fl0xx1")), source="staff")
    assert count(db, "deals") == 1
    assert count(db, "customer_claims") == 2
