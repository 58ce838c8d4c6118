"""The product catalogue through the JSON API: products with price tiers, searching and
paging, and who may read or change what."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qudao.db.session import Database
from qudao.programs import catalogue, repository
from tests.fixtures.accounts import TwoPartners, bearer, login
from tests.fixtures.security import snapshot
from tests.web.conftest import actions

TOOL: dict[str, Any] = {
    "sku": "SCO-100", "name": "供应链优化工具", "description": "AI驱动的预测分析",
    "features": ["需求预测", "智能调度"], "use_cases": ["零售商降低物流成本"],
    "prices": [{"currency": "CNY", "min_quantity": 1, "unit_price": "999.00"},
               {"currency": "CNY", "min_quantity": 10, "unit_price": "899.00"},
               {"currency": "USD", "unit_price": "139"}],
}


def test_add_change_and_withdraw_a_product(
    api: TestClient, staff: dict[str, str], db: Database
) -> None:
    created = api.post("/api/v1/products", headers=staff, json=TOOL)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["active"] is True
    assert [(p["currency"], p["min_quantity"], p["unit_price"]) for p in body["prices"]] == [
        ("CNY", 1, "999.00"), ("CNY", 10, "899.00"), ("USD", 1, "139.00")]
    product_id = body["id"]
    changed = api.patch(f"/api/v1/products/{product_id}", headers=staff, json={
        "prices": [{"currency": "CNY", "unit_price": "949.00"},
                   {"currency": "CNY", "min_quantity": 50, "unit_price": "799.00"}],
        "features": ["需求预测", "智能调度", "库存优化"]})
    assert changed.status_code == 200, changed.text
    assert [(p["min_quantity"], p["unit_price"]) for p in changed.json()["prices"]] == [
        (1, "949.00"), (50, "799.00")]
    assert changed.json()["features"][-1] == "库存优化"
    assert changed.json()["sku"] == "SCO-100"
    withdrawn = api.patch(f"/api/v1/products/{product_id}", headers=staff,
                          json={"active": False})
    assert withdrawn.json()["active"] is False
    with db.unit_of_work(read_only=True) as session:
        product = repository.product_by_sku(session, "SCO-100")
        assert product is not None
        assert catalogue.price_for(product, "CNY", 49) == Decimal("949.00")
        assert catalogue.price_for(product, "CNY", 50) == Decimal("799.00")
        assert catalogue.price_for(product, "USD", 1) is None
    assert actions(db).count("product.update") == 2


BAD_PRODUCTS: list[tuple[dict[str, Any], str]] = [
    ({"prices": [{"currency": "CNY", "unit_price": "-1"}]}, "prices.0.unit_price"),
    ({"prices": [{"currency": "CNY", "unit_price": "1.001"}]}, "prices.0.unit_price"),
    ({"prices": [{"currency": "JPY", "unit_price": "1.5"}]}, "prices.0.unit_price"),
    ({"prices": [{"currency": "XXQ", "unit_price": "1"}]}, "prices.0.currency"),
    ({"prices": [{"currency": "CNY", "min_quantity": 5, "unit_price": "1"}]},
     "prices.0.min_quantity"),
    ({"prices": [{"currency": "CNY", "unit_price": "1"},
                 {"currency": "CNY", "min_quantity": 1, "unit_price": "2"}]},
     "prices.1.min_quantity"),
]


@pytest.mark.parametrize(("change", "field"), BAD_PRODUCTS)
def test_a_bad_price_list_is_refused_and_changes_nothing(
    api: TestClient, staff: dict[str, str], db: Database, change: dict[str, Any], field: str
) -> None:
    product_id = api.post("/api/v1/products", headers=staff, json=TOOL).json()["id"]
    before = snapshot(db)
    response = api.patch(f"/api/v1/products/{product_id}", headers=staff, json=change)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    created = api.post("/api/v1/products", headers=staff,
                       json={**TOOL, "sku": "OTHER", **change})
    assert created.status_code == 422
    assert snapshot(db) == before


@pytest.mark.parametrize("body", [
    {**TOOL, "sku": "=cmd"}, {**TOOL, "sku": "has space"}, {**TOOL, "sku": ""},
    {**TOOL, "features": ["a;b"]}, {**TOOL, "features": ["x"] * 31},
    {**TOOL, "prices": [{"currency": "CNY", "unit_price": 9.99}]},
    {**TOOL, "id": 3},
])
def test_malformed_products_are_422(
    api: TestClient, staff: dict[str, str], body: dict[str, Any]
) -> None:
    assert api.post("/api/v1/products", headers=staff, json=body).status_code == 422


def test_a_sku_is_unique_and_never_changes(api: TestClient, staff: dict[str, str]) -> None:
    product_id = api.post("/api/v1/products", headers=staff, json=TOOL).json()["id"]
    again = api.post("/api/v1/products", headers=staff, json=TOOL)
    assert again.status_code == 409
    assert again.json()["field"] == "sku"
    renamed = api.patch(f"/api/v1/products/{product_id}", headers=staff, json={"sku": "NEW"})
    assert renamed.status_code == 422


def test_search_and_pages(api: TestClient, staff: dict[str, str]) -> None:
    for number in range(12):
        body = {**TOOL, "sku": f"P-{number:02d}", "name": f"产品 {number}",
                "active": number % 3 != 0}
        assert api.post("/api/v1/products", headers=staff, json=body).status_code == 201
    page = api.get("/api/v1/products", headers=staff, params={"limit": 5, "offset": 5}).json()
    assert page["total"] == 12
    assert [p["sku"] for p in page["items"]] == [f"P-{n:02d}" for n in range(5, 10)]
    found = api.get("/api/v1/products", headers=staff, params={"q": "p-1"}).json()
    assert [p["sku"] for p in found["items"]] == ["P-10", "P-11"]
    on_sale = api.get("/api/v1/products", headers=staff, params={"active": "true"}).json()
    assert on_sale["total"] == 8
    assert api.get("/api/v1/products", headers=staff, params={"limit": 101}).status_code == 422


def test_partners_read_the_products_on_sale_and_change_nothing(
    api: TestClient, staff: dict[str, str], world: TwoPartners, db: Database
) -> None:
    on_sale = api.post("/api/v1/products", headers=staff, json=TOOL).json()["id"]
    withdrawn = api.post("/api/v1/products", headers=staff,
                         json={**TOOL, "sku": "OLD-1", "active": False}).json()["id"]
    key = bearer(world.key_a)
    listed = api.get("/api/v1/products", headers=key).json()
    assert [p["sku"] for p in listed["items"]] == ["SCO-100"]
    assert api.get(f"/api/v1/products/{on_sale}", headers=key).json()["name"] == "供应链优化工具"
    gone = api.get(f"/api/v1/products/{withdrawn}", headers=key)
    assert gone.status_code == 404
    assert gone.json()["error"] == "not_found"
    assert api.get("/api/v1/products", headers=key,
                   params={"active": "false"}).json()["items"] == []
    assert api.get("/api/v1/products/export", headers=key).status_code == 403
    assert api.get("/api/v1/products").status_code == 401
    csrf = login(api, world.email_a)
    before = snapshot(db)
    assert api.post("/api/v1/products", headers=key, json={**TOOL, "sku": "X"}
                    ).status_code == 403
    assert api.patch(f"/api/v1/products/{on_sale}", headers=key, json={"name": "x"}
                     ).status_code == 403
    assert api.patch(f"/api/v1/products/{on_sale}", headers={"X-CSRF-Token": csrf},
                     json={"name": "x"}).status_code == 403
    assert snapshot(db) == before
