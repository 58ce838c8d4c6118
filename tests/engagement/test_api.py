"""The cadence through the JSON API: a meeting with action items, tasks ticked and handed
over, alerts listed and acknowledged; all of it staff only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from qudao.core import clock
from qudao.core.config import Settings
from qudao.db.session import Database
from tests.engagement.conftest import sign
from tests.fixtures.accounts import TwoPartners, bearer, login
from tests.fixtures.security import make_staff_key, snapshot

TODAY = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def staff(db: Database, settings: Settings, world: TwoPartners) -> dict[str, str]:
    return bearer(make_staff_key(db, settings, world.admin_email)[1])


def test_a_meeting_with_action_items(
    client: TestClient, world: TwoPartners, manager: int, staff: dict[str, str], db: Database
) -> None:
    sign(db, world.partner_a, owner_id=manager)
    with clock.frozen(TODAY):
        made = client.post("/api/v1/meetings", headers=staff, json={
            "partner_id": world.partner_a, "held_on": "2026-11-24",
            "attendees": "Mei (us); Tom (Alpha)", "notes": "Quarterly review",
            "action_items": [
                {"title": "Send the price list", "due_on": "2026-11-20"},
                {"title": "Book the training", "owner_id": manager, "due_on": "2026-12-01"}]})
        assert made.status_code == 201, made.text
        meeting = made.json()
        assert [i["title"] for i in meeting["action_items"]] == ["Send the price list",
                                                                  "Book the training"]
        # Without an owner, the item goes to the channel manager.
        assert {i["owner_id"] for i in meeting["action_items"]} == {manager}
        assert [i["overdue"] for i in meeting["action_items"]] == [True, False]

        tasks = client.get("/api/v1/tasks", headers=staff,
                           params={"owner_id": manager}).json()["items"]
        assert [t["title"] for t in tasks] == ["Send the price list", "Book the training"]
        done = client.patch(f"/api/v1/tasks/{tasks[0]['id']}", headers=staff,
                            json={"done": True})
        assert done.status_code == 200
        assert done.json()["done"] is True
        assert done.json()["done_at"] is not None
        moved = client.patch(f"/api/v1/tasks/{tasks[1]['id']}", headers=staff,
                             json={"owner_id": None, "due_on": "2026-12-05"}).json()
        assert (moved["owner_id"], moved["due_on"]) == (None, "2026-12-05")
        still_open = client.get("/api/v1/tasks", headers=staff,
                                params={"partner_id": world.partner_a}).json()
        assert still_open["total"] == 1
        shown = client.get(f"/api/v1/meetings/{meeting['id']}", headers=staff).json()
        assert [i["done"] for i in shown["action_items"]] == [True, False]


@pytest.mark.parametrize(("body", "field"), [
    ({"held_on": "2026-11-26"}, "held_on"),  # tomorrow
    ({"held_on": "2026-11-24", "action_items": [{"title": ""}]}, "title"),
    ({"held_on": "2026-11-24", "action_items": [{"title": "x", "owner_id": -1}]}, "owner_id"),
    ({"held_on": "2026-11-24", "notes": "x" * 20_001}, "notes"),
])
def test_bad_meetings_write_nothing(
    client: TestClient, world: TwoPartners, staff: dict[str, str], db: Database,
    body: dict[str, object], field: str,
) -> None:
    before = snapshot(db)
    with clock.frozen(TODAY):
        response = client.post("/api/v1/meetings", headers=staff,
                               json={"partner_id": world.partner_a, **body})
    assert response.status_code == 422, response.text
    assert field in response.text
    assert snapshot(db) == before


def test_a_partner_user_cannot_be_an_owner(
    client: TestClient, world: TwoPartners, staff: dict[str, str]
) -> None:
    response = client.post("/api/v1/tasks", headers=staff, json={
        "partner_id": world.partner_a, "title": "Call", "owner_id": world.user_a})
    assert response.status_code == 422
    assert response.json()["field"] == "owner_id"


def test_alerts_listed_and_acknowledged(
    client: TestClient, world: TwoPartners, staff: dict[str, str], db: Database
) -> None:
    from qudao.engagement import inactivity

    with clock.frozen(TODAY - timedelta(days=31)):
        sign(db, world.partner_b)
    with clock.frozen(TODAY):
        with db.unit_of_work() as session:
            inactivity.check(session)
        listed = client.get("/api/v1/alerts", headers={**staff, "Accept-Language": "zh-CN"})
        [alert] = listed.json()["items"]
        assert alert["kind"] == "signed_then_nothing"
        assert alert["partner_id"] == world.partner_b
        assert alert["params"]["days"] == 30
        resolved = client.post(f"/api/v1/alerts/{alert['id']}/resolve", headers=staff)
        assert resolved.status_code == 200
        assert resolved.json()["resolution"] == "manual"
        again = client.post(f"/api/v1/alerts/{alert['id']}/resolve", headers=staff)
        assert again.status_code == 409
        assert client.get("/api/v1/alerts", headers=staff).json()["total"] == 0
        assert client.get("/api/v1/alerts", headers=staff,
                          params={"state": "all"}).json()["total"] == 1


def test_the_cadence_is_staff_only(
    client: TestClient, world: TwoPartners
) -> None:
    for path in ("/api/v1/tasks", "/api/v1/meetings", "/api/v1/alerts", "/api/v1/jobs"):
        assert client.get(path, headers=bearer(world.key_a)).status_code == 403, path


def test_jobs_are_for_administrators(
    client: TestClient, db: Database, settings: Settings, world: TwoPartners, manager: int,
    staff: dict[str, str],
) -> None:
    from qudao.jobs.queue import enqueue

    with db.unit_of_work() as session:
        enqueue(session, "purge_jobs", {})
    listed = client.get("/api/v1/jobs", headers=staff).json()
    assert [j["name"] for j in listed["items"]] == ["purge_jobs"]
    # Only a failed job is retried.
    job_id = listed["items"][0]["id"]
    assert client.post(f"/api/v1/jobs/{job_id}/retry", headers=staff).status_code == 409
    login(client, "mei@example.com")
    assert client.get("/api/v1/jobs").status_code == 403
