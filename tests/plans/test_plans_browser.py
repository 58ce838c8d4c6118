"""The commission plan pages in a real browser, in English and in Chinese: the guide's
tiered plan defined through the form's tier rows and said in words."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from qudao.db.session import Database
from tests.fixtures.accounts import TwoPartners
from tests.goals.builders import make_program
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


def test_the_guides_plan_in_english_and_in_chinese(
    browser: Browser, live_server: str, world: TwoPartners, db: Database,  # noqa: F811
) -> None:
    make_program(db)
    page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="en-US")
    page.goto(f"{live_server}/login")
    sign_in(page, world.admin_email)
    page.goto(f"{live_server}/program/plans")
    page.fill("#plan-name", "阶梯佣金 2026")
    page.select_option("#plan-kind", "tiered")
    page.fill("#plan-threshold_0", "0")
    page.fill("#plan-rate_0", "15%")
    page.fill("#plan-threshold_1", "100000")
    page.fill("#plan-rate_1", "20%")
    click_through(page, "form.plan-form button[type=submit]")
    terms = page.locator("#terms .plan-terms li").all_inner_texts()
    assert terms[:3] == ["Below CN¥100,000.00: 15%", "From CN¥100,000.00: 20%",
                         "The rate reached applies to the whole period volume."]
    english = visible_text(page)
    shoot(page, "plan-en-detail")

    click_through(page, "button[value='zh-CN']")
    chinese = visible_text(page)
    left = untranslated(english, chinese)
    assert not left, f"English left on the Chinese page: {left}"
    assert "¥100,000.00" in page.locator("#terms .plan-terms li").first.inner_text()
    shoot(page, "plan-zh-detail")
    page.goto(f"{live_server}/program/plans")
    shoot(page, "plan-zh-list")
