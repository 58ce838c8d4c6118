"""The catalogue as a spreadsheet: import all or nothing with the report of every bad row,
export in CSV and XLSX, and an export that imports again to the same catalogue."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from qudao.accounts.subject import SYSTEM
from qudao.db.session import Database
from qudao.programs import catalogue, repository
from qudao.programs.models import Product, ProductPrice
from qudao.programs.schemas import ProductCreate
from tests.fixtures.security import snapshot

GOOD_CSV = """商品编码,名称,描述,功能,使用案例,在售,币种,起订数量,单价
SCO-100,供应链优化工具,AI驱动的预测分析,需求预测；智能调度,零售商降低物流成本,是,CNY,1,999.00
SCO-100,,,,,,CNY,10,899.00
SCO-100,,,,,,USD,1,139
API-1,推荐接口,,,,yes,,,
"""
BAD_CSV = """SKU,Name,Active,Currency,Min quantity,Unit price
,No SKU,yes,CNY,1,10
OK-1,Fine,yes,CNY,1,10
BAD-PRICE,Price,yes,CNY,1,ten
BAD-CUR,Currency,yes,XYZ,1,10
TWICE,First name,yes,CNY,1,10
TWICE,Second name,yes,CNY,5,9
ACTIVE,Active,perhaps,CNY,1,10
HALF,Half a tier,yes,,1,10
START,Starts late,yes,CNY,5,10
QTY,Quantity,yes,CNY,zero,10
"""
CATALOGUE: list[dict[str, Any]] = [
    {"sku": "SCO-100", "name": "供应链优化工具",
     "description": "AI驱动的预测分析\n第二行, 带逗号和\"引号\"",
     "features": ["需求预测", "智能调度"], "use_cases": ["零售商降低物流成本"],
     "prices": [{"currency": "CNY", "unit_price": "999.00"},
                {"currency": "CNY", "min_quantity": 10, "unit_price": "899.50"},
                {"currency": "USD", "unit_price": "139"}]},
    {"sku": "FORMULA", "name": "=HYPERLINK(\"http://x\",\"y\")", "description": "-折扣",
     "features": ["+加号", "@at"], "prices": [{"currency": "JPY", "unit_price": "15000"}]},
    {"sku": "OLD-1", "name": "Retired", "active": False,
     "prices": [{"currency": "KWD", "unit_price": "1.125"}]},
    {"sku": "API-1", "name": "推荐接口"},
]


def _upload(api: TestClient, headers: dict[str, str], name: str, body: bytes,
            **params: str) -> Any:
    return api.post("/api/v1/products/import", headers=headers, params=params,
                    files={"file": (name, body)})


def _make_catalogue(db: Database) -> None:
    with db.unit_of_work() as session:
        for item in CATALOGUE:
            catalogue.create_product(session, SYSTEM, ProductCreate.model_validate(item))


def _state(db: Database) -> list[dict[str, Any]]:
    with db.unit_of_work(read_only=True) as session:
        return [catalogue.product_out(p).model_dump(exclude={"id", "created_at", "updated_at"})
                for p in repository.all_products(session, SYSTEM)]


def _wipe(db: Database) -> None:
    with db.unit_of_work() as session:
        session.execute(delete(ProductPrice))
        session.execute(delete(Product))


def test_a_good_file_imports_every_product(
    api: TestClient, staff: dict[str, str], db: Database
) -> None:
    response = _upload(api, staff, "catalogue.csv", GOOD_CSV.encode())
    assert response.status_code == 200, response.text
    assert response.json() | {"warnings": []} == {
        "ok": True, "rows": 4, "created": 2, "updated": 0, "dry_run": False, "errors": [],
        "warnings": []}
    products = {p["sku"]: p for p in _state(db)}
    assert products["SCO-100"]["features"] == ["需求预测", "智能调度"]
    assert [(p["currency"], p["min_quantity"], str(p["unit_price"]))
            for p in products["SCO-100"]["prices"]] == [
        ("CNY", 1, "999.00"), ("CNY", 10, "899.00"), ("USD", 1, "139.00")]
    assert products["API-1"]["prices"] == []
    assert products["API-1"]["active"] is True


def test_a_bad_file_changes_nothing_and_reports_every_bad_row(
    api: TestClient, staff: dict[str, str], db: Database
) -> None:
    before = snapshot(db)
    response = _upload(api, staff, "bad.csv", BAD_CSV.encode())
    assert response.status_code == 422, response.text
    report = response.json()["report"]
    assert report["ok"] is False
    bad = {(e["row"], e["column"]) for e in report["errors"]}
    assert {(2, "SKU"), (4, "Unit price"), (5, "Currency"), (7, "Name"), (8, "Active"),
            (9, "Currency"), (10, "Min quantity"), (11, "Min quantity")} <= bad, bad
    assert 3 not in {row for row, _column in bad}
    assert 6 not in {row for row, _column in bad}
    assert snapshot(db) == before
    checked = _upload(api, staff, "bad.csv", BAD_CSV.encode(), dry_run="true")
    assert checked.status_code == 200
    assert checked.json()["ok"] is False
    assert snapshot(db) == before


def test_the_report_speaks_the_reader_language(
    api: TestClient, staff: dict[str, str]
) -> None:
    response = _upload(api, {**staff, "Accept-Language": "zh-CN"}, "bad.csv", BAD_CSV.encode())
    reasons = [e["reason"] for e in response.json()["report"]["errors"]]
    assert "每一行都需要商品编码。" in reasons, reasons


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_an_export_imports_again_to_the_same_catalogue(
    api: TestClient, staff: dict[str, str], db: Database, fmt: str, lang: str
) -> None:
    _make_catalogue(db)
    original = _state(db)
    exported = api.get("/api/v1/products/export", headers=staff,
                       params={"format": fmt, "lang": lang})
    assert exported.status_code == 200
    again = _upload(api, staff, f"catalogue.{fmt}", exported.content)
    assert again.status_code == 200, again.text
    # Importing its own export changes nothing.
    assert (again.json()["created"], again.json()["updated"]) == (0, 0)
    assert _state(db) == original
    _wipe(db)
    restored = _upload(api, staff, f"catalogue.{fmt}", exported.content)
    assert restored.status_code == 200, restored.text
    assert restored.json()["created"] == len(CATALOGUE)
    assert _state(db) == original
    if fmt == "csv":
        second = api.get("/api/v1/products/export", headers=staff,
                         params={"format": fmt, "lang": lang})
        assert second.content == exported.content


def test_exports_cannot_carry_formulas(
    api: TestClient, staff: dict[str, str], db: Database
) -> None:
    _make_catalogue(db)
    csv_text = api.get("/api/v1/products/export", headers=staff,
                       params={"format": "csv", "lang": "zh-CN"}).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "商品编码,名称,描述,功能,使用案例,在售,币种,起订数量,单价"
    assert "'=HYPERLINK" in csv_text
    assert ",'-折扣," in csv_text
    workbook = openpyxl.load_workbook(io.BytesIO(api.get(
        "/api/v1/products/export", headers=staff, params={"format": "xlsx"}).content))
    sheet = workbook.active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=HYPERLINK(\"http://x\",\"y\")"]
    assert cells
    assert all(c.data_type == "s" for c in cells)


def test_an_import_updates_what_the_file_changes(
    api: TestClient, staff: dict[str, str], db: Database
) -> None:
    _make_catalogue(db)
    changed = ("SKU,Name,Active,Currency,Min quantity,Unit price\n"
               "API-1,推荐接口 v2,no,CNY,1,5.00\n")
    response = _upload(api, staff, "change.csv", changed.encode())
    assert response.status_code == 200, response.text
    assert (response.json()["created"], response.json()["updated"]) == (0, 1)
    products = {p["sku"]: p for p in _state(db)}
    assert products["API-1"]["name"] == "推荐接口 v2"
    assert products["API-1"]["active"] is False
    assert products["SCO-100"]["name"] == "供应链优化工具"


def test_an_xlsx_with_chinese_headers_imports(
    api: TestClient, staff: dict[str, str], db: Database
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["货号", "产品名称", "功能", "币种", "数量", "价格"])
    sheet.append(["85123A", "白色心形挂灯", "装饰;礼品", "GBP", 1, 2.55])
    sheet.append(["85123A", None, None, "GBP", 100, 2.29])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _upload(api, staff, "products.xlsx", buffer.getvalue())
    assert response.status_code == 200, response.text
    (product,) = _state(db)
    assert product["features"] == ["装饰", "礼品"]
    assert [str(p["unit_price"]) for p in product["prices"]] == ["2.55", "2.29"]
