"""The staff app and the portal in a real browser (Debian's chromium), in English and in
Chinese: every page is visited through the navigation, screenshotted, and checked for
English text left untranslated on the Chinese pages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from qudao.core.i18n import catalog_path
from tests.fixtures.accounts import PASSWORD, TwoPartners
from tests.web.live_server import live_server  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
STAFF_NAV = ["/", "/pipeline", "/partners", "/screening", "/users", "/api-keys", "/audit",
             "/account"]
PORTAL_NAV = ["/portal", "/portal/users", "/portal/api-keys", "/account"]
# Names, not words: they read the same in both languages.
NOT_TRANSLATED = {"qudao", "LinkedIn"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


@cache
def english_phrases() -> tuple[str, ...]:
    """The English texts of the catalog that Chinese pages must not show: each msgid with
    a different translation, cut at its placeholders into pieces long enough to mean
    something on their own."""
    from babel.messages.pofile import read_po

    with catalog_path("zh-CN").open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    phrases: set[str] = set()
    for message in catalog:
        # A term shown as it is in both languages (PDF, API) is not left-over English.
        if not message.id or not message.string or message.string == message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            if msgid in NOT_TRANSLATED:
                continue
            for piece in PLACEHOLDER.split(msgid):
                piece = piece.strip(" .:,;–“”?")
                if len(piece) >= 3 and re.search(r"[A-Za-z]{2}", piece):
                    phrases.add(piece)
    return tuple(sorted(phrases, key=len, reverse=True))


def untranslated(english: str, chinese: str) -> list[str]:
    """Catalog phrases that the English page shows and the Chinese page still shows."""
    return [p for p in english_phrases()
            if _contains(english, p) and _contains(chinese, p)]


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w@.]){re.escape(phrase)}(?![\w@])", text) is not None


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


# Code samples (placeholders, commands) read the same in every language.
_TEXT_WITHOUT_CODE = """() => {
  const code = [...document.querySelectorAll("code, pre, kbd, samp")];
  const before = code.map((e) => e.style.display);
  code.forEach((e) => { e.style.display = "none"; });
  const text = document.body.innerText;
  code.forEach((e, i) => { e.style.display = before[i]; });
  return text;
}"""


def visible_text(page: Page) -> str:
    text = page.evaluate(_TEXT_WITHOUT_CODE)
    assert isinstance(text, str)
    return text


def shoot(page: Page, name: str) -> None:
    """A full-page screenshot for people to look at (each walk runs on one database)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


# The share of a canvas's pixels that are drawn (not transparent): bars, axes and labels.
_INKED = """(selector) => {
  const canvas = document.querySelector(selector);
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) inked += 1; }
  return inked / (data.length / 4);
}"""


def charts_drawn(page: Page, charts: Iterable[str]) -> None:
    """Each chart (the id of its figure) was drawn by the page's script, and not blank."""
    for chart in charts:
        canvas = f"#{chart} .chart-canvas canvas"
        page.wait_for_selector(canvas)
        assert page.get_attribute(f"#{chart} .chart-canvas", "data-drawn") == "true"
        inked = page.evaluate(_INKED, canvas)
        assert inked > 0.01, f"{chart} looks blank ({inked:.4f} of its pixels drawn)"


def click_through(page: Page, selector: str) -> None:
    """Click a link or a submit button and wait for the page it leads to. The old document
    is marked and the wait lasts until a document without the mark has loaded: a redirect
    back to the same address with another fragment is a new page too, which Playwright's
    navigation events do not always report."""
    page.evaluate("() => { window.qudaoOldPage = true; }")
    page.click(selector)
    try:
        page.wait_for_function("() => window.qudaoOldPage !== true", timeout=5_000)
    except PlaywrightTimeout:
        # Chromium 150 can drop the first click after a checkbox in an open <details> was
        # ticked; a person clicks again, so does the test, once.
        page.click(selector)
        page.wait_for_function("() => window.qudaoOldPage !== true")
    page.wait_for_load_state("load")


def sign_in(page: Page, email: str) -> None:
    page.fill("#login-email", email)
    page.fill("#login-password", PASSWORD)
    click_through(page, "form[action='/login'] button[type=submit]")


def walk(page: Page, paths: list[str], label: str) -> dict[str, str]:
    """Click through the main navigation; the visible text of each page."""
    texts: dict[str, str] = {}
    for path in paths:
        click_through(page, f"nav.mainnav a[href='{path}']")
        assert page.url.endswith(path), page.url
        assert page.locator(f"nav.mainnav a[href='{path}'][aria-current='page']").count() == 1
        texts[path] = visible_text(page)
        shoot(page, f"{label}-{path.strip('/').replace('/', '-') or 'home'}")
    return texts


def test_staff_app_in_english_and_in_chinese(
    browser: Browser, live_server: str, world: TwoPartners  # noqa: F811
) -> None:
    english = browser.new_page(viewport={"width": 1280, "height": 860}, locale="en-US")
    english.goto(f"{live_server}/login")
    shoot(english, "staff-en-login")
    sign_in(english, world.admin_email)
    assert english.url == f"{live_server}/"
    en_texts = walk(english, STAFF_NAV, "staff-en")
    assert "Alpha Distribution" in en_texts["/partners"]

    chinese = browser.new_page(viewport={"width": 1280, "height": 860}, locale="en-US")
    chinese.goto(f"{live_server}/login")
    click_through(chinese, "button[value='zh-CN']")
    assert chinese.locator("h1").inner_text() == "登录"
    shoot(chinese, "staff-zh-login")
    sign_in(chinese, world.admin_email)
    zh_texts = walk(chinese, STAFF_NAV, "staff-zh")
    for path in STAFF_NAV:
        left = untranslated(en_texts[path], zh_texts[path])
        assert not left, f"{path}: English left on the Chinese page: {left}"

    # A form in Chinese: a duplicate name is refused with the reason at the field.
    click_through(chinese, "nav.mainnav a[href='/partners']")
    chinese.fill("#f-name", "Beta Agency")
    click_through(chinese, "form[method='post'][action='/partners'] button[type=submit]")
    assert "名为 Beta Agency 的合作伙伴已存在" in chinese.inner_text("#f-name-error")
    shoot(chinese, "staff-zh-partner-error")
    chinese.fill("#f-name", "Gamma Systems")
    chinese.fill("#f-country", "中国")
    click_through(chinese, "form[method='post'][action='/partners'] button[type=submit]")
    assert "合作伙伴已添加。" in chinese.inner_text("main")
    shoot(chinese, "staff-zh-partner-added")


def test_partner_portal_in_english_and_in_chinese(
    browser: Browser, live_server: str, world: TwoPartners  # noqa: F811
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="en-US")
    page.goto(f"{live_server}/api-keys")
    assert "/login?next=" in page.url
    sign_in(page, world.email_a)
    assert page.url.endswith("/api-keys")
    assert page.locator("h1").inner_text() == "Not allowed"  # a staff page
    page.goto(f"{live_server}/portal")
    en_texts = walk(page, PORTAL_NAV, "portal-en")
    assert "Beta" not in "".join(en_texts.values())

    click_through(page, "button[value='zh-CN']")
    zh_texts = walk(page, PORTAL_NAV, "portal-zh")
    for path in PORTAL_NAV:
        left = untranslated(en_texts[path], zh_texts[path])
        assert not left, f"{path}: English left on the Chinese page: {left}"

    # Issue a key: shown once, with a working copy button (first-party JS under the CSP).
    click_through(page, "nav.mainnav a[href='/portal/api-keys']")
    page.fill("#f-name", "网店对接")
    click_through(page, "form[method='post'][action='/portal/api-keys'] button[type=submit]")
    secret = page.inner_text("code.secret")
    assert re.fullmatch(r"qudao_pk_[0-9A-Za-z]{43}", secret)
    assert page.locator("button[data-copy]").is_visible()
    shoot(page, "portal-zh-key-issued")
    click_through(page, "text=我已保存密钥")
    assert secret not in visible_text(page)
    assert "网店对接" in visible_text(page)

    narrow = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    narrow.goto(f"{live_server}/login")
    sign_in(narrow, world.email_a)
    shoot(narrow, "portal-zh-phone")
