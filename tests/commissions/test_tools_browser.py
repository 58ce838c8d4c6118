"""What-if and the portal statement in a real browser (Debian's chromium), in English and
in Chinese: a changed tier is compared, ECharts draws the bars and the table twin holds the
same numbers; a partner user opens its statement from the commissions page."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize

from qudao.accounts.roles import Role
from qudao.core.i18n import Translator
from qudao.db.session import Database
from tests.commissions.test_portal import books
from tests.fixtures.accounts import make_user
from tests.web.live_server import live_server  # noqa: F401  (a fixture)
from tests.web.test_browser import (  # noqa: F401  (browser is a fixture)
    browser,
    click_through,
    shoot,
    sign_in,
    visible_text,
)

VIEWPORT: ViewportSize = {"width": 1360, "height": 900}
SHOTS = Path("/tmp/qudao-shots")


def _shot(page: Page, name: str) -> None:
    """The screenshots people look at."""
    shoot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _compare_a_tier_change(page: Page, live_server: str, t: Translator) -> str:  # noqa: F811
    page.goto(f"{live_server}/commissions/whatif")
    assert page.input_value("#wi-rate_1") == "20%"
    page.fill("#wi-periods_text", "2011-01")
    page.fill("#wi-threshold_1", "50000")
    page.fill("#wi-rate_1", "25%")
    click_through(page, "#wi-compare")
    page.wait_for_selector("#whatif-chart .chart-canvas canvas")
    table = page.inner_text("#whatif-table")
    # Beta: 150,000 at 20% now, 25% proposed; Alpha: 80,000 at 15% now, 25% proposed.
    for amount in ("30,000.00", "37,500.00", "12,000.00", "20,000.00"):
        assert amount in table, amount
    assert table.index("Beta Shop") < table.index("Alpha Shop")
    twin = page.locator("#whatif-chart details.chart-table")
    assert not twin.locator("table").is_visible()
    twin.locator("summary").click()
    numbers = twin.locator("table").inner_text()
    # Row headers are set in capitals.
    assert "BETA SHOP" in numbers.upper()
    assert "37,500.00" in numbers
    assert page.locator("#whatif-chart a[href^='/commissions/whatif.csv?']").count() == 1
    assert t.gettext("Show the numbers") in visible_text(page)
    return visible_text(page)


def _open_statement(page: Page, statement_id: int) -> str:
    click_through(page, "nav.mainnav a[href='/portal/commissions']")
    click_through(page, f"#statement-table a[href='/portal/commissions/{statement_id}']")
    assert page.locator("#line-table tbody tr").count() == 1
    return visible_text(page)


def test_whatif_chart_and_portal_statement_in_english_and_chinese(
    browser: Browser, live_server: str, db: Database,  # noqa: F811
) -> None:
    found = books(db)
    make_user(db, "admin@example.com", Role.ADMIN)
    staff = browser.new_page(viewport=VIEWPORT, locale="en-US")
    staff.goto(f"{live_server}/login")
    sign_in(staff, "admin@example.com")
    english = _compare_a_tier_change(staff, live_server, Translator("en"))
    assert "Nothing is posted" in english
    _shot(staff, "whatif-en")

    click_through(staff, "button[value='zh-CN']")
    zh = Translator("zh-CN")
    chinese = _compare_a_tier_change(staff, live_server, zh)
    assert zh.gettext("Show the numbers") == "显示数据"
    assert zh.gettext("Download CSV") in chinese
    assert zh.gettext("Tier mode") in chinese
    assert zh.money(Decimal("37500"), "CNY") in chinese
    _shot(staff, "whatif-zh")

    partner = browser.new_page(viewport=VIEWPORT, locale="en-US")
    partner.goto(f"{live_server}/login")
    sign_in(partner, "ana@alpha.example")
    statement = _open_statement(partner, found.alpha_january)
    assert "Acme Retail" in statement
    assert "SKU-A" in statement
    assert "Bolt Ltd" not in statement
    _shot(partner, "portal-statement-en")

    click_through(partner, "button[value='zh-CN']")
    statement_zh = _open_statement(partner, found.alpha_january)
    assert zh.gettext("Customer") in statement_zh
    assert "客户" in statement_zh
    assert zh.gettext("Paid out") in statement_zh
    assert zh.money(Decimal("12000"), "CNY") in statement_zh
    _shot(partner, "portal-statement-zh")
