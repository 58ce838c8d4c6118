"""Commission plans through the JSON API: staff define and change them; partners and their
keys reach none."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.programs.models import CommissionPlan
from tests.fixtures.accounts import bearer, login, two_partners
from tests.goals.builders import make_program
from tests.web.conftest import count

GUIDE = {"name": "Guide tiers", "kind": "tiered", "boundary": "inclusive",
         "tiers": [{"threshold": "0", "rate": "15%"}, {"threshold": "100000", "rate": "20%"}]}


@pytest.fixture
def staff(client: TestClient, db: Database, settings: Settings) -> dict[str, str]:
    world = two_partners(db, settings)
    make_program(db)
    return {"X-CSRF-Token": login(client, world.admin_email)}


def test_the_guides_plan_through_the_api(
    client: TestClient, db: Database, staff: dict[str, str]
) -> None:
    created = client.post("/api/v1/plans", headers=staff, json=GUIDE)
    assert created.status_code == 201, created.text
    plan = created.json()
    assert plan["tiers"] == [
        {"threshold": "0.00", "threshold_minor": 0, "rate": "0.15", "rate_percent": "15"},
        {"threshold": "100000.00", "threshold_minor": 10_000_000, "rate": "0.2",
         "rate_percent": "20"}]
    assert (plan["currency"], plan["flat_rate"], plan["active"]) == ("CNY", None, True)
    assert plan["description"][:2] == ["Below CN¥100,000.00: 15%", "From CN¥100,000.00: 20%"]
    plan_id = plan["id"]

    listed = client.get("/api/v1/plans").json()
    assert [p["name"] for p in listed["items"]] == ["Guide tiers"]
    zh = client.get(f"/api/v1/plans/{plan_id}", headers={"Accept-Language": "zh-CN"}).json()
    assert "¥100,000.00" in zh["description"][0]

    changed = client.patch(f"/api/v1/plans/{plan_id}", headers=staff,
                           json={"boundary": "exclusive", "active": False})
    assert changed.status_code == 200, changed.text
    assert changed.json()["description"][:2] == ["Up to CN¥100,000.00: 15%",
                                                 "Above CN¥100,000.00: 20%"]
    assert changed.json()["active"] is False
    assert client.get("/api/v1/plans", params={"active": True}).json()["total"] == 0


def test_an_unsound_plan_is_a_422_at_its_field(
    client: TestClient, db: Database, staff: dict[str, str]
) -> None:
    rising = client.post("/api/v1/plans", headers=staff, json={**GUIDE, "tiers": [
        {"threshold": "0", "rate": "15%"}, {"threshold": "0", "rate": "20%"}]})
    assert rising.status_code == 422
    assert rising.json()["field"] == "tiers.1.threshold"
    for payload in ({**GUIDE, "tiers": [{"threshold": "0", "rate": 0.15}]},
                    {**GUIDE, "kind": "stepped"}, {**GUIDE, "commission_paid": "1"}):
        assert client.post("/api/v1/plans", headers=staff, json=payload).status_code == 422
    assert count(db, CommissionPlan) == 0
    assert client.post("/api/v1/plans", headers=staff, json=GUIDE).status_code == 201
    again = client.post("/api/v1/plans", headers=staff, json=GUIDE)
    assert (again.status_code, again.json()["field"]) == (409, "name")


def test_partners_reach_no_plan(client: TestClient, db: Database, settings: Settings) -> None:
    world = two_partners(db, settings)
    make_program(db)
    key = bearer(world.key_a)
    assert client.get("/api/v1/plans", headers=key).status_code == 403
    assert client.post("/api/v1/plans", headers=key, json=GUIDE).status_code == 403
    assert client.get("/api/v1/plans/1", headers=key).status_code == 403
