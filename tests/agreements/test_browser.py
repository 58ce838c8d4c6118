"""Signing a partner and running its onboarding in a real browser (Debian's chromium), in
English and in Chinese: signing is refused while due diligence is open, then done; a step
is ticked; a partner user accepts an invitation and sees the checklist in the portal."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Browser, Page

from qudao.accounts.roles import Role
from qudao.agreements.schemas import MilestoneIn
from qudao.db.session import Database
from tests.agreements.builders import complete_diligence, draft, set_owner
from tests.fixtures.accounts import TwoPartners, make_user
from tests.web.live_server import live_server  # noqa: F401  (a fixture)
from tests.web.test_browser import (  # noqa: F401  (browser is a fixture)
    browser,
    click_through,
    shoot,
    sign_in,
    untranslated,
    visible_text,
)

VIEWPORT = {"width": 1360, "height": 900}
NEW_PASSWORD = "a long enough password"


def _agreement_page(page: Page, agreement_id: int) -> str:
    click_through(page, "nav.mainnav a[href='/agreements']")
    click_through(page, f"table a[href='/agreements/{agreement_id}']")
    return visible_text(page)


def _accept(page: Page, link: str, name: str) -> None:
    page.goto(link)
    page.fill("#invite-name", name)
    page.fill("#invite-password", NEW_PASSWORD)
    page.fill("#invite-password_again", NEW_PASSWORD)
    click_through(page, "form[action^='/invite/'] button[type=submit]")


def test_sign_onboard_and_the_portal_checklist_in_english_and_chinese(
    browser: Browser, live_server: str, world: TwoPartners, db: Database,  # noqa: F811
) -> None:
    manager = make_user(db, "mei@example.com", Role.CHANNEL_MANAGER)
    set_owner(db, world.partner_a, manager)
    # People's own words read the same in both languages: the check for English left on
    # Chinese pages would take them for untranslated text.
    milestones = [MilestoneIn(title="第一季度：10 家试点客户", due_on=date(2026, 3, 31),
                              metric="pilot_customers", target=10),
                  MilestoneIn(title="启动会", due_on=date(2026, 2, 15))]
    alpha = draft(db, world.partner_a, milestones=milestones)
    beta = draft(db, world.partner_b, territory="华南", milestones=milestones)

    staff = browser.new_page(viewport=VIEWPORT, locale="en-US")
    staff.goto(f"{live_server}/login")
    sign_in(staff, world.admin_email)
    english = {"list": "", "agreement": ""}
    _agreement_page(staff, alpha)
    click_through(staff, "#sign-form button[type=submit]")
    banner = staff.inner_text("#sign-form .alert-error")
    assert banner.startswith("Signing is blocked until the required due-diligence checks "
                             "are done:")
    shoot(staff, "agreements-en-sign-blocked")

    complete_diligence(db, world.partner_a)
    staff.goto(f"{live_server}/agreements/{alpha}")
    click_through(staff, "#sign-form button[type=submit]")
    assert "The agreement was signed." in visible_text(staff)
    assert staff.locator("#state .agreement-state-signed").count() == 1

    staff.click("#step-training summary")
    staff.check("#step-training-done")
    click_through(staff, "form[action$='/onboarding/training'] button[type=submit]")
    assert "The onboarding step was saved." in visible_text(staff)
    assert staff.locator("#step-training.check-done").count() == 1
    # Training by hand, and the channel manager, key and portal user from the data.
    assert staff.locator("#onboarding progress").get_attribute("value") == "4"

    staff.fill("#invite-email", "zoe@alpha.example")
    staff.select_option("#invite-role", "partner_member")
    click_through(staff, "form[action$='/invitations'] button[type=submit]")
    link = staff.inner_text("#invitation-link").strip()
    assert link.startswith(f"{live_server}/invite/")
    english["agreement"] = visible_text(staff)
    shoot(staff, "agreements-en-signed")
    click_through(staff, "nav.mainnav a[href='/agreements']")
    english["list"] = visible_text(staff)

    # The invitee opens the link, chooses a password, signs in, sees the checklist.
    invitee = browser.new_page(viewport=VIEWPORT, locale="en-US")
    _accept(invitee, link, "Zoe")
    assert "Your account is ready." in visible_text(invitee)
    sign_in_as(invitee, "zoe@alpha.example")
    click_through(invitee, "nav.mainnav a[href='/portal/onboarding']")
    portal_en = visible_text(invitee)
    assert "My checklist" in portal_en
    assert "East China" in portal_en
    assert invitee.locator("#step-portal_access.check-done").count() == 1
    assert invitee.locator("#step-training.check-done").count() == 1
    assert invitee.locator("#onboarding progress").get_attribute("value") == "4"
    shoot(invitee, "agreements-en-portal")

    # In Chinese: the other partner's signing is refused with the reason in Chinese.
    click_through(staff, "button[value='zh-CN']")
    chinese_list = visible_text(staff)
    _agreement_page(staff, beta)
    click_through(staff, "#sign-form button[type=submit]")
    assert staff.inner_text("#sign-form .alert-error").startswith(
        "必需的尽职调查项完成前不能签约：")
    shoot(staff, "agreements-zh-sign-blocked")
    staff.goto(f"{live_server}/agreements/{alpha}")
    chinese_agreement = visible_text(staff)
    shoot(staff, "agreements-zh-signed")
    for where, zh in (("list", chinese_list), ("agreement", chinese_agreement)):
        left = untranslated(english[where], zh)
        assert not left, f"{where}: English left on the Chinese page: {left}"

    click_through(invitee, "button[value='zh-CN']")
    portal_zh = visible_text(invitee)
    left = untranslated(portal_en, portal_zh)
    assert not left, f"portal: English left on the Chinese page: {left}"
    shoot(invitee, "agreements-zh-portal")


def sign_in_as(page: Page, email: str) -> None:
    page.fill("#login-email", email)
    page.fill("#login-password", NEW_PASSWORD)
    click_through(page, "form[action='/login'] button[type=submit]")
