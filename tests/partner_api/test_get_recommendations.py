"""``GET /getRecommendations`` exactly as the guide documents it."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from qudao.accounts import api_keys
from qudao.accounts.subject import SYSTEM
from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.recommendations.model import RecommenderModel
from qudao.recommendations.models import ApiUsage, RecommendationShown
from tests.fixtures.accounts import bearer, two_partners
from tests.support.live_server import serve

pytestmark = pytest.mark.usefixtures("published")


def test_known_user_gets_scored_products_best_first(
    client: TestClient, db: Database, settings: Settings, small_model: RecommenderModel
) -> None:
    world = two_partners(db, settings)
    user = str(small_model.user_ids[0])
    response = client.get("/getRecommendations", params={"userId": user, "limit": 5},
                          headers=bearer(world.key_a))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"recommendations"}
    items = body["recommendations"]
    assert len(items) == 5
    assert all(set(i) == {"id", "name", "score"} for i in items)
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores)
    assert scores[0] == 1.0
    assert response.headers["RateLimit-Policy"] == '"default";q=600;w=60'


def test_unknown_user_gets_popular_products_and_default_limit_is_10(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    response = client.get("/getRecommendations", params={"userId": "never-seen"},
                          headers=bearer(world.key_a))
    assert response.status_code == 200
    assert len(response.json()["recommendations"]) == 10


@pytest.mark.parametrize("params", [
    {}, {"userId": ""}, {"userId": "x" * 129}, {"userId": "u", "limit": "0"},
    {"userId": "u", "limit": "101"}, {"userId": "u", "limit": "ten"},
])
def test_bad_parameters_answer_400_with_a_json_error(
    client: TestClient, db: Database, settings: Settings, params: dict[str, str]
) -> None:
    world = two_partners(db, settings)
    response = client.get("/getRecommendations", params=params, headers=bearer(world.key_a))
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert response.json()["detail"]


def test_missing_invalid_and_revoked_keys_answer_401(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    # One character changed (a key may end in "x" already).
    mistyped = world.key_a[:-1] + ("y" if world.key_a.endswith("x") else "x")
    for headers in ({}, {"Authorization": "Bearer nope"},
                    {"Authorization": f"Bearer {mistyped}"}):
        response = client.get("/getRecommendations", params={"userId": "u"}, headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json()["error"] == "unauthorized"
    assert client.get("/getRecommendations", params={"userId": "u"},
                      headers=bearer(world.key_a)).status_code == 200
    with db.unit_of_work() as session:
        api_keys.revoke_key(session, SYSTEM, world.key_a_id)
    assert client.get("/getRecommendations", params={"userId": "u"},
                      headers=bearer(world.key_a)).status_code == 401


def test_over_the_quota_is_429_with_retry_after(
    app: FastAPI, client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    app.state.rate_limiter.__init__(3, 60)
    for _ in range(3):
        assert client.get("/getRecommendations", params={"userId": "u"},
                          headers=bearer(world.key_a)).status_code == 200
    limited = client.get("/getRecommendations", params={"userId": "u"},
                         headers=bearer(world.key_a))
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["RateLimit"].startswith('"default";r=0;t=')
    # Another partner's key has its own quota.
    assert client.get("/getRecommendations", params={"userId": "u"},
                      headers=bearer(world.key_b)).status_code == 200


def test_calls_and_shown_products_are_metered_per_partner(
    app: FastAPI, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    with TestClient(app) as client:
        for _ in range(3):
            client.get("/getRecommendations", params={"userId": "alice", "limit": 2},
                       headers=bearer(world.key_a))
        client.get("/getRecommendations", params={"userId": "bob", "limit": 2},
                   headers=bearer(world.key_b))
    # Leaving the client shut the app down cleanly: the meter flushed everything.
    with db.unit_of_work(read_only=True) as session:
        usage = {(u.partner_id, u.calls) for u in session.scalars(select(ApiUsage))}
        assert usage == {(world.partner_a, 3), (world.partner_b, 1)}
        shown = {(s.partner_id, s.user_id) for s in session.scalars(select(RecommendationShown))}
        assert shown == {(world.partner_a, "alice"), (world.partner_b, "bob")}


def test_the_guides_own_client_works_unchanged(
    app: FastAPI, db: Database, settings: Settings, tmp_path: Path
) -> None:
    world = two_partners(db, settings)
    with serve(app) as base:
        # The guide's section 3.1 client, with only the URL and the key filled in.
        def get_recommendations(user_id, limit=10):  # type: ignore[no-untyped-def]
            url = f"{base}/getRecommendations"
            params = {'userId': user_id, 'limit': limit}
            headers = {'Authorization': f'Bearer {world.key_a}'}
            response = requests.get(url, params=params, headers=headers, timeout=10)
            if response.status_code == 200:
                return response.json()['recommendations']
            else:
                raise Exception(f"Error: {response.status_code} - {response.text}")

        recs = get_recommendations("user123", 5)
        assert len(recs) == 5
        assert recs[0]["score"] == 1.0
        with pytest.raises(Exception, match="Error: 400"):
            get_recommendations("user123", 0)
