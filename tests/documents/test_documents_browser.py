"""The documents page in a real browser (Debian's chromium), in English and in Chinese: a
PDF is generated from the form and downloaded, its text holds the Chinese; the template page
shows its preview. Screenshots are kept for people to look at."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from qudao.db.session import Database
from qudao.documents import fonts
from tests.documents.builders import COMPANY_ZH, make_plan, make_program
from tests.fixtures.accounts import TwoPartners
from tests.web.live_server import live_server  # noqa: F401  (a fixture)
from tests.web.test_browser import (  # noqa: F401  (browser is a fixture)
    browser,
    click_through,
    shoot,
    sign_in,
    untranslated,
    visible_text,
)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not fonts.cjk_font_installed(), reason="no CJK font")]
VIEWPORT = {"width": 1360, "height": 900}


def _generate_pdf(page: Page, tmp_path: Path, *, locale: str) -> str:
    """Fill the form, generate, download the newest PDF; its text."""
    page.select_option("#gen-kind", "nda")
    page.select_option("#gen-locale", locale)
    page.select_option("#gen-format", "pdf")
    page.select_option("#gen-partner_id", label="Alpha Distribution")
    click_through(page, "#generate button[type=submit]")
    row = page.locator("#documents tbody tr").first
    with page.expect_download() as download:
        row.locator("a[download]").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.suffix == ".pdf"
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(target.read_bytes())).pages)


def test_documents_page_in_english_and_in_chinese(
    browser: Browser, live_server: str, world: TwoPartners, db: Database,  # noqa: F811
    tmp_path: Path,
) -> None:
    program = make_program(db)
    make_plan(db, program)
    page = browser.new_page(viewport=VIEWPORT, locale="en-US", accept_downloads=True)
    page.goto(f"{live_server}/login")
    sign_in(page, world.admin_email)
    page.goto(f"{live_server}/program/documents")
    english = visible_text(page)
    assert "Generate a document" in english
    assert "Templates" in english
    text = _generate_pdf(page, tmp_path, locale="zh-CN")
    compact = text.replace(" ", "").replace("\n", "")
    assert "保密协议" in compact
    assert COMPANY_ZH in compact
    assert "The document was generated and kept." in visible_text(page)
    shoot(page, "documents-en")

    click_through(page, "button[value='zh-CN']")
    page.goto(f"{live_server}/program/documents")
    chinese = visible_text(page)
    left = untranslated(english, chinese)
    assert not left, f"English left on the Chinese page: {left}"
    text = _generate_pdf(page, tmp_path, locale="en")
    assert "Mutual Non-Disclosure Agreement" in text
    assert "Alpha Distribution" in text
    shoot(page, "documents-zh")

    click_through(page, "#templates a[href='/program/documents/templates/nda/zh-CN']")
    assert page.locator(".document-preview h1").inner_text() == "保密协议"
    assert page.locator("#tpl-body").input_value().startswith("{% set blank")
    shoot(page, "documents-zh-template")
