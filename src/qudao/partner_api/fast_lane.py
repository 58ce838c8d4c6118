"""The partner API's hot path without the framework around it.

``GET /getRecommendations`` is called far more than any other route, and most of its time
went to the layers every route crosses (routing, dependency injection, five middlewares).
This outermost ASGI layer answers the calls that succeed — valid parameters, a valid partner
key, within quota, a model loaded — with exactly what the route answers: the same body, the
RateLimit, security and X-Request-ID headers, the same metering and key bookkeeping. Every
other request, and every call that would get an error, goes on to the full application,
which answers it; so errors are rendered in one place only.

The checks it makes have no side effect until it has decided to answer: the quota is taken
and the call metered only then. It reads the request's headers and query string once, from
the raw ASGI scope, and builds nothing it does not send."""

from __future__ import annotations

import itertools
import logging
import os
from typing import Any

import anyio
from fastapi import FastAPI
from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from qudao.accounts import api_keys
from qudao.core import clock
from qudao.core.errors import QudaoError
from qudao.db.session import Database
from qudao.http.middleware import REQUEST_ID, security_headers
from qudao.http.ratelimit import RateLimiter
from qudao.partner_api.auth import KeyLookup, authenticate
from qudao.partner_api.routes import ENDPOINT
from qudao.recommendations.serving import DEFAULT_LIMIT, Recommender

PATH = f"/{ENDPOINT}"
# What the route accepts for ``limit`` without a 400, spelt the plain way; any other spelling
# ("010", "+5") takes the full path, which decides.
LIMITS = {str(n): n for n in range(1, 101)}
MAX_USER_ID = 128
log = logging.getLogger(__name__)


def query_params(raw: bytes) -> dict[str, str]:
    """The query string as Starlette reads it (the last of repeated names wins); split by
    hand when nothing in it is escaped, which is the usual case."""
    if b"%" in raw or b"+" in raw:
        return dict(QueryParams(raw))
    params: dict[str, str] = {}
    for part in raw.decode("latin-1").split("&"):
        if part:
            name, _, value = part.partition("=")
            params[name] = value
    return params


class RecommendationsFastLane:
    def __init__(self, app: ASGIApp, *, state: Any, db: Database) -> None:
        """``state`` is the application's: its limiter, recommender and key lookup are read
        on each call, so that what the application swaps in is what this lane uses."""
        self.app = app
        self.state = state
        self.db = db
        # Request ids as new_request_id makes them (24 hex digits), without a system call per
        # request: a random prefix per process and a counter. Unique, which is all they need.
        self._id_prefix = os.urandom(8).hex()
        self._id_count = itertools.count()
        self._policy = ""
        self._policy_header = (b"ratelimit-policy", b"")
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
        authorization = request_id = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                if authorization is None:
                    authorization = value.decode("latin-1")
            elif name == b"x-request-id":
                if request_id is None:
                    request_id = value.decode("latin-1")
            elif name == b"origin":
                return None  # CORS answers belong to the full stack.
        params = query_params(scope["query_string"])
        user_id = params.get("userId")
        if user_id is None or not 1 <= len(user_id) <= MAX_USER_ID:
            return None
        raw_limit = params.get("limit")
        limit = DEFAULT_LIMIT if raw_limit is None else LIMITS.get(raw_limit)
        if limit is None:
            return None
        state = self.state
        lookup: KeyLookup = state.key_lookup
        limiter: RateLimiter = state.rate_limiter
        recommender: Recommender = state.recommender
        now = clock.now()
        try:
            facts = authenticate(lookup, authorization, now)
        except QudaoError:
            return None
        ranked = recommender.ranked(user_id)
        if ranked is None:
            return None
        subject = facts.subject
        assert subject is not None
        assert subject.partner_id is not None
        key_id = facts.key_id
        try:
            decision = limiter.hit(key_id)
        except QudaoError:
            return None  # Over quota: the full path answers 429 (a refused hit counts nothing).
        recommender.meter.record(day=now.date(), partner_id=subject.partner_id,
                                 endpoint=ENDPOINT, user_id=user_id,
                                 item_ids=ranked.ids[:limit])
        body = recommender.body(ranked, limit)
        if request_id is None or not REQUEST_ID.match(request_id):
            request_id = f"{self._id_prefix}{next(self._id_count) & 0xFFFFFFFF:08x}"
        policy = limiter.policy
        if policy is not self._policy:
            self._policy, self._policy_header = policy, (b"ratelimit-policy", policy.encode())
        out: list[tuple[bytes, bytes]] = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            self._policy_header,
            (b"ratelimit", decision.limit().encode()),
            (b"x-request-id", request_id.encode()),
            *self.fixed_headers,
        ]
        touch = key_id if api_keys.needs_touch(key_id, facts.last_used_at, now) else None
        return body, out, touch

    def _touch(self, key_id: int) -> None:
        try:
            with self.db.unit_of_work() as session:
                api_keys.touch(session, key_id)
        except Exception:
            # Bookkeeping only: the answer has gone; the next call records the use.
            log.exception("recording the use of key %s failed", key_id)


class FastLaneApp(FastAPI):
    """The application with the fast lane in front of everything, the framework's own outer
    layers (its error page, telemetry and body limit wrappers) included: a successful call
    crosses none of them; every other request enters the application as usual."""

    fast_lane: RecommendationsFastLane | None = None

    def install_fast_lane(self, db: Database) -> None:
        self.fast_lane = RecommendationsFastLane(super().__call__, state=self.state, db=db)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lane = self.fast_lane
        if lane is None:
            await super().__call__(scope, receive, send)
        else:
            await lane(scope, receive, send)
