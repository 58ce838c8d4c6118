"""The staff commission pages in a real browser (Debian's chromium), in English and in
Chinese: a period is run through the form, its statement opened from the list, approved
and paid; the Chinese pages keep no English the catalog translates."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Browser, Page

from qudao.accounts.roles import Role
from qudao.commissions.models import SalesTransaction
from qudao.db.session import Database
from tests.commissions import builders
from tests.fixtures.accounts import make_user
from tests.web.live_server import live_server  # noqa: F401  (a fixture)
from tests.web.test_browser import (  # noqa: F401  (browser is a fixture)
    browser,
    click_through,
    shoot,
    sign_in,
    untranslated,
    visible_text,
)

VIEWPORT = {"width": 1440, "height": 900}
ADMIN = "admin@example.com"


def _run_and_pay(page: Page, period: str, reference: str) -> dict[str, str]:
    """Run ``period``, open its statement, approve it and pay it; the pages' texts."""
    texts: dict[str, str] = {}
    click_through(page, "nav.mainnav a[href='/commissions']")
    page.fill("#run-period", period)
    click_through(page, "#run-form button[type=submit]")
    assert page.locator("#run-result").count() == 1
    texts["runs"] = visible_text(page)
    click_through(page, f"#statement-list tr:has-text('{period}') "
                        "a[href^='/commissions/statements/']")
    assert page.locator("#statement-lines tbody tr").count() == 2
    click_through(page, "#approve-form button[type=submit]")
    assert page.locator("#pay-form").count() == 1
    page.fill("#pay-reference", reference)
    click_through(page, "#pay-form button[type=submit]")
    assert page.locator("#pay-form").count() == 0
    assert page.locator(".statement-state-paid").count() >= 1
    texts["statement"] = visible_text(page)
    return texts


def test_run_open_approve_and_pay_in_english_and_chinese(
    browser: Browser, live_server: str, db: Database  # noqa: F811
) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, name="Flat ten", kind="flat", flat_rate="0.10")
    partner = builders.partner(db, program, plan, name="Alpha Trading")
    builders.rate(db, date(2011, 1, 1), "USD", "CNY", "6.5")
    for month in (1, 2):
        builders.won_deal(db, partner, program, date(2011, month, 5),
                          [("QD-CLOUD", 8_000_000)], customer="Acme Retail")
        sale = builders.sale(db, partner, date(2011, month, 10), 10_000, currency="USD",
                             sku="QD-EDGE", program_id=program)
        # People's own words read the same in both languages: the check for English left
        # on Chinese pages would take the builder's "Imported customer" for our text.
        with db.unit_of_work() as session:
            session.get_one(SalesTransaction, sale).customer_name = "华东零售"
    make_user(db, ADMIN, Role.ADMIN)

    page = browser.new_page(viewport=VIEWPORT, locale="en-US")
    page.goto(f"{live_server}/login")
    sign_in(page, ADMIN)
    english = _run_and_pay(page, "2011-01", "TX-JAN")
    assert "The run of 2011-01 posted 2 lines to 1 statements." in english["runs"]
    assert "total of 2 lines" in english["statement"].lower()
    assert "¥8,065.00" in english["statement"]
    assert "The payout was recorded" in english["statement"]
    shoot(page, "commissions-en-statement")

    click_through(page, "button[value='zh-CN']")
    chinese = _run_and_pay(page, "2011-02", "TX-FEB")
    # Amounts read the Chinese way too: the yuan sign and grouping of zh_CN.
    assert "¥8,065.00" in chinese["statement"]
    shoot(page, "commissions-zh-statement")
    for where, zh in chinese.items():
        left = untranslated(english[where], zh)
        assert not left, f"{where}: English left on the Chinese page: {left}"
