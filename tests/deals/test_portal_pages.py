"""The portal's deal pages as partner users use them: register a deal, see it protected,
be refused a customer another partner holds (with the date, never the holder), ask for a
longer protection; and never see another partner's deals."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from qudao.core import clock
from qudao.core.i18n import Translator
from qudao.db.session import Database
from qudao.deals.models import DealConflict
from tests.deals.builders import product
from tests.fixtures.accounts import TwoPartners
from tests.fixtures.security import count
from tests.web.conftest import Browser

START = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
FORM_KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def _form(**fields: str) -> dict[str, str]:
    values = {"customer_name": "Acme Retail", "customer_website": "acme-retail.cn",
              "amount": "12500.00", "currency": "CNY", "expected_close": "2027-03-31",
              "sku_0": "", "quantity_0": ""}
    values.update(fields)
    return values


def _register(browser: Browser, **fields: str) -> tuple[int, str]:
    page = browser.get("/portal/deals/new")
    assert page.status_code == 200
    found = FORM_KEY.search(page.text)
    assert found
    response = browser.post("/portal/deals/new", {**_form(**fields),
                                                  "idempotency_key": found.group(1)})
    return response.status_code, response.headers.get("location", response.text)


def test_a_partner_registers_and_the_other_is_refused_with_the_date(
    sign_in: Callable[..., Browser], world: TwoPartners, db: Database
) -> None:
    clock.freeze(START)
    alpha = sign_in(world.email_a)
    assert "No deals yet." in alpha.get("/portal/deals").text
    status, location = _register(alpha)
    assert status == 303
    deal_id = int(location.rsplit("/", 1)[1])
    page = alpha.get(location)
    assert "Your deal was registered." in page.text
    assert "acme-retail.cn" in page.text
    assert "Protected" in page.text
    assert "Mar 1, 2027" in page.text
    listed = alpha.get("/portal/deals").text
    assert f"/portal/deals/{deal_id}" in listed

    beta = sign_in(world.email_b)
    refused = beta.post("/portal/deals/new", _form(customer_name="ACME (Beta's lead)",
                                                   customer_website="https://www.acme-retail.cn/"))
    assert refused.status_code == 409
    assert "protected until March 1, 2027" in refused.text
    assert "Alpha" not in refused.text
    assert f"deal {deal_id}" not in refused.text
    # The form keeps what was typed.
    assert 'value="ACME (Beta&#39;s lead)"' in refused.text
    assert count(db, "deals") == 1
    with db.unit_of_work(read_only=True) as session:
        conflicts = session.execute(select(DealConflict.holder_deal_id,
                                           DealConflict.claimant_partner_id,
                                           DealConflict.source)).all()
    assert conflicts == [(deal_id, world.partner_b, "portal")]
    assert beta.get(f"/portal/deals/{deal_id}").status_code == 404
    assert f"/portal/deals/{deal_id}" not in beta.get("/portal/deals").text

    # In Chinese, the date is written the Chinese way.
    beta.use_language("zh-CN")
    chinese = beta.post("/portal/deals/new", _form())
    assert chinese.status_code == 409
    assert Translator("zh-CN").date(START + timedelta(days=90), "long") in chinese.text


def test_sending_the_form_twice_opens_the_deal_it_registered(
    sign_in: Callable[..., Browser], world: TwoPartners, db: Database
) -> None:
    alpha = sign_in(world.email_a)
    page = alpha.get("/portal/deals/new")
    key = FORM_KEY.search(page.text)
    assert key
    form = {**_form(), "idempotency_key": key.group(1)}
    first = alpha.post("/portal/deals/new", form)
    second = alpha.post("/portal/deals/new", form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert "This form was already sent" in alpha.get(second.headers["location"]).text
    assert count(db, "deals") == 1
    # A fresh form for the same customer is refused: it is the company's own deal already.
    again = alpha.post("/portal/deals/new", _form())
    assert again.status_code == 409
    assert "You already registered this customer" in again.text


def test_form_errors_are_shown_at_their_fields_and_nothing_is_saved(
    sign_in: Callable[..., Browser], world: TwoPartners, db: Database
) -> None:
    product(db, "QD-CLOUD", "Qudao Cloud")
    alpha = sign_in(world.email_a)
    page = alpha.get("/portal/deals/new").text
    assert '<option value="QD-CLOUD">QD-CLOUD · Qudao Cloud</option>' in page
    cases = [
        ({"customer_name": ""}, "Fill in this field."),
        ({"customer_website": "", "customer_email": ""}, "one of them is needed"),
        ({"amount": "12.345"}, "more decimal places than CNY allows"),
        ({"sku_0": "QD-CLOUD", "quantity_0": "0"}, "Enter a whole number greater than 0."),
        ({"sku_0": "NOPE", "quantity_0": "1"}, "NOPE is not a product of the catalogue."),
        ({"customer_website": "gmail.com"}, "free-mail provider"),
    ]
    for fields, message in cases:
        response = alpha.post("/portal/deals/new", _form(**fields))
        assert response.status_code == 422, (fields, response.status_code)
        assert message in response.text, fields
    assert count(db, "deals") == 0
    status, location = _register(alpha, sku_0="QD-CLOUD", quantity_0="3")
    assert status == 303
    assert "Qudao Cloud" in alpha.get(location).text


def test_a_partner_asks_for_a_longer_protection(
    sign_in: Callable[..., Browser], world: TwoPartners
) -> None:
    alpha = sign_in(world.email_a)
    _status, location = _register(alpha)
    url = f"{location}/extension"
    empty = alpha.post(url, {"reason": ""})
    assert empty.status_code == 422
    assert "Say why the protection should be extended." in empty.text
    asked = alpha.post(url, {"reason": "Their board decides in April"})
    assert asked.status_code == 303
    page = alpha.get(location).text
    assert "Extension requested" in page
    assert "Their board decides in April" in page
    assert "Request an extension" not in page
    beta = sign_in(world.email_b)
    assert beta.post(url, {"reason": "Mine now"}).status_code == 404
