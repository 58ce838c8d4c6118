"""The staff dashboard on the overview in a real browser (Debian's chromium), in English and
in Chinese: ECharts draws every chart (the canvases hold pixels), no message id or
placeholder shows, the table twin opens, the CSV link downloads the rows, and the
screenshots are not blank."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, ViewportSize

from qudao.core.i18n import Translator
from qudao.db.session import Database
from tests.dashboards import staff_data
from tests.fixtures.accounts import TwoPartners
from tests.web.live_server import live_server  # noqa: F401  (a fixture)
from tests.web.test_browser import (  # noqa: F401  (browser is a fixture)
    browser,
    charts_drawn,
    click_through,
    sign_in,
    untranslated,
    visible_text,
)

pytestmark = pytest.mark.browser
VIEWPORT: ViewportSize = {"width": 1360, "height": 900}
CHARTS = ("revenue", "partners", "share", "stages", "goals")
ZH = Translator("zh-CN")


def _check_page(page: Page, shots: Path, language: str) -> str:
    charts_drawn(page, (f"dashboard-{key}" for key in CHARTS))
    assert page.evaluate("() => typeof window.echarts.getInstanceByDom("
                         "document.querySelector('#dashboard-share .chart-canvas'))") == "object"
    # The table twin opens with the months.
    table = page.locator("#dashboard-revenue table")
    assert not table.is_visible()
    page.click("#dashboard-revenue summary")
    assert table.is_visible()
    assert page.locator("#dashboard-revenue tbody tr").count() == 12
    text = visible_text(page)
    assert "%(" not in text
    assert "msgid" not in text
    shot = shots / f"staff-dashboard-{language}.png"
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(shot), full_page=True)
    with Image.open(shot) as image:
        colours = image.convert("RGB").resize((64, 64)).getcolors(64 * 64) or []
    assert len(colours) > 20, f"{shot.name} looks blank"
    return text


def _download(page: Page, key: str) -> list[list[str]]:
    with page.expect_download() as info:
        page.click(f"#dashboard-{key} .downloads a")
    path = info.value.path()
    return list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))


def test_the_staff_dashboard_in_english_and_in_chinese(
    browser: Browser, live_server: str, world: TwoPartners, db: Database,  # noqa: F811
    tmp_path: Path,
) -> None:
    staff_data.build(db, world)
    page = browser.new_page(viewport=VIEWPORT, locale="en-US", accept_downloads=True)
    page.goto(f"{live_server}/login")
    sign_in(page, world.admin_email)
    english = _check_page(page, tmp_path, "en")
    assert "as of Sep 2011" in english
    assert "Alpha Distribution brings 81.0% of the channel revenue" in english
    table_en = page.inner_text("#dashboard-revenue table")
    assert "sep 2011\t£31,000.00\t£100.00\t£30,900.00\t£0.00" in table_en.lower()
    rows = _download(page, "revenue")
    assert rows[-1] == ["2011-09", "31000.00", "100.00", "30900.00", "0.00"]
    assert len(rows) == 13
    share = _download(page, "share")
    assert share[1] == ["Alpha Distribution", "81.0", "80900.00"]

    click_through(page, "button[value='zh-CN']")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    chinese = _check_page(page, tmp_path, "zh")
    assert "2011年9月" in chinese
    for msgid in ("Overview", "Partners"):
        assert ZH.gettext(msgid) in chinese, msgid
    table_zh = page.inner_text("#dashboard-revenue table")
    assert "2011年9月" in table_zh
    rows_zh = _download(page, "revenue")
    assert rows_zh[-1] == rows[-1]  # the same numbers; headers in Chinese
    assert rows_zh[0][0] == ZH.gettext("Month")

    # The window selector: three months ending in August 2011.
    page.fill("#filter-end", "2011-08")
    page.select_option("#filter-months", "3")
    click_through(page, "#dashboard-filters button[type=submit]")
    assert "end=2011-08" in page.url
    assert page.locator("#dashboard-revenue tbody tr").count() == 3
    # Last: every catalog phrase the English page shows reads in Chinese on the Chinese page.
    left = untranslated(f"{english}\n{table_en}", f"{chinese}\n{table_zh}")
    assert not left, f"English left on the Chinese dashboard: {left}"
