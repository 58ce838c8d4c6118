"""Goals through the JSON API: the guide's goal with its Chinese title, a vague goal refused
with every missing part, live progress, change and archive; staff only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from qudao.accounts.roles import Role
from qudao.core import clock
from qudao.core.config import Settings
from qudao.core.i18n import translate
from qudao.db.session import Database
from qudao.goals.models import Goal
from qudao.goals.smart import NOT_SPECIFIC
from tests.fixtures.accounts import bearer, login, make_user, two_partners
from tests.fixtures.security import make_staff_key
from tests.goals.builders import at, make_owner, make_program, new_customers
from tests.web.conftest import count

GUIDE = {"title": "6个月内通过渠道获取100个新客户", "metric": "new_customers", "target": "100",
         "start": "2026-12-01", "deadline": "2027-06-01", "owner_email": "mei@example.com"}


@pytest.fixture
def staff(client: TestClient, db: Database, settings: Settings) -> dict[str, str]:
    """A staff automation key: unlike a browser session, it outlives a clock moved by
    months."""
    clock.freeze(at("2026-11-27 09:00"))
    world = two_partners(db, settings)
    make_owner(db)
    make_program(db)
    return bearer(make_staff_key(db, settings, world.admin_email)[1])


def test_the_guides_goal_through_the_api(
    client: TestClient, db: Database, staff: dict[str, str]
) -> None:
    created = client.post("/api/v1/goals", headers=staff, json=GUIDE)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["title"] == "6个月内通过渠道获取100个新客户"
    assert (body["metric"], body["target"], body["unit"]) == ("new_customers", "100", "count")
    assert body["metric_label"] == "New customers won through partners"
    assert body["progress"]["status"] == "on_track"
    assert body["progress"]["status_label"] == "On track"
    assert (body["progress"]["actual"], body["progress"]["pace"]) == ("0", "0")
    assert body["series"][0] == {"at": "2026-12-01T00:00:00Z", "actual": None, "pace": "0"}
    assert body["series"][-1]["pace"] == "100"
    goal_id = body["id"]

    partner = client.get("/api/v1/partners", headers=staff).json()["items"][0]["id"]
    new_customers(db, partner, 30, "2027-01-10")
    clock.freeze(at("2027-02-01"))  # 62 of 182 days: pace 34.07
    shown = client.get(f"/api/v1/goals/{goal_id}", headers=staff).json()
    assert shown["progress"]["actual"] == "30"
    assert shown["progress"]["pace"] == "34.07"
    assert shown["progress"]["status"] == "at_risk"
    assert shown["progress"]["days_left"] == 120
    zh = client.get(f"/api/v1/goals/{goal_id}",
                    headers={**staff, "Accept-Language": "zh-CN"}).json()
    assert zh["progress"]["status_label"] == translate("zh-CN", "At risk")

    listed = client.get("/api/v1/goals", headers=staff).json()
    assert [g["id"] for g in listed["items"]] == [goal_id]
    assert "series" not in listed["items"][0]

    changed = client.patch(f"/api/v1/goals/{goal_id}", headers=staff, json={"target": "80"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["progress"]["pace"] == "27.25"
    assert changed.json()["progress"]["status"] == "on_track"

    assert client.delete(f"/api/v1/goals/{goal_id}", headers=staff).status_code == 204
    assert client.get("/api/v1/goals", headers=staff).json()["total"] == 0
    assert client.get("/api/v1/goals", headers=staff,
                      params={"archived": True}).json()["total"] == 1


def test_a_vague_goal_is_a_422_that_lists_every_missing_part(
    client: TestClient, db: Database, staff: dict[str, str]
) -> None:
    refused = client.post("/api/v1/goals", headers=staff, json={"title": "扩大市场份额"})
    assert refused.status_code == 422
    body = refused.json()
    assert body["error"] == "unprocessable"
    assert [(f["part"], f["field"]) for f in body["fields"]] == [
        ("specific", "metric"), ("measurable", "target"), ("time_bound", "deadline"),
        ("owner", "owner")]
    assert body["fields"][0]["message"] == "Not specific: choose a metric from the catalogue."
    assert body["detail"].splitlines()[0] == body["fields"][0]["message"]
    assert body["field"] == "metric"
    zh = client.post("/api/v1/goals", headers={**staff, "Accept-Language": "zh-CN"},
                     json={"title": "扩大市场份额"}).json()
    assert zh["fields"][0]["message"] == translate("zh-CN", NOT_SPECIFIC)
    assert count(db, Goal) == 0


def test_bad_shapes_are_refused_before_the_service(
    client: TestClient, staff: dict[str, str]
) -> None:
    for payload in ({**GUIDE, "target": 100.5}, {**GUIDE, "deadline": "next spring"},
                    {**GUIDE, "status": "achieved"}):
        response = client.post("/api/v1/goals", headers=staff, json=payload)
        assert response.status_code == 422, payload


def test_the_catalogue(client: TestClient, staff: dict[str, str]) -> None:
    found = client.get("/api/v1/goal-metrics", headers=staff).json()
    assert [m["key"] for m in found] == ["new_customers", "channel_revenue", "signed_partners",
                                         "active_partners", "pilot_customers",
                                         "deals_registered"]
    pilot = next(m for m in found if m["key"] == "pilot_customers")
    assert (pilot["needs_partner"], pilot["unit"]) == (True, "count")
    assert next(m for m in found if m["key"] == "channel_revenue")["unit"] == "money"


def test_goals_are_for_staff_and_analysts_only_read(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    make_program(db)
    make_user(db, "ann@example.com", Role.ANALYST)
    assert client.get("/api/v1/goals", headers=bearer(world.key_a)).status_code == 403
    assert client.get("/api/v1/goal-metrics",
                      headers=bearer(world.key_a)).status_code == 403
    csrf = login(client, "ann@example.com")
    assert client.get("/api/v1/goals").status_code == 200
    refused = client.post("/api/v1/goals", headers={"X-CSRF-Token": csrf}, json=GUIDE)
    assert refused.status_code == 403
    assert client.get("/api/v1/goals/12345").status_code == 404
