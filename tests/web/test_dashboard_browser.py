"""The partner's dashboard in a real browser (Debian's chromium), in English and in Chinese:
the partner opens it from the portal's navigation, ECharts draws every chart (the canvases
hold pixels), the Chinese page shows no English left from the catalog and no raw
placeholder, and the screenshots are kept and are not blank."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, ViewportSize

from qudao.core import clock
from qudao.core.i18n import Translator
from qudao.db.session import Database
from tests.dashboards import partner_data
from tests.fixtures.accounts import TwoPartners
from tests.web.live_server import live_server  # noqa: F401  (a fixture)
from tests.web.test_browser import (  # noqa: F401  (browser is a fixture)
    ARTIFACTS,
    browser,
    charts_drawn,
    click_through,
    shoot,
    sign_in,
    untranslated,
    visible_text,
)

pytestmark = pytest.mark.browser
VIEWPORT: ViewportSize = {"width": 1360, "height": 900}
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ZH = Translator("zh-CN")
CHARTS = ("revenue-chart", "stages-chart", "funnel-chart")
def _open_dashboard(page: Page, language: str) -> str:
    click_through(page, "nav.mainnav a[href='/portal/dashboard']")
    assert page.locator("nav.mainnav a").first.get_attribute("href") == "/portal/dashboard"
    charts_drawn(page, CHARTS)
    # The numbers open under each chart, as its table twin.
    page.click("#revenue-chart summary")
    page.evaluate("() => window.scrollTo(0, 0)")  # the sticky bar stays at the top
    name = f"dashboard-portal-{language}"
    shoot(page, name)
    with Image.open(ARTIFACTS / f"{name}.png") as shot:
        colours = shot.convert("RGB").resize((64, 64)).getcolors(64 * 64) or []
    assert len(colours) > 20, f"{name}.png looks blank"
    text = visible_text(page)
    assert "%(" not in text
    return text


def test_the_portal_dashboard_in_english_and_in_chinese(
    browser: Browser, live_server: str, world: TwoPartners, db: Database,  # noqa: F811
) -> None:
    clock.freeze(NOW)
    partner_data.build(db, world)
    page = browser.new_page(viewport=VIEWPORT, locale="en-US")
    page.goto(f"{live_server}/login")
    sign_in(page, world.email_a)
    english = _open_dashboard(page, "en")
    assert "Gift-ware 2011 · as of March 2011" in english
    assert "31.8%" in page.inner_text("#tile-share")
    assert "Beta" not in english
    assert page.locator("#synthetic-note").is_visible()
    table_en = page.inner_text("#revenue-chart table")
    assert "mar 2011\t£500.00\t£100.00\t£400.00" in table_en.lower()

    click_through(page, "button[value='zh-CN']")
    chinese = _open_dashboard(page, "zh")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "2011年3月" in chinese
    for msgid in ("Dashboard", "Channel revenue", "KPIs against their targets",
                  "Referral funnel", "Synthetic"):
        assert ZH.gettext(msgid) in chinese, msgid
    table_zh = page.inner_text("#revenue-chart table")
    left = untranslated(f"{english}\n{table_en}", f"{chinese}\n{table_zh}")
    assert not left, f"English left on the Chinese dashboard: {left}"

    # The window selector: three months ending in February 2011.
    page.fill("#d-end", "2011-02")
    page.select_option("#d-months", "3")
    click_through(page, "#dashboard-window button[type=submit]")
    assert "end=2011-02" in page.url
    assert page.locator("#revenue-chart tbody tr").count() == 3


def test_staff_open_a_partners_dashboard_and_a_newcomer_sees_an_empty_state(
    browser: Browser, live_server: str, world: TwoPartners, db: Database,  # noqa: F811
) -> None:
    clock.freeze(NOW)
    partner_data.build(db, world)
    staff = browser.new_page(viewport=VIEWPORT, locale="en-US")
    staff.goto(f"{live_server}/login")
    sign_in(staff, world.admin_email)
    staff.goto(f"{live_server}/partners/{world.partner_a}")
    click_through(staff, "#partner-dashboard a.btn")
    assert staff.url.endswith(f"/partners/{world.partner_a}/dashboard")
    charts_drawn(staff, CHARTS)
    assert staff.locator("nav.mainnav a[href='/pipeline']").count() == 1
    assert "Dashboard of Alpha Distribution" in staff.inner_text("h1")
    shoot(staff, "dashboard-staff-en")

    # Beta's user before any sale of Beta: an empty window says so in words.
    partner = browser.new_page(viewport=VIEWPORT, locale="en-US")
    partner.goto(f"{live_server}/login")
    sign_in(partner, world.email_b)
    partner.goto(f"{live_server}/portal/dashboard?end=2010-12&months=6")
    assert "No activity in this window." in visible_text(partner)
    assert partner.locator("canvas").count() == 0
    shoot(partner, "dashboard-portal-empty-en")
