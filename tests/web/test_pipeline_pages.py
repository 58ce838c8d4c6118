"""The sourcing pipeline in the staff app: the board, the list with its filters and exports,
and the candidate page's company forms (details, contacts, stage moves, merging)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import openpyxl

from qudao.accounts.roles import Role
from qudao.db.session import Database
from tests.fixtures.accounts import TwoPartners, make_user
from tests.web.candidates import (
    GUIDE_RATINGS,
    make_candidate,
    rating_form,
    stage_of,
    written,
)
from tests.web.conftest import Browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Each new page with a text it shows in English and in Chinese.
PAGES = {
    "/pipeline": ("from first contact to signature", "从初次接触到签约"),
    "/partners?stage=sourced&sort=-created": ("Tracking table, Chinese headers",
                                             "跟踪表，中文表头"),
    "/screening": ("Edit the rubric", "修改评分标准"),
    "/partners/import": ("Check and import", "校验并导入"),
}


def test_every_page_renders_for_staff_in_both_languages_and_refuses_partner_users(
    world: TwoPartners, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    pages = {**PAGES, f"/partners/{world.partner_a}": ("Due diligence", "尽职调查")}
    for locale, index in (("en", 0), ("zh-CN", 1)):
        admin.use_language(locale)
        for url, texts in pages.items():
            page = admin.get(url)
            assert page.status_code == 200, (locale, url, page.text[-500:])
            assert f'<html lang="{locale}">' in page.text
            assert texts[index] in page.text, (locale, url)
            assert "default-src 'self'" in page.headers["content-security-policy"]
            assert "<script>" not in page.text
            assert " style=" not in page.text

    partner = sign_in(world.email_a)
    own = f"/partners/{world.partner_a}"
    for url in [*PAGES, own, "/partners/export.xlsx", "/partners/export.csv",
                "/screening/tracking-table.xlsx?lang=en"]:
        page = partner.get(url)
        assert page.status_code == 403, url
        assert "Not allowed" in page.text
    for url in [own, f"{own}/stage", f"{own}/contacts", f"{own}/merge", f"{own}/evaluations",
                f"{own}/diligence", f"{own}/diligence/credit_rating", "/screening/rubric",
                "/partners/import"]:
        assert partner.post(url, {"stage": "signed", "name": "x"}).status_code == 403, url


def _cards(html: str, stage: str) -> str:
    """The HTML of one board column."""
    start = html.index(f'board-column-{stage}"')
    end = html.find('<section class="board-column', start + 1)
    return html[start:end if end > 0 else None]


def test_the_board_shows_each_stage_with_its_candidates_and_filters_them(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    manager = make_user(db, "mei@example.com", Role.CHANNEL_MANAGER)
    big = make_candidate(db, "Huge Distribution Group", partner_type="distributor",
                         employees=5000, owner_id=manager, industry="Consumer goods")
    make_candidate(db, "Nimble Integrators", partner_type="system_integrator", employees=40)
    admin = sign_in(world.admin_email)
    assert admin.post(f"/partners/{big}/evaluations",
                      rating_form(world.admin_email, GUIDE_RATINGS)).status_code == 303
    assert admin.post(f"/partners/{big}/stage", {"stage": "contacted"}).status_code == 303

    board = admin.get("/pipeline")
    assert board.status_code == 200
    html = board.text
    for label in ("Sourced", "Contacted", "Evaluating", "Due diligence", "Negotiating",
                  "Signed", "On hold", "Rejected"):
        assert f">{label}</h3>" in html
    contacted = _cards(html, "contacted")
    assert "Huge Distribution Group" in contacted
    assert "Distributor" in contacted
    assert '<span class="score-total">7.5</span>' in contacted
    assert "Passes" in contacted
    assert "mei@example.com" in contacted  # the owner
    assert "Large company" in contacted  # the size flag, with the reason as its title
    assert "May lack focus; prefer a mid-size partner." in contacted
    assert f'href="/partners/{big}"' in contacted
    sourced = _cards(html, "sourced")
    assert "Nimble Integrators" in sourced
    assert "Alpha Distribution" in sourced
    assert "Large company" not in sourced
    assert re.search(r'<span class="count">3\b', sourced)  # Alpha, Beta, Nimble

    by_type = admin.get("/pipeline?partner_type=system_integrator&owner=").text
    assert "Nimble Integrators" in by_type
    assert "Huge Distribution" not in by_type
    assert '<span class="muted"> / 3</span>' in by_type  # one of the three at that stage
    by_owner = admin.get(f"/pipeline?owner={manager}").text
    assert "Huge Distribution" in by_owner
    assert "Nimble" not in by_owner
    searched = admin.get("/pipeline?q=nimble").text
    assert "Nimble Integrators" in searched
    assert "Alpha Distribution" not in searched

    admin.use_language("zh-CN")
    chinese = admin.get("/pipeline").text
    assert ">尽职调查</h3>" in chinese
    assert ">已搁置</h2>" in chinese
    assert "分销商" in chinese
    assert "通过" in chinese
    assert "大公司" in chinese


def test_the_list_filters_sorts_and_exports(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    make_candidate(db, "Gamma Systems", partner_type="system_integrator", employees=120)
    make_candidate(db, "=HYPERLINK(\"evil\")", partner_type="reseller", employees=30)
    admin = sign_in(world.admin_email)
    listed = admin.get("/partners?stage=sourced&partner_type=system_integrator").text
    assert "Gamma Systems" in listed
    assert "Alpha Distribution" not in listed
    assert "System integrator" in listed
    assert "Sourced" in listed
    ordered = admin.get("/partners?sort=-employees").text
    # Only sizes that are known: where unknown ones go differs between the databases.
    assert ordered.index("Gamma Systems") < ordered.index("HYPERLINK")
    assert admin.get("/partners?sort=bogus").status_code == 422

    xlsx = admin.get("/partners/export.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"] == XLSX
    assert "attachment" in xlsx.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:2] == ["Name", "Type"]
    names = [row[0] for row in rows[1:]]
    assert "Gamma Systems" in names
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)  # no formulas

    exported = admin.get("/partners/export.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    text = exported.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][0] == "Name"
    assert "'=HYPERLINK(\"evil\")" in [row[0] for row in table]

    admin.use_language("zh-CN")
    chinese = admin.get("/partners/export.xlsx")
    header = next(openpyxl.load_workbook(io.BytesIO(chinese.content)).worksheets[0]
                  .iter_rows(values_only=True))
    assert header[:2] == ("名称", "类型")


def test_details_contacts_and_merging_through_the_candidate_page(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    url = f"/partners/{world.partner_a}"
    before = written(db)
    wrong = admin.post(url, {"name": "Alpha Distribution", "annual_revenue": "1000",
                             "revenue_currency": "XYZ", "industry": "B2B software"})
    assert wrong.status_code == 422
    assert 'id="f-revenue_currency-error"' in wrong.text
    assert "XYZ is not an ISO 4217 currency code" in wrong.text
    assert 'value="B2B software"' in wrong.text  # what was typed is kept
    no_count = admin.post(url, {"name": "Alpha Distribution", "employees": "many"})
    assert no_count.status_code == 422
    assert 'id="f-employees-error"' in no_count.text
    assert written(db) == before

    saved = admin.post(url, {
        "name": "Alpha Distribution", "partner_type": "", "custom_type": "",
        "industry": "B2B software", "region": "East China", "country": "China",
        "employees": "1200", "annual_revenue": "2500000.50", "revenue_currency": "cny",
        "website": "https://www.alpha.example/about", "source": "trade_show",
        "referrer": "Li Wei", "tags": "priority，east; saas", "notes": "Met in Shanghai"})
    assert saved.status_code == 303
    page = admin.get(url).text
    for text in ("East China", "B2B software", "alpha.example", "Trade show", "Li Wei",
                 "priority", "saas", "CN¥2,500,000.50", "1,200",
                 "System integrator, Agent / reseller",
                 "B2B software is usually bought as part of a solution",
                 "May lack focus; prefer a mid-size partner."):
        assert text in page, text

    assert admin.post(f"{url}/contacts", {"name": "", "email": "x"}).status_code == 422
    added = admin.post(f"{url}/contacts", {"name": "Wang Fang", "role": "CEO",
                                          "email": "fang@alpha.example", "wechat": "wf88"})
    assert added.status_code == 303
    page = admin.get(url).text
    assert "Wang Fang" in page
    assert "WeChat wf88" in page
    assert "The contact was added." in page
    contact_id = re.search(r'/contacts/(\d+)/remove', page)
    assert contact_id
    removed = admin.post(f"{url}/contacts/{contact_id.group(1)}/remove")
    assert removed.status_code == 303
    assert "Wang Fang" not in admin.get(url).text

    duplicate = make_candidate(db, "Alpha Distributors", website="alpha.example.org")
    page = admin.get(url).text
    assert f'<a href="/partners/{duplicate}">Alpha Distributors</a>' in page  # possible dup
    assert admin.post(f"{url}/merge", {"merge_id": ""}).status_code == 422
    assert admin.post(f"{url}/stage", {"stage": "contacted"}).status_code == 303
    merged = admin.post(f"{url}/merge", {"merge_id": str(duplicate)})
    assert merged.status_code == 303
    assert "The duplicate was merged into this partner." in admin.get(url).text
    assert "This record was merged into Alpha Distribution." in admin.get(
        f"/partners/{duplicate}").text
    assert "Alpha Distributors" not in admin.get("/partners").text


def test_moves_need_reasons_and_signing_waits_for_due_diligence(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    make_user(db, "mei@example.com", Role.CHANNEL_MANAGER)
    candidate = make_candidate(db, "Delta Channel")
    url = f"/partners/{candidate}"
    manager = sign_in("mei@example.com")
    assert manager.post(f"{url}/stage", {"stage": "negotiating"}).status_code == 303
    page = manager.get(url).text
    assert "The candidate was moved; the move is in its history." in page
    assert 'name="override_diligence"' not in page  # administrators only

    manager.use_language("zh-CN")
    before = written(db)
    back = manager.post(f"{url}/stage", {"stage": "contacted", "reason": " "})
    assert back.status_code == 422
    assert 'id="stage-reason-error"' in back.text
    assert "请说明原因" in back.text
    blocked = manager.post(f"{url}/stage", {"stage": "signed", "reason": "Ready"})
    assert blocked.status_code == 409
    error = re.search(r'id="stage-stage-error">([^<]+)<', blocked.text)
    assert error
    assert error.group(1).startswith("必需的尽职调查项完成前不能签约：")
    assert "已核查信用评级" in error.group(1)
    assert "已进行文化访谈" in error.group(1)
    forced = manager.post(f"{url}/stage", {"stage": "signed", "reason": "Trust me",
                                           "override_diligence": "on"})
    assert forced.status_code == 403
    assert written(db) == {**before, "AuditEntry": before["AuditEntry"] + 1}  # the denial
    assert stage_of(db, candidate) == "negotiating"

    admin = sign_in(world.admin_email)
    offered = admin.get(url).text
    assert 'name="override_diligence"' in offered
    no_reason = admin.post(f"{url}/stage", {"stage": "signed", "override_diligence": "on"})
    assert no_reason.status_code == 422
    assert "An override of open due-diligence checks needs a reason." in no_reason.text
    signed = admin.post(f"{url}/stage", {"stage": "signed", "override_diligence": "on",
                                         "reason": "Board approved the exception"})
    assert signed.status_code == 303
    assert stage_of(db, candidate) == "signed"
    history = admin.get(url).text
    assert "Checks overridden" in history
    assert "Board approved the exception" in history
    assert history.index("Board approved") < history.index("mei@example.com")  # newest first
