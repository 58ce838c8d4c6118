"""The program pages in the staff app: the set-up path and its states, the settings form,
the value proposition (view, new version, compare, downloads) and the catalogue (list, add,
edit, import, export). Forms refuse bad input in the reader's language and write nothing."""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Callable

import openpyxl

from qudao.accounts.roles import Role
from qudao.db.session import Database
from qudao.programs.models import Product
from tests.fixtures.accounts import TwoPartners, make_user
from tests.fixtures.security import snapshot
from tests.programs.guide import GUIDE_VP, PROOF_POINT, make_program, save_vp
from tests.web.conftest import Browser, count

PROGRAM_FORM = {
    "name": "渠道合作计划", "company_name": "云链电商", "industry": "B2B软件",
    "currency": "CNY", "default_locale": "zh-CN", "protection_days": "90",
    "attribution_days": "90", "inactivity_days": "30", "mdf_budget": "50000",
    "support_training": "在线课程", "support_marketing": "", "exit_terms": "提前30天通知",
    "company_profile": "",
}


def vp_form(**changes: str) -> dict[str, str]:
    form = {
        "product": GUIDE_VP["product"], "usp": GUIDE_VP["usp"],
        "pains": "\n".join(GUIDE_VP["pains"]), "features": "\n".join(GUIDE_VP["features"]),
        "segments": "\n".join(GUIDE_VP["segments"]),
        "benefit_claim_0": PROOF_POINT, "benefit_value_0": "20", "benefit_unit_0": "%",
        "benefit_evidence_0": "内部测试", "benefit_claim_1": "", "benefit_value_1": "",
        "competitor_name_0": "传统物流软件", "competitor_weaknesses_0": "没有预测能力",
        "swot_strengths": "AI预测技术", "swot_weaknesses": "品牌知名度低",
        "swot_opportunities": "B2B渠道市场增长", "swot_threats": "大公司进入市场",
        "note": "",
    }
    form.update(changes)
    return form


def _error(page: str, input_id: str) -> str:
    found = re.search(rf'id="{input_id}-error">([^<]*)<', page)
    assert found, f"no error shown at {input_id}"
    return html.unescape(found.group(1))


def _states(page: str) -> dict[str, bool]:
    return {key: cls == "check-done" for cls, key in
            re.findall(r'<li class="check (check-\w+)" id="step-(\w+)">', page)}


def test_the_set_up_path_follows_the_data(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    page = admin.get("/program").text
    assert "Set up your partner program" in page
    assert _states(page) == dict.fromkeys(
        ("value_proposition", "goals", "catalogue", "plans", "documents"), False)
    assert admin.get("/program/settings").status_code == 200  # follows to /program/new
    created = admin.post("/program/new", PROGRAM_FORM)
    assert created.status_code == 303
    assert created.headers["location"] == "/program"
    page = admin.get("/program").text
    assert "The program was created" in page
    assert "渠道合作计划" in page
    assert "System integrator" in page  # from the program's industry
    assert admin.post("/program/value-proposition/edit", vp_form()).status_code == 303
    assert admin.post("/program/catalogue", {
        "sku": "SCO-100", "name": "供应链优化工具", "tier_currency_0": "CNY",
        "tier_min_0": "1", "tier_price_0": "999"}).status_code == 303
    page = admin.get("/program").text
    states = _states(page)
    assert states["value_proposition"]
    assert states["catalogue"]
    assert not states["goals"]
    assert not states["plans"]
    assert not states["documents"]
    assert "Versions: 1" in page
    assert "Products on sale: 1" in page


def test_the_settings_form_refuses_bad_input_in_chinese(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    admin.use_language("zh-CN")
    before = snapshot(db)
    refused = admin.post("/program/new", {**PROGRAM_FORM, "currency": "XYZ"})
    assert refused.status_code == 422
    assert "不是 ISO 4217 货币代码" in _error(refused.text, "f-currency")
    assert 'value="渠道合作计划"' in refused.text
    days = admin.post("/program/new", {**PROGRAM_FORM, "protection_days": "0"})
    assert days.status_code == 422
    assert "1 到 3650" in _error(days.text, "f-protection_days")
    words = admin.post("/program/new", {**PROGRAM_FORM, "inactivity_days": "thirty"})
    assert "整数" in _error(words.text, "f-inactivity_days")
    assert snapshot(db) == before
    program_id = make_program(db)
    edit = admin.get("/program/settings").text
    assert 'value="云链电商"' in edit
    saved = admin.post("/program/settings", {**PROGRAM_FORM, "name": "新名称",
                                             "mdf_budget": "1.234"})
    assert saved.status_code == 422
    assert "1.234" in _error(saved.text, "f-mdf_budget")
    assert admin.post("/program/settings", {**PROGRAM_FORM, "mdf_budget": ""}
                      ).status_code == 303
    assert admin.get(f"/api/v1/programs/{program_id}").json()["mdf_budget"] is None


def test_a_value_proposition_is_written_compared_and_downloaded(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    make_program(db)
    admin = sign_in(world.admin_email)
    empty = admin.get("/program/value-proposition").text
    assert "No value proposition yet." in empty
    before = snapshot(db)
    refused = admin.post("/program/value-proposition/edit",
                         vp_form(benefit_value_0="", benefit_claim_1="库存周转提高",
                                 benefit_value_1="三成"))
    assert refused.status_code == 422
    assert _error(refused.text, "vp-benefit_value_1") == "Enter a number, such as 7 or 7.5."
    # The two rows typed in, and two empty ones to add more: a refusal does not grow it.
    assert refused.text.count('name="benefit_claim_') == 4
    missing = admin.post("/program/value-proposition/edit", vp_form(benefit_value_0=""))
    assert _error(missing.text, "vp-benefit_value_0") == "Fill in this field."
    assert PROOF_POINT in missing.text  # what was typed is kept
    many = admin.post("/program/value-proposition/edit",
                      vp_form(pains="\n".join(f"痛点{n}" for n in range(21))))
    assert "At most 20 lines" in _error(many.text, "vp-pains")
    assert snapshot(db) == before
    assert admin.post("/program/value-proposition/edit", vp_form(note="第一版")
                      ).status_code == 303
    shown = admin.get("/program/value-proposition").text
    assert "The value proposition was saved as a new version." in shown
    assert f'<h3 class="benefit-claim">{PROOF_POINT}</h3>' in shown
    assert '<span class="benefit-figure">20%</span>' in shown
    form = admin.get("/program/value-proposition/edit").text
    assert f'value="{PROOF_POINT}"' in form
    assert admin.post("/program/value-proposition/edit",
                      vp_form(usp="AI驱动的需求预测分析", note="改进卖点")).status_code == 303
    compare = admin.get("/program/value-proposition/compare").text
    assert "Version 1 → version 2" in compare
    assert "<ins>需求</ins>" in compare
    old = admin.get("/program/value-proposition?version=1").text
    assert "See the newest version" in old
    assert GUIDE_VP["usp"] in old
    for lang, heading in (("zh-CN", "## 解决的痛点"), ("en", "## Pain points solved")):
        markdown = admin.get(f"/program/value-proposition/download?format=md&lang={lang}")
        assert markdown.status_code == 200
        assert heading in markdown.text
        assert PROOF_POINT in markdown.text
        word = admin.get(f"/program/value-proposition/download?format=docx&lang={lang}")
        assert "attachment" in word.headers["content-disposition"]
        assert PROOF_POINT in zipfile.ZipFile(io.BytesIO(word.content)).read(
            "word/document.xml").decode()
    pdf = admin.get("/program/value-proposition/download?format=pdf&lang=zh-CN")
    assert pdf.content.startswith(b"%PDF")
    assert admin.get("/program/value-proposition?version=9").status_code == 404


def test_the_catalogue_pages(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    page = admin.get("/program/catalogue").text
    assert "No products yet." in page
    before = count(db, Product)
    refused = admin.post("/program/catalogue", {
        "sku": "SCO-100", "name": "供应链优化工具", "features": "需求预测\n智能调度",
        "tier_currency_0": "CNY", "tier_min_0": "1", "tier_price_0": "9.999",
        "tier_currency_1": "CNY", "tier_min_1": "10", "tier_price_1": "x"})
    assert refused.status_code == 422
    assert "decimal places" in _error(refused.text, "f-tier_price_0")
    assert count(db, Product) == before
    start = admin.post("/program/catalogue", {
        "sku": "SCO-100", "name": "供应链优化工具", "tier_currency_0": "CNY",
        "tier_min_0": "5", "tier_price_0": "1"})
    assert "start at 1 unit" in _error(start.text, "f-tier_min_0")
    added = admin.post("/program/catalogue", {
        "sku": "SCO-100", "name": "供应链优化工具", "features": "需求预测\n智能调度",
        "tier_currency_0": "CNY", "tier_min_0": "1", "tier_price_0": "999",
        "tier_currency_1": "CNY", "tier_min_1": "10", "tier_price_1": "899"})
    assert added.status_code == 303
    product_url = added.headers["location"]
    detail = admin.get(product_url).text
    assert "The product was added to the catalogue." in detail
    assert 'value="899.00"' in detail
    saved = admin.post(product_url, {"name": "供应链优化工具 Pro", "tier_currency_0": "CNY",
                                     "tier_min_0": "1", "tier_price_0": "1099",
                                     "active": "on"})
    assert saved.status_code == 303
    listed = admin.get("/program/catalogue?shown=inactive").text
    assert "No product matches your search." in listed
    assert "供应链优化工具 Pro" in admin.get("/program/catalogue?q=pro").text
    exported = admin.get("/program/catalogue/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][:2] == ["SKU", "Name"]
    bad = (b"SKU,Name,Currency,Unit price\nOK,Fine,CNY,1\n,Nameless,CNY,2\n")
    report = admin.client.post("/program/catalogue/import", data={"csrf_token": admin.csrf},
                               files={"file": ("bad.csv", bad, "text/csv")})
    assert report.status_code == 422
    assert re.search(r'<tr><td class="num">3</td><td>SKU</td>', report.text)
    assert count(db, Product) == 1
    good = admin.client.post("/program/catalogue/import", data={"csrf_token": admin.csrf},
                             files={"file": ("catalogue.xlsx", exported.content)})
    assert good.status_code == 200
    assert "Imported: 0 new products, 0 changed." in good.text


def test_unchecking_on_sale_withdraws_a_product(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    added = admin.post("/program/catalogue", {"sku": "A-1", "name": "A"})
    url = added.headers["location"]
    assert admin.post(url, {"name": "A"}).status_code == 303
    assert "A-1" in admin.get("/program/catalogue?shown=inactive").text
    assert admin.post(url, {"name": "A", "active": "on"}).status_code == 303
    assert "A-1" in admin.get("/program/catalogue?shown=active").text


def test_several_programs_have_a_switcher(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    make_program(db)
    second = make_program(db, name="海外计划", industry="消费品", currency="USD")
    save_vp(db, second)
    admin = sign_in(world.admin_email)
    page = admin.get("/program").text
    assert 'id="program-switch"' in page
    assert _states(page)["value_proposition"] is False
    chosen = admin.get(f"/program?program={second}").text
    assert _states(chosen)["value_proposition"] is True
    assert "Distributor" in chosen
    assert f"/program/value-proposition?program={second}" in chosen
    assert admin.get("/program?program=999").status_code == 404


def test_who_may_see_and_change_the_program(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    program_id = make_program(db)
    save_vp(db, program_id)
    make_user(db, "ana@example.com", Role.ANALYST)
    analyst = sign_in("ana@example.com")
    page = analyst.get("/program/value-proposition").text
    assert PROOF_POINT in page
    assert "/program/value-proposition/edit" not in page
    assert 'method="post" action="/program/catalogue"' not in analyst.get(
        "/program/catalogue").text
    before = snapshot(db)
    assert analyst.post("/program/value-proposition/edit", vp_form()).status_code == 403
    assert analyst.post("/program/catalogue", {"sku": "X", "name": "X"}).status_code == 403
    assert snapshot(db) == before
    partner = sign_in(world.email_a)
    for url in ("/program", "/program/settings", "/program/value-proposition",
                "/program/catalogue", "/program/catalogue/import"):
        assert partner.get(url).status_code == 403, url
