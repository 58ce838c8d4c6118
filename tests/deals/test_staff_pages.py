"""The staff deal pages: the list with its conflict flags, a deal with both partners of a
refused registration, and every decision through its form: approve, reject, win with line
rows, lose, assign a sales rep, decide an extension, register for a partner."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable

from qudao.accounts.roles import Role
from qudao.db.session import Database
from tests.deals.builders import approve, product, register
from tests.fixtures.accounts import TwoPartners, make_user
from tests.fixtures.security import count
from tests.web.conftest import Browser, actions

FORM_KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def _refused_by_beta(db: Database, world: TwoPartners) -> int:
    """A's deal, and B's registration of the same customer refused through the API."""
    from qudao.accounts.subject import AuthSubject
    from qudao.deals import service
    from qudao.deals.claims import CustomerProtected
    from qudao.deals.schemas import DealCreate
    from tests.deals.builders import deal_body

    deal_id = register(db, world.partner_a)
    beta = AuthSubject(kind="api_key", role=Role.PARTNER_MEMBER, partner_id=world.partner_b,
                       api_key_id=world.key_b_id, label="key b")
    with db.unit_of_work() as session, contextlib.suppress(CustomerProtected):
        service.register(session, beta, DealCreate(**deal_body(
            customer_name="Acme by Beta")), source="api")
    return deal_id


def test_the_list_flags_conflicts_and_the_deal_shows_both_partners(
    sign_in: Callable[..., Browser], world: TwoPartners, db: Database
) -> None:
    deal_id = _refused_by_beta(db, world)
    admin = sign_in(world.admin_email)
    listed = admin.get("/deals")
    assert listed.status_code == 200
    assert "Alpha Distribution" in listed.text
    assert "Refused: 1" in listed.text
    assert admin.get("/deals?stage=won").text.count(f'href="/deals/{deal_id}"') == 0
    # The filter form as sent with "all" chosen, and a search.
    everything = admin.get("/deals?q=&stage=&partner_id=")
    assert everything.status_code == 200
    assert f'href="/deals/{deal_id}"' in everything.text
    found = admin.get(f"/deals?q=acme-retail&stage=registered&partner_id={world.partner_a}")
    assert f'href="/deals/{deal_id}"' in found.text
    assert f'href="/deals/{deal_id}"' not in admin.get(
        f"/deals?partner_id={world.partner_b}").text
    page = admin.get(f"/deals/{deal_id}").text
    assert "Refused registrations" in page
    assert "Alpha Distribution" in page
    assert "Beta Agency" in page
    assert "Acme by Beta" in page
    assert "domain:acme-retail.cn" in page
    assert "Protected" in page


def test_every_decision_through_its_form(
    sign_in: Callable[..., Browser], world: TwoPartners, db: Database
) -> None:
    product(db, "QD-CLOUD", "Qudao Cloud", price_minor=499900)
    rep = make_user(db, "rep@example.com", Role.CHANNEL_MANAGER)
    deal_id = register(db, world.partner_a, products=[{"sku": "QD-CLOUD", "quantity": 2}])
    admin = sign_in(world.admin_email)
    url = f"/deals/{deal_id}"
    # The win form starts from the registered products at the catalogue's price, once the
    # deal is approved.
    assert f'action="/deals/{deal_id}/win"' not in admin.get(url).text
    assert admin.post(f"{url}/approve").status_code == 303
    page = admin.get(url).text
    assert "The deal was approved." in page
    assert 'name="unit_price_0" value="4999.00"' in page
    bad = admin.post(f"{url}/win", {"sku_0": "QD-CLOUD", "quantity_0": "2", "unit_price_0": ""})
    assert bad.status_code == 422
    assert "Fill in this field." in bad.text
    won = admin.post(f"{url}/win", {"sku_0": "QD-CLOUD", "quantity_0": "2",
                                    "unit_price_0": "4999.00", "sku_1": "QD-CLOUD",
                                    "quantity_1": "1", "unit_price_1": "0"})
    assert won.status_code == 303
    page = admin.get(url).text
    assert "The deal was won" in page
    assert "¥9,998.00" in page
    assert admin.post(f"{url}/lose", {"reason": "x"}).status_code == 409

    assigned = admin.post(f"{url}/assign", {"sales_rep_id": str(rep)})
    assert assigned.status_code == 303
    assert "Sales rep: rep@example.com" in admin.get(url).text

    other = register(db, world.partner_b, customer_website="other.cn")
    empty = admin.post(f"/deals/{other}/reject", {"reason": ""})
    assert empty.status_code == 422
    assert "Say why the deal is rejected" in empty.text
    assert admin.post(f"/deals/{other}/reject", {"reason": "Not a fit"}).status_code == 303
    assert "Not a fit" in admin.get(f"/deals/{other}").text

    third = register(db, world.partner_b, customer_website="third.cn")
    approve(db, third)
    assert admin.post(f"/deals/{third}/extension", {"reason": "Long cycle"}).status_code == 303
    decided = admin.post(f"/deals/{third}/extension/decision", {"grant": "true", "reason": ""})
    assert decided.status_code == 303
    assert "Extension granted" in admin.get(f"/deals/{third}").text
    assert admin.post(f"/deals/{third}/lose", {"reason": "Budget cut"}).status_code == 303
    assert {"deal.approve", "deal.win", "deal.assign", "deal.reject",
            "deal.extension_request", "deal.extension_decision",
            "deal.lose"} <= set(actions(db))


def test_staff_register_a_deal_for_a_partner(
    sign_in: Callable[..., Browser], world: TwoPartners, db: Database
) -> None:
    admin = sign_in(world.admin_email)
    page = admin.get(f"/deals/new?partner_id={world.partner_b}")
    assert f'<option value="{world.partner_b}" selected>Beta Agency</option>' in page.text
    key = FORM_KEY.search(page.text)
    assert key
    form = {"partner_id": str(world.partner_b), "customer_name": "Globex",
            "customer_tax_id": "91310000 MA1FL 0XX1", "amount": "800", "currency": "CNY",
            "idempotency_key": key.group(1)}
    missing = admin.post("/deals/new", {**form, "partner_id": ""})
    assert missing.status_code == 422
    assert "Choose the partner" in missing.text
    made = admin.post("/deals/new", form)
    assert made.status_code == 303
    deal_page = admin.get(made.headers["location"]).text
    assert "Beta Agency" in deal_page
    assert "91310000MA1FL0XX1" in deal_page
    partner_page = admin.get(f"/partners/{world.partner_b}").text
    assert "Globex" in partner_page
    assert "All deals of this partner" in partner_page
    assert count(db, "deals") == 1


def test_an_analyst_reads_but_decides_nothing(
    sign_in: Callable[..., Browser], world: TwoPartners, db: Database
) -> None:
    make_user(db, "ana@example.com", Role.ANALYST)
    deal_id = register(db, world.partner_a)
    analyst = sign_in("ana@example.com")
    page = analyst.get(f"/deals/{deal_id}").text
    assert "Acme Retail" in page
    assert f'action="/deals/{deal_id}/approve"' not in page
    assert analyst.post(f"/deals/{deal_id}/approve").status_code == 403
    assert "Register a deal" not in analyst.get("/deals").text
    partner = sign_in(world.email_a)
    assert partner.get(f"/deals/{deal_id}").status_code == 403
