"""The partner API's hot path without the framework around it.

``GET /getRecommendations`` is called far more than any other route, and most of its time
went to the layers every route crosses (routing, dependency injection, five middlewares).
This outermost ASGI layer answers the calls that succeed — valid parameters, a valid partner
key, within quota, a model loaded — with exactly what the route answers: the same body, the
RateLimit, security and X-Request-ID headers, the same metering and key bookkeeping. Every
other request, and every call that would get an error, goes on to the full application,
which answers it; so errors are rendered in one place only.

The checks it makes have no side effect until it has decided to answer: the quota is taken
and the call metered only then."""

from __future__ import annotations

import logging
import re
from typing import Any

import anyio
from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from qudao.accounts import api_keys
from qudao.core import clock
from qudao.core.errors import QudaoError
from qudao.db.session import Database
from qudao.http.middleware import request_id_of, security_headers
from qudao.http.ratelimit import RateLimiter
from qudao.partner_api.auth import KeyLookup, authenticate
from qudao.partner_api.routes import ENDPOINT
from qudao.recommendations.serving import Recommender

PATH = f"/{ENDPOINT}"
# What the route accepts for ``limit`` without a 400; anything else takes the full path.
LIMIT = re.compile(r"^[0-9]{1,3}$")
MAX_USER_ID = 128
log = logging.getLogger(__name__)


class RecommendationsFastLane:
    def __init__(self, app: ASGIApp, *, state: Any, db: Database) -> None:
        """``state`` is the application's: its limiter, recommender and key lookup are read
        on each call, so that what the application swaps in is what this lane uses."""
        self.app = app
        self.state = state
        self.db = db
        self.fixed_headers = [(name.encode(), value.encode()) for name, value in
                              security_headers(production=state.settings.is_production,
                                               html=False, static=False)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        answer = self._answer(scope)
        if answer is None:
            await self.app(scope, receive, send)
            return
        body, headers, touch = answer
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        if touch is not None:
            await anyio.to_thread.run_sync(self._touch, touch)

    def _answer(self, scope: Scope) -> tuple[bytes, list[tuple[bytes, bytes]], int | None] | None:
        headers = Headers(scope=scope)
        if "origin" in headers:
            return None  # CORS answers belong to the full stack.
        params = QueryParams(scope["query_string"])
        user_id = params.get("userId")
        if user_id is None or not 1 <= len(user_id) <= MAX_USER_ID:
            return None
        raw_limit = params.get("limit")
        if raw_limit is None:
            limit = 10
        elif LIMIT.match(raw_limit) and 1 <= int(raw_limit) <= 100:
            limit = int(raw_limit)
        else:
            return None
        state = self.state
        lookup: KeyLookup = state.key_lookup
        limiter: RateLimiter = state.rate_limiter
        recommender: Recommender = state.recommender
        try:
            subject, last_used_at = authenticate(lookup, state.settings.secret_key,
                                                 headers.get("authorization"))
        except QudaoError:
            return None
        ranked = recommender.ranked(user_id)
        if ranked is None:
            return None
        key_id, partner_id = subject.api_key_id, subject.partner_id
        assert key_id is not None
        assert partner_id is not None
        try:
            decision = limiter.hit(key_id)
        except QudaoError:
            return None  # Over quota: the full path answers 429 (a refused hit counts nothing).
        recommender.meter.record(day=clock.now().date(), partner_id=partner_id,
                                      endpoint=ENDPOINT, user_id=user_id,
                                      item_ids=ranked.ids[:limit])
        body = recommender.body(ranked, limit)
        out: list[tuple[bytes, bytes]] = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *((name.lower().encode(), value.encode())
              for name, value in decision.headers(limiter.policy).items()),
            (b"x-request-id", request_id_of(headers).encode()),
            *self.fixed_headers,
        ]
        touch = key_id if api_keys.needs_touch(key_id, last_used_at) else None
        return body, out, touch

    def _touch(self, key_id: int) -> None:
        try:
            with self.db.unit_of_work() as session:
                api_keys.touch(session, key_id)
        except Exception:
            # Bookkeeping only: the answer has gone; the next call records the use.
            log.exception("recording the use of key %s failed", key_id)

