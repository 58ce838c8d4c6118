"""The set-up path in a real browser (Debian's chromium), as a new company following section 1
of the guide would walk it: in Chinese, create the program, write the value proposition with
the proof point 节省20%物流成本 and a SWOT analysis, add a product, and watch the steps'
states change; then the same pages in English, with no English left on the Chinese ones."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.fixtures.accounts import TwoPartners
from tests.programs.guide import GUIDE_VP, PROOF_POINT
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
PAGES = ["/program", "/program/settings", "/program/value-proposition",
         "/program/value-proposition/edit", "/program/value-proposition/compare",
         "/program/catalogue", "/program/catalogue/import"]


def _ui_text(page: Page) -> str:
    """The page's text without the table of accepted column headers, which lists the
    English and the Chinese spelling of each header on purpose, in both languages."""
    return str(page.evaluate("""() => {
        const copy = document.body.cloneNode(true);
        copy.querySelectorAll("table.columns-help").forEach((t) => t.remove());
        return copy.textContent;
    }"""))


def _state(page: Page, step: str) -> str:
    return page.inner_text(f"#step-{step} .check-badges")


def _write_value_proposition(page: Page) -> None:
    page.fill("#vp-product", GUIDE_VP["product"])
    page.fill("#vp-pains", "\n".join(GUIDE_VP["pains"]))
    page.fill("#vp-usp", GUIDE_VP["usp"])
    page.fill("#vp-features", "\n".join(GUIDE_VP["features"]))
    page.fill("#vp-segments", "\n".join(GUIDE_VP["segments"]))
    page.fill("#vp-benefit_claim_0", PROOF_POINT)
    page.fill("#vp-benefit_value_0", "20")
    page.fill("#vp-benefit_unit_0", "%")
    page.fill("#vp-benefit_evidence_0", GUIDE_VP["benefits"][0]["evidence"])
    page.fill("#vp-competitor_name_0", "传统物流软件")
    page.fill("#vp-competitor_advantage_0", "AI驱动的预测分析")
    for part in ("strengths", "weaknesses", "opportunities", "threats"):
        page.fill(f"#vp-swot_{part}", "\n".join(GUIDE_VP["swot"][part]))
    page.fill("#vp-note", "第一版")


def test_a_new_company_walks_the_set_up_path_in_chinese_then_in_english(
    browser: Browser, live_server: str, world: TwoPartners  # noqa: F811
) -> None:
    page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
    page.goto(f"{live_server}/login")
    click_through(page, "button[value='zh-CN']")
    sign_in(page, world.admin_email)
    click_through(page, "nav.mainnav a[href='/program']")
    assert page.locator("h1").inner_text() == "建立你的渠道合作计划"
    for step in ("value_proposition", "goals", "catalogue", "plans", "documents"):
        assert "尚未完成" in _state(page, step)
    shoot(page, "program-zh-empty")

    click_through(page, "a[href='/program/new']")
    page.fill("#f-name", "渠道合作计划")
    page.fill("#f-company_name", "云链电商")
    page.fill("#f-industry", "B2B软件 电商平台")
    page.fill("#f-currency", "XYZ")
    page.fill("#f-support_training", "在线课程和现场工作坊")
    page.fill("#f-mdf_budget", "50000")
    page.fill("#f-exit_terms", "提前30天书面通知，提供客户过渡支持")
    click_through(page, "form[action='/program/new'] button[type=submit]")
    assert "不是 ISO 4217 货币代码" in page.inner_text("#f-currency-error")
    page.fill("#f-currency", "CNY")
    click_through(page, "form[action='/program/new'] button[type=submit]")
    assert "渠道计划已创建" in visible_text(page)
    assert "系统集成商" in page.inner_text("#program-summary")
    shoot(page, "program-zh-created")

    click_through(page, "#step-value_proposition a.btn")
    click_through(page, "a[href^='/program/value-proposition/edit']")
    _write_value_proposition(page)
    shoot(page, "program-zh-vp-form")
    click_through(page, "#vp-form button[type=submit]")
    assert "价值主张已保存为新版本" in visible_text(page)
    document = page.inner_text("#document")
    assert PROOF_POINT in document
    assert "20%" in page.inner_text(".benefit-figure")
    for heading in ("解决的痛点", "独特卖点", "预期收益", "SWOT 分析", "优势", "弱点", "机会",
                    "威胁"):
        assert heading in document, heading
    assert "全球B2B渠道销售市场超过10万亿美元" in document
    shoot(page, "program-zh-vp")
    with page.expect_download() as download:
        page.click("#downloads a[href*='format=docx'][href*='lang=zh-CN']")
    assert download.value.suggested_filename == "value-proposition-v1-zh-CN.docx"

    click_through(page, "nav.program-nav a[href='/program']")
    assert "已完成" in _state(page, "value_proposition")
    assert "版本数：1" in _state(page, "value_proposition")
    assert "尚未完成" in _state(page, "catalogue")

    click_through(page, "#step-catalogue a.btn")
    page.fill("#f-sku", "SCO-100")
    page.fill("#f-name", "供应链优化工具")
    page.fill("#f-features", "需求预测\n智能调度")
    page.fill("#f-tier_price_0", "999")
    click_through(page, "form[method='post'][action='/program/catalogue'] button[type=submit]")
    assert "产品已添加到目录" in visible_text(page)
    click_through(page, "a[href='/program/catalogue']")
    click_through(page, "nav.program-nav a[href='/program']")
    assert "已完成" in _state(page, "catalogue")
    assert "在售产品：1" in _state(page, "catalogue")
    shoot(page, "program-zh-path")

    zh_texts: dict[str, str] = {}
    for path in PAGES:
        page.goto(f"{live_server}{path}")
        zh_texts[path] = _ui_text(page)

    english = browser.new_page(viewport=VIEWPORT, locale="en-US")
    english.goto(f"{live_server}/login")
    sign_in(english, world.admin_email)
    # The same person, who chose Chinese on the other page: switch back.
    click_through(english, "button[value='en']")
    click_through(english, "nav.mainnav a[href='/program']")
    assert "Done" in _state(english, "value_proposition")
    assert "Not yet" in _state(english, "goals")
    click_through(english, "#step-value_proposition a.btn")
    click_through(english, "a[href^='/program/value-proposition/edit']")
    english.fill("#vp-usp", "AI驱动的需求预测分析")
    english.fill("#vp-note", "sharper selling point")
    click_through(english, "#vp-form button[type=submit]")
    assert "Version 2" in english.inner_text("#versions")
    click_through(english, "#compare-form button[type=submit]")
    assert english.inner_text("#diff ins") == "需求"
    shoot(english, "program-en-compare")
    en_texts: dict[str, str] = {}
    for path in PAGES:
        english.goto(f"{live_server}{path}")
        en_texts[path] = _ui_text(english)
    shoot(english, "program-en-import")
    assert PROOF_POINT in en_texts["/program/value-proposition"]
    for path in PAGES:
        left = untranslated(en_texts[path], zh_texts[path])
        assert not left, f"{path}: English left on the Chinese page: {left}"
