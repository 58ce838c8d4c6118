"""The screening workflow through the JSON API, as staff; partners are kept out."""

from __future__ import annotations

import io

import openpyxl
from fastapi.testclient import TestClient

from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import bearer, login, two_partners

GUIDE = {"market_coverage": "8", "resource_match": "7", "reputation": "9", "culture_fit": "6"}


def staff_client(client: TestClient, db: Database, settings: Settings) -> dict[str, str]:
    world = two_partners(db, settings)
    csrf = login(client, world.admin_email)
    return {"X-CSRF-Token": csrf}


def test_candidate_to_scorecard_to_shortlist(
    client: TestClient, db: Database, settings: Settings
) -> None:
    headers = staff_client(client, db, settings)
    created = client.post("/api/v1/partners", headers=headers, json={
        "name": "Partner A", "partner_type": "distributor", "industry": "consumer goods",
        "employees": 80, "annual_revenue": "2500000.00", "revenue_currency": "CNY",
        "website": "https://www.partner-a.cn", "source": "trade_show",
        "contacts": [{"name": "王伟", "email": "wang@partner-a.cn", "wechat": "wangwei"}],
    })
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["domain"] == "partner-a.cn"
    assert body["annual_revenue"] == "2500000.00"
    assert body["stage"] == "sourced"
    partner_id = body["id"]
    card = client.post(f"/api/v1/partners/{partner_id}/evaluations", headers=headers,
                       json={"ratings": GUIDE})
    assert card.status_code == 200, card.text
    assert card.json()["total"] == "7.5"
    assert card.json()["passes"] is True
    shortlist = client.get("/api/v1/screening/shortlist").json()
    assert [r["partner"] for r in shortlist] == ["Partner A"]
    zh = client.get(f"/api/v1/partners/{partner_id}/scorecard",
                    headers={"Accept-Language": "zh-CN"}).json()
    assert [c["label"] for c in zh["criteria"]] == ["市场覆盖", "资源匹配", "声誉", "文化契合"]


def test_bad_input_is_a_clear_4xx_and_writes_nothing(
    client: TestClient, db: Database, settings: Settings
) -> None:
    headers = staff_client(client, db, settings)
    before = client.get("/api/v1/partners").json()["total"]
    for payload in ({"name": "X", "annual_revenue": 10.5, "revenue_currency": "EUR"},
                    {"name": "X", "annual_revenue": "10.505", "revenue_currency": "EUR"},
                    {"name": "X", "revenue_currency": "ZZZ", "annual_revenue": "1"},
                    {"name": "X", "stage": "signed"}):
        response = client.post("/api/v1/partners", headers=headers, json=payload)
        assert response.status_code == 422, payload
        assert response.json()["error"] == "unprocessable"
    assert client.get("/api/v1/partners").json()["total"] == before
    duplicate = client.post("/api/v1/partners", headers=headers, json={"name": "alpha "
                                                                       "distribution"})
    assert duplicate.status_code == 409
    assert "already exists" in duplicate.json()["detail"]


def test_signing_gate_through_the_api(client: TestClient, db: Database,
                                      settings: Settings) -> None:
    headers = staff_client(client, db, settings)
    partner_id = client.post("/api/v1/partners", headers=headers,
                             json={"name": "Gamma"}).json()["id"]
    refused = client.post(f"/api/v1/partners/{partner_id}/stage", headers=headers,
                          json={"stage": "signed"})
    assert refused.status_code == 409
    assert "due-diligence" in refused.json()["detail"]
    zh = client.post(f"/api/v1/partners/{partner_id}/stage",
                     headers={**headers, "Accept-Language": "zh-CN"}, json={"stage": "signed"})
    assert zh.status_code == 409
    checklist = client.get(f"/api/v1/partners/{partner_id}/diligence").json()
    assert checklist["complete"] is False
    for item in checklist["items"]:
        if item["required"]:
            done = client.patch(f"/api/v1/partners/{partner_id}/diligence/{item['key']}",
                                headers=headers, json={"status": "done", "evidence": "ok",
                                                       "answer": "Pilots every quarter."})
            assert done.status_code == 200, done.text
    signed = client.post(f"/api/v1/partners/{partner_id}/stage", headers=headers,
                         json={"stage": "signed"})
    assert signed.status_code == 200
    assert [e["to_stage"] for e in signed.json()["history"]][-1] == "signed"


def test_import_reports_every_bad_row_and_the_table_downloads(
    client: TestClient, db: Database, settings: Settings
) -> None:
    headers = staff_client(client, db, settings)
    bad = b"Name,Employees\nGood Co,10\n,5\nBad Co,lots\n"
    response = client.post("/api/v1/partners/import", headers=headers,
                           files={"file": ("c.csv", bad, "text/csv")})
    assert response.status_code == 422
    report = response.json()["report"]
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(3, "Name"),
                                                                   (4, "Employees")]
    assert client.get("/api/v1/partners", params={"q": "good co"}).json()["total"] == 0
    good = b"Name,Employees\nGood Co,10\n"
    dry = client.post("/api/v1/partners/import?dry_run=true", headers=headers,
                      files={"file": ("c.csv", good, "text/csv")})
    assert dry.json()["ok"] is True
    assert client.get("/api/v1/partners", params={"q": "good co"}).json()["total"] == 0
    done = client.post("/api/v1/partners/import", headers=headers,
                       files={"file": ("c.csv", good, "text/csv")})
    assert done.json()["created"] == 1
    table = client.get("/api/v1/screening/tracking-table", params={"lang": "zh-CN"})
    assert table.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(table.content)).active
    assert sheet["A1"].value == "候选伙伴"  # type: ignore[index]


def test_partners_cannot_screen(client: TestClient, db: Database, settings: Settings) -> None:
    world = two_partners(db, settings)
    key = bearer(world.key_a)
    own = client.get(f"/api/v1/partners/{world.partner_a}", headers=key)
    assert own.status_code == 200
    assert set(own.json()) == {"id", "name", "website", "country", "region", "partner_type",
                               "industry", "created_at"}
    for path in ("/api/v1/screening/ranking", "/api/v1/screening/rubric",
                 f"/api/v1/partners/{world.partner_a}/scorecard",
                 f"/api/v1/partners/{world.partner_a}/diligence"):
        assert client.get(path, headers=key).status_code == 403, path
    moved = client.post(f"/api/v1/partners/{world.partner_a}/stage", headers=key,
                        json={"stage": "contacted"})
    assert moved.status_code == 403
