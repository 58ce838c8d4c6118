"""In a real browser (Debian's chromium), in English and in Chinese: a visitor follows a
referral link (the visitor cookie is set, the landing URL carries ref and vid), the
company's site reports the next steps through the API, and the partner reads its funnel
in the portal; then the clock moves past the inactivity limit and staff see the "signed,
then nothing" alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page

from qudao.accounts.roles import Role
from qudao.core import clock
from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.jobs.worker import run_due_once
from qudao.referrals.models import ReferralLink
from tests.engagement.conftest import sign
from tests.fixtures.accounts import TwoPartners, make_user
from tests.fixtures.security import make_staff_key
from tests.fixtures.tenancy.engagement import make_link
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
VIEWPORT = {"width": 1360, "height": 900}
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _funnel_rows(page: Page) -> list[tuple[str, ...]]:
    """The chart's table (the numbers the bars are drawn from): step, count, rate."""
    rows = page.locator("#funnel-chart tbody tr")
    return [tuple(cell.strip() for cell in rows.nth(i).locator("th, td").all_text_contents())
            for i in range(rows.count())]


def _portal_referrals(page: Page, language: str) -> str:
    click_through(page, "nav.mainnav a[href='/portal/referrals']")
    shoot(page, f"referrals-portal-{language}")
    return visible_text(page)


def _alerts(page: Page, language: str) -> str:
    click_through(page, "nav.mainnav a[href='/cadence']")
    click_through(page, ".cadence-nav a[href='/cadence/alerts']")
    shoot(page, f"cadence-alerts-{language}")
    return visible_text(page)


def test_referral_funnel_and_alerts_in_english_and_in_chinese(
    browser: Browser, live_server: str, world: TwoPartners, db: Database,  # noqa: F811
    settings: Settings,
) -> None:
    clock.freeze(T0)
    manager = make_user(db, "mei@example.com", Role.CHANNEL_MANAGER)
    sign(db, world.partner_a, owner_id=manager)
    link_id = make_link(db, world.partner_a, f"{live_server}/partner-api?utm_source=partner")
    with db.unit_of_work(read_only=True) as session:
        link = session.get(ReferralLink, link_id)
        assert link is not None
        code = link.code

    # A visitor follows the partner's link.
    visitor = browser.new_context(viewport=VIEWPORT, locale="en-US")
    landing = visitor.new_page()
    landing.goto(f"{live_server}/r/{code}")
    arrived = urlsplit(landing.url)
    assert arrived.path == "/partner-api"
    query = parse_qs(arrived.query)
    assert query["ref"] == [code]
    assert query["utm_source"] == ["partner"]
    [cookie] = [c for c in visitor.cookies() if c["name"] == "qudao_vid"]
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Lax"
    assert query["vid"] == [cookie["value"]]
    vid = cookie["value"]
    visitor.close()

    # The company's site reports what the visitor did next.
    staff_key = make_staff_key(db, settings, world.admin_email)[1]
    headers = {"Authorization": f"Bearer {staff_key}"}
    for body in ({"kind": "signup", "visitor_id": vid, "customer_id": "shop-42"},
                 {"kind": "trial", "customer_id": "shop-42"},
                 {"kind": "paid", "customer_id": "shop-42", "amount": "99.00",
                  "currency": "CNY"}):
        posted = httpx.post(f"{live_server}/api/v1/referral-events", json=body,
                            headers=headers, timeout=10)
        assert posted.status_code == 201, posted.text
        assert posted.json()["partner_id"] == world.partner_a

    # The partner reads its funnel in the portal, in English, then in Chinese.
    page = browser.new_page(viewport=VIEWPORT, locale="en-US")
    page.goto(f"{live_server}/login")
    sign_in(page, world.email_a)
    english = _portal_referrals(page, "en")
    assert _funnel_rows(page) == [("Unique visitors", "1", "—"), ("Sign-ups", "1", "100%"),
                                  ("Trials", "1", "100%"), ("Paid", "1", "100%")]
    page.wait_for_selector("#funnel-chart .chart-canvas canvas")  # ECharts drew it
    chart_en = "\n".join(" ".join(row) for row in _funnel_rows(page))
    assert "CN¥99.00" in english
    assert f"/r/{code}" in page.inner_text("body")  # the address to share, in a <code>
    assert page.locator("button[data-copy]").first.is_visible()
    click_through(page, "button[value='zh-CN']")
    chinese = _portal_referrals(page, "zh")
    assert _funnel_rows(page)[:2] == [("独立访客", "1", "—"), ("注册", "1", "100%")]
    chart_zh = "\n".join(" ".join(row) for row in _funnel_rows(page))
    assert "我的漏斗" in chinese
    left = untranslated(f"{english}\n{chart_en}", f"{chinese}\n{chart_zh}")
    assert not left, f"English left on the Chinese portal page: {left}"

    # Thirty-one quiet days after the last event, the daily jobs raise "signed, then nothing".
    clock.advance(timedelta(days=31))
    assert all(outcome.ok for outcome in run_due_once(db))
    staff = browser.new_page(viewport=VIEWPORT, locale="en-US")
    staff.goto(f"{live_server}/login")
    sign_in(staff, "mei@example.com")
    alerts_en = _alerts(staff, "en")
    assert "Alpha Distribution signed, then nothing" in alerts_en
    click_through(staff, "button[value='zh-CN']")
    alerts_zh = visible_text(staff)
    shoot(staff, "cadence-alerts-zh")
    assert "Alpha Distribution 签约后无动静" in alerts_zh
    left = untranslated(alerts_en, alerts_zh)
    assert not left, f"English left on the Chinese alerts page: {left}"
    # The partner page shows the alert with the cadence and the funnel.
    click_through(staff, f"#main a[href='/partners/{world.partner_a}']")
    shoot(staff, "cadence-partner-page-zh")
    assert "签约后无动静" in staff.inner_text("#cadence")
    assert staff.locator("#referrals #funnel").count() == 1
    staff.go_back()
    click_through(staff, "#main button[type=submit]:has-text('确认')")
    assert "没有待处理的提醒。" in visible_text(staff)
