"""The goal pages in a real browser (Debian's chromium), in English and in Chinese: each
missing SMART part at its field, the guide's goal set through the form with its Chinese
title, the chart drawn by ECharts under the app's Content-Security-Policy, its table twin
and its CSV download."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy
import pytest
from PIL import Image
from playwright.sync_api import Browser, ConsoleMessage, Page, Response

from qudao.core import clock
from qudao.core.i18n import translate
from qudao.db.session import Database
from tests.fixtures.accounts import TwoPartners
from tests.goals.builders import at, make_program, new_customers
from tests.web.live_server import live_server  # noqa: F401  (a fixture)
from tests.web.test_browser import (  # noqa: F401  (browser is a fixture)
    ARTIFACTS,
    browser,
    click_through,
    shoot,
    sign_in,
    untranslated,
    visible_text,
)

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1360, "height": 900}
TITLE = "6个月内通过渠道获取100个新客户"


@pytest.fixture
def channel(world: TwoPartners, db: Database) -> None:
    """Three weeks into the guide's goal: 12 new customers won through partner A."""
    clock.freeze(at("2026-12-20 12:00"))
    make_program(db)
    new_customers(db, world.partner_a, 12, "2026-12-05 10:00")


def _watch(page: Page) -> list[str]:
    """Script errors, Content-Security-Policy violations and assets that failed to load.
    (The refused form's 422 is the browser reporting a status, not a problem.)"""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def on_response(response: Response) -> None:
        if "/static/" in response.url and response.status >= 400:
            problems.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _drawn_pixels(page: Page, name: str) -> int:
    """Pixels of the chart that are not background: the canvas was really drawn."""
    page.wait_for_selector("#goal-chart .chart-canvas[data-drawn='true'] canvas")
    shot = page.locator("#goal-chart .chart-canvas").screenshot()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (Path(ARTIFACTS) / f"{name}.png").write_bytes(shot)
    pixels = numpy.asarray(Image.open(io.BytesIO(shot)).convert("RGB"))
    background = pixels[-1, 0]
    return int((pixels != background).any(axis=2).sum())


def _table(page: Page) -> list[list[str]]:
    page.click("#goal-chart details.chart-table summary")
    rows = page.locator("#goal-chart details.chart-table tbody tr")
    return [[cell.strip() for cell in rows.nth(i).locator("th, td").all_text_contents()]
            for i in range(rows.count())]


def _set_goal_through_the_form(page: Page, base: str) -> None:
    page.goto(f"{base}/goals")
    page.select_option("#goal-owner", "")  # the form proposes the reader as the owner
    click_through(page, "form.goal-form button[type=submit]")
    for field in ("metric", "target", "deadline", "owner"):
        assert page.locator(f"#goal-{field}-error").is_visible(), field
    assert page.inner_text("#goal-metric-error") == ("Not specific: choose a metric from "
                                                     "the catalogue.")
    page.fill("#goal-title", TITLE)
    page.select_option("#goal-metric", "new_customers")
    page.fill("#goal-target", "100")
    page.fill("#goal-start", "2026-12-01")
    page.fill("#goal-deadline", "2027-06-01")
    page.select_option("#goal-owner", label="admin@example.com")
    click_through(page, "form.goal-form button[type=submit]")


def test_the_guides_goal_and_its_chart_in_english_and_in_chinese(
    browser: Browser, live_server: str, world: TwoPartners, channel: None,  # noqa: F811
) -> None:
    page = browser.new_page(viewport=VIEWPORT, locale="en-US", accept_downloads=True)
    problems = _watch(page)
    page.goto(f"{live_server}/login")
    sign_in(page, world.admin_email)
    _set_goal_through_the_form(page, live_server)
    assert "/goals/" in page.url
    assert page.locator("h1").inner_text() == TITLE
    assert page.inner_text("#goal-actual") == "12"
    assert page.locator(".goal-status").get_attribute("data-status") == "on_track"
    english = visible_text(page)
    assert _drawn_pixels(page, "goal-en-chart") > 2000
    shoot(page, "goal-en-detail")

    table = _table(page)
    assert table[0] == ["Dec 1, 2026", "0", "0"]
    assert table[3] == ["12/20/26, 12:00\u202fPM", "12", "10.71"] or table[3][1:] == [
        "12", "10.71"]
    assert table[-1][1:] == ["—", "100"]
    with page.expect_download() as download:
        page.click("#goal-chart a[download]")
    rows = list(csv.reader(io.StringIO(
        Path(download.value.path()).read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["As of (UTC)", "Actual", "Pace"]
    assert [r[1:] for r in rows[1:]] == [[a.replace("—", ""), p] for _when, a, p in table]

    click_through(page, "button[value='zh-CN']")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    chinese = visible_text(page)
    left = untranslated(english, chinese)
    assert not left, f"English left on the Chinese page: {left}"
    assert translate("zh-CN", "On track") in chinese
    assert TITLE in chinese
    assert _drawn_pixels(page, "goal-zh-chart") > 2000
    shoot(page, "goal-zh-detail")
    zh_table = _table(page)
    assert [r[1:] for r in zh_table] == [r[1:] for r in table]
    assert zh_table[0][0] == "2026年12月1日"

    page.goto(f"{live_server}/goals")
    assert TITLE in visible_text(page)
    shoot(page, "goal-zh-list")
    assert not problems, problems
