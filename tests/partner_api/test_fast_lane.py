"""The fast lane answers the successful calls of ``/getRecommendations`` exactly as the full
application would, and hands every other request to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.types import Receive, Scope, Send

from qudao.accounts.models import ApiKey
from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.http.ratelimit import RateLimiter
from qudao.partner_api.fast_lane import RecommendationsFastLane
from tests.fixtures.accounts import bearer, two_partners

pytestmark = pytest.mark.usefixtures("published")
VOLATILE = {"date", "server", "x-request-id", "ratelimit"}


class Recorder:
    """The application behind the lane, reduced to noticing that it was called."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def lane(app: FastAPI, db: Database) -> Iterator[tuple[TestClient, Recorder]]:
    behind = Recorder()
    with TestClient(app):  # starts the application's lifespan (the meter)
        yield TestClient(RecommendationsFastLane(behind, state=app.state, db=db)), behind


def test_a_valid_call_is_answered_by_the_lane_like_the_full_path(
    app: FastAPI, client: TestClient, db: Database, settings: Settings,
    lane: tuple[TestClient, Recorder],
) -> None:
    world = two_partners(db, settings)
    fast, behind = lane
    params = {"userId": "never-seen", "limit": "7"}
    answered = fast.get("/getRecommendations", params=params, headers={
        **bearer(world.key_a), "X-Request-ID": "trace-12345678"})
    assert behind.calls == 0
    assert answered.status_code == 200
    assert answered.headers["x-request-id"] == "trace-12345678"
    assert answered.headers["RateLimit-Policy"] == '"default";q=600;w=60'
    assert answered.headers["RateLimit"].startswith('"default";r=')
    full = client.get("/getRecommendations", params=params, headers=bearer(world.key_b))
    assert answered.content == full.content
    assert {k for k in answered.headers if k not in VOLATILE} == {
        k for k in full.headers if k not in VOLATILE}
    with db.unit_of_work(read_only=True) as session:
        used = session.scalars(select(ApiKey.last_used_at).where(
            ApiKey.partner_id == world.partner_a)).all()
    assert any(used), "the lane records the key's use after answering"


@pytest.mark.parametrize(("path", "params", "auth"), [
    ("/getRecommendations", {"userId": "u", "limit": "0"}, True),
    ("/getRecommendations", {"userId": "u", "limit": "ten"}, True),
    ("/getRecommendations", {"userId": "x" * 129}, True),
    ("/getRecommendations", {}, True),
    ("/getRecommendations", {"userId": "u"}, False),
    ("/healthz", {}, True),
])
def test_anything_else_goes_to_the_full_application(
    db: Database, settings: Settings, lane: tuple[TestClient, Recorder], path: str,
    params: dict[str, str], auth: bool,
) -> None:
    world = two_partners(db, settings)
    fast, behind = lane
    response = fast.get(path, params=params,
                        headers=bearer(world.key_a) if auth else {"Authorization": "Bearer x"})
    assert response.status_code == 418
    assert behind.calls == 1


def test_over_quota_goes_to_the_full_path_which_answers_429(
    app: FastAPI, client: TestClient, db: Database, settings: Settings,
) -> None:
    world = two_partners(db, settings)
    app.state.rate_limiter = RateLimiter(2, 60)
    codes = [client.get("/getRecommendations", params={"userId": "u"},
                        headers=bearer(world.key_a)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
