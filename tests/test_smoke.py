"""The app answers, on both databases."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import bearer, login, two_partners


def test_healthz_names_the_database(client: TestClient, backend: str) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == backend
    assert response.headers["x-request-id"]


def test_partner_key_sees_only_its_partner(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    listing = client.get("/api/v1/partners", headers=bearer(world.key_a))
    assert listing.status_code == 200
    assert [p["id"] for p in listing.json()["items"]] == [world.partner_a]
    other = client.get(f"/api/v1/partners/{world.partner_b}", headers=bearer(world.key_a))
    assert other.status_code == 404
    assert other.json()["error"] == "not_found"


def test_staff_login_then_home(client: TestClient, db: Database, settings: Settings) -> None:
    world = two_partners(db, settings)
    login(client, world.admin_email)
    page = client.get("/")
    assert page.status_code == 200
    assert "Alpha Distribution" in page.text
