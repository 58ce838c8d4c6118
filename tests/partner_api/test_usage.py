"""A partner's API traffic, in the JSON API and in its portal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qudao.core import clock
from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import bearer, login, two_partners

pytestmark = pytest.mark.usefixtures("published")
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_calls_per_day_users_and_products(app: FastAPI, db: Database, settings: Settings) -> None:
    world = two_partners(db, settings)
    clock.freeze(T0)
    with TestClient(app) as client:
        for user in ("alice", "bob", "alice"):
            client.get("/getRecommendations", params={"userId": user, "limit": 3},
                       headers=bearer(world.key_a))
        clock.advance(timedelta(days=2))
        client.get("/getRecommendations", params={"userId": "carol", "limit": 3},
                   headers=bearer(world.key_a))
    with TestClient(app) as client:
        body = client.get(f"/api/v1/partners/{world.partner_a}/api-usage",
                          params={"days": 7}, headers=bearer(world.key_a)).json()
        assert body["calls"] == 4
        assert body["users"] == 3
        assert 3 <= body["products"] <= 9
        per_day = {d["day"]: d["calls"] for d in body["days"]}
        assert len(per_day) == 7
        assert per_day["2026-11-20"] == 3
        assert per_day["2026-11-22"] == 1
        assert per_day["2026-11-21"] == 0
        other = client.get(f"/api/v1/partners/{world.partner_b}/api-usage",
                           headers=bearer(world.key_a))
        assert other.status_code == 404
        own_b = client.get(f"/api/v1/partners/{world.partner_b}/api-usage",
                           headers=bearer(world.key_b)).json()
        assert own_b["calls"] == 0


@pytest.mark.parametrize(("language", "heading"), [("en", "API usage"), ("zh-CN", "API 调用")])
def test_the_portal_page_shows_the_partners_own_traffic(
    app: FastAPI, db: Database, settings: Settings, language: str, heading: str
) -> None:
    world = two_partners(db, settings)
    with TestClient(app) as client:
        for _ in range(2):
            client.get("/getRecommendations", params={"userId": "u1"},
                       headers=bearer(world.key_a))
    with TestClient(app) as client:
        login(client, world.email_a)
        page = client.get("/portal/api-usage", headers={"Accept-Language": language},
                          cookies={"qudao_lang": language})
        assert page.status_code == 200
        assert heading in page.text
        assert '<span class="stat-value">2</span>' in page.text
        login(client, world.admin_email)
        assert client.get("/portal/api-usage").status_code == 403


def test_the_staff_partner_page_shows_the_partners_traffic(
    app: FastAPI, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    with TestClient(app) as client:
        for _ in range(3):
            client.get("/getRecommendations", params={"userId": "u1"},
                       headers=bearer(world.key_a))
    with TestClient(app) as client:
        login(client, world.admin_email)
        page = client.get(f"/partners/{world.partner_a}")
        assert page.status_code == 200
        section = page.text.split('id="api-usage"', 1)[1].split("</section>", 1)[0]
        assert "<dd>3</dd>" in section
        assert "Conversion rate" in section
