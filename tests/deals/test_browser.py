"""Registering deals in the portal with a real browser (Debian's chromium), in English and
in Chinese: partner A registers a customer; partner B, registering the same customer, is
told on the form until when it is protected, in its own language, and never by whom."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page

from qudao.core import clock
from qudao.db.session import Database
from tests.deals.builders import product
from tests.fixtures.accounts import TwoPartners
from tests.fixtures.security import count
from tests.web.live_server import live_server  # noqa: F401  (a fixture)
from tests.web.test_browser import (  # noqa: F401  (browser is a fixture)
    browser,
    click_through,
    shoot,
    sign_in,
    untranslated,
    visible_text,
)

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1280, "height": 900}
START = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _fill_registration(page: Page, website: str, name: str) -> None:
    page.fill("#deal-customer_name", name)
    page.fill("#deal-customer_website", website)
    page.fill("#deal-amount", "12500.00")
    page.fill("#deal-currency", "CNY")
    page.fill("#deal-expected_close", "2027-03-31")
    page.select_option("#deal-sku_0", "QD-CLOUD")
    page.fill("#deal-quantity_0", "3")
    click_through(page, "form[action='/portal/deals/new'] button[type=submit]")


def test_a_conflicting_registration_in_the_portal_in_both_languages(
    browser: Browser, live_server: str, world: TwoPartners, db: Database,  # noqa: F811
) -> None:
    clock.freeze(START)
    product(db, "QD-CLOUD", "Qudao Cloud")
    alpha = browser.new_page(viewport=VIEWPORT, locale="en-US")
    alpha.goto(f"{live_server}/login")
    sign_in(alpha, world.email_a)
    click_through(alpha, "nav.mainnav a[href='/portal/deals']")
    assert "No deals yet." in visible_text(alpha)
    click_through(alpha, "a[href='/portal/deals/new']")
    _fill_registration(alpha, "https://www.acme-retail.cn", "Acme Retail")
    registered = visible_text(alpha)
    assert "Your deal was registered." in registered
    assert "Protected" in registered
    assert "Qudao Cloud" in registered
    shoot(alpha, "deals-portal-en-registered")

    beta = browser.new_page(viewport=VIEWPORT, locale="en-US")
    beta.goto(f"{live_server}/login")
    sign_in(beta, world.email_b)
    click_through(beta, "nav.mainnav a[href='/portal/deals']")
    click_through(beta, "a[href='/portal/deals/new']")
    _fill_registration(beta, "acme-retail.cn", "ACME Retail Shanghai")
    english = visible_text(beta)
    assert "This customer is already registered and protected until March 1, 2027." in english
    assert "Alpha" not in english
    assert beta.locator("#deal-customer_name").input_value() == "ACME Retail Shanghai"
    assert beta.locator("#deal-customer_website[aria-invalid='true']").count() == 1
    shoot(beta, "deals-portal-en-conflict")

    click_through(beta, "button[value='zh-CN']")
    click_through(beta, "nav.mainnav a[href='/portal/deals']")
    click_through(beta, "a[href='/portal/deals/new']")
    _fill_registration(beta, "acme-retail.cn", "ACME Retail Shanghai")
    chinese = visible_text(beta)
    assert "该客户已被报备，保护期至 2027年3月1日" in chinese
    assert "Alpha" not in chinese
    left = untranslated(english, chinese)
    assert not left, f"English left on the Chinese page: {left}"
    shoot(beta, "deals-portal-zh-conflict")
    assert count(db, "deals") == 1
    assert count(db, "deal_conflicts") == 2


def test_staff_see_both_partners_and_win_the_deal_in_both_languages(
    browser: Browser, live_server: str, world: TwoPartners, db: Database,  # noqa: F811
) -> None:
    from tests.deals.builders import register
    from tests.deals.test_staff_pages import _refused_by_beta

    product(db, "QD-CLOUD", "Qudao Cloud", price_minor=499900)
    deal_id = _refused_by_beta(db, world)
    register(db, world.partner_b, customer_website="globex.cn", customer_name="Globex")
    page = browser.new_page(viewport=VIEWPORT, locale="en-US")
    page.goto(f"{live_server}/login")
    sign_in(page, world.admin_email)
    click_through(page, "nav.mainnav a[href='/deals']")
    texts = {"list": visible_text(page)}
    assert "Refused: 1" in texts["list"]
    shoot(page, "deals-staff-en-list")
    click_through(page, f"a[href='/deals/{deal_id}']")
    click_through(page, f"form[action='/deals/{deal_id}/approve'] button")
    assert "The deal was approved." in visible_text(page)
    page.select_option("#win-sku_0", "QD-CLOUD")
    page.fill("#win-quantity_0", "2")
    page.fill("#win-unit_price_0", "4999.00")
    click_through(page, f"form[action='/deals/{deal_id}/win'] button")
    texts["deal"] = visible_text(page)
    assert "The deal was won" in texts["deal"]
    assert "Beta Agency" in texts["deal"]
    assert "Alpha Distribution" in texts["deal"]
    assert "CN¥9,998.00" in texts["deal"]
    shoot(page, "deals-staff-en-deal")

    click_through(page, "button[value='zh-CN']")
    chinese = {"deal": visible_text(page)}
    click_through(page, "nav.mainnav a[href='/deals']")
    chinese["list"] = visible_text(page)
    shoot(page, "deals-staff-zh-list")
    for where in ("list", "deal"):
        left = untranslated(texts[where], chinese[where])
        assert not left, f"{where}: English left on the Chinese page: {left}"
    assert "被拒绝的报备" in chinese["deal"]
    assert "已赢单" in chinese["deal"]
    click_through(page, f"a[href='/deals/{deal_id}']")
    shoot(page, "deals-staff-zh-deal")
