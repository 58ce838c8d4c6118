"""The SDK against the running app: typed results, typed errors, retries."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from qudao_sdk import (
    AsyncQudaoClient,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    QudaoClient,
    RateLimitError,
    ServerError,
)

from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import two_partners
from tests.support.live_server import serve


@pytest.mark.usefixtures("published")
def test_sync_client_against_the_live_app(
    app: FastAPI, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    with serve(app) as base, QudaoClient(base, world.key_a) as client:
        items = client.get_recommendations("someone", limit=3)
        assert len(items) == 3
        assert items[0].score == 1.0
        assert client.me().partner_id == world.partner_a
        assert client.get_partner(world.partner_a).name == "Alpha Distribution"
        with pytest.raises(NotFoundError) as missing:
            client.get_partner(world.partner_b)
        assert missing.value.status == 404
        with pytest.raises(BadRequestError) as bad:
            client.get_recommendations("someone", limit=0)
        assert bad.value.status == 400
        assert "limit" in bad.value.detail
    with serve(app) as base, QudaoClient(base, "qudao_pk_wrong") as client, pytest.raises(
            AuthenticationError):
        client.get_recommendations("someone")


@pytest.mark.usefixtures("published")
def test_async_client_against_the_live_app(
    app: FastAPI, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)

    async def run(base: str) -> None:
        async with AsyncQudaoClient(base, world.key_b) as client:
            items = await client.get_recommendations("someone", limit=2)
            assert items[0].score == 1.0
            assert (await client.me()).partner_id == world.partner_b

    with serve(app) as base:
        asyncio.run(run(base))


def test_retries_on_429_and_5xx_then_gives_up_with_the_status() -> None:
    answers = [httpx.Response(429, headers={"Retry-After": "0"},
                              json={"error": "too_many_requests", "detail": "slow down"}),
               httpx.Response(503, json={"error": "unavailable", "detail": "busy"}),
               httpx.Response(200, json={"recommendations": [
                   {"id": "1", "name": "Product A", "score": 0.95}]})]
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return answers[len(calls) - 1]

    client = QudaoClient("http://api.test", "k", backoff=0.0,
                         transport=httpx.MockTransport(handler))
    items = client.get_recommendations("u1", 1)
    assert [i.name for i in items] == ["Product A"]
    assert len(calls) == 3
    assert calls[0].headers["Authorization"] == "Bearer k"
    assert calls[0].url.params["userId"] == "u1"

    always_busy = QudaoClient("http://api.test", "k", backoff=0.0, max_retries=2,
                              transport=httpx.MockTransport(lambda r: httpx.Response(
                                  500, json={"error": "internal_error", "detail": "x"})))
    with pytest.raises(ServerError) as failed:
        always_busy.get_recommendations("u1")
    assert failed.value.status == 500

    limited = QudaoClient("http://api.test", "k", backoff=0.0, max_retries=0,
                          transport=httpx.MockTransport(lambda r: httpx.Response(
                              429, headers={"Retry-After": "7"},
                              json={"error": "too_many_requests", "detail": "wait"})))
    with pytest.raises(RateLimitError) as slow:
        limited.get_recommendations("u1")
    assert slow.value.retry_after == 7
