"""``QudaoClient`` (sync) and ``AsyncQudaoClient``: the same calls, retried with backoff on
429 (honouring Retry-After) and on 5xx or a dropped connection."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from qudao_sdk.deals import Deal, DealPage, Product, Stage, list_params, registration
from qudao_sdk.errors import from_response, retry_after
from qudao_sdk.models import Me, Partner, Recommendation
from qudao_sdk.statements import (
    Balance,
    Statement,
    StatementPage,
    StatementState,
    statement_params,
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def _delay(attempt: int, response: httpx.Response | None, backoff: float) -> float:
    if response is not None and (after := retry_after(response)) is not None:
        return after
    jitter = 0.5 + random.random() / 2  # noqa: S311 (spreads retries; not a secret)
    return float(backoff * 2**attempt * jitter)


def _headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}", "Accept": "application/json",
            "User-Agent": "qudao-sdk/0.1"}


@dataclass(frozen=True)
class _Answer:
    body: Any


def _settle(attempt: int, retries: int, response: httpx.Response | None,
            backoff: float) -> _Answer | float:
    """The answer's body, or the seconds to wait before the next attempt; raises the
    answer's error when it is final (the decision both clients share)."""
    if response is not None and response.status_code < 400:
        return _Answer(response.json())
    if response is not None and (attempt == retries
                                 or response.status_code not in RETRY_STATUSES):
        raise from_response(response)
    return _delay(attempt, response, backoff)


class _Calls:
    """Builds the requests; both clients send them their own way."""

    @staticmethod
    def recommendations(user_id: str, limit: int) -> tuple[str, str, dict[str, Any]]:
        return "GET", "/getRecommendations", {"params": {"userId": user_id, "limit": limit}}

    @staticmethod
    def register_deal(body: dict[str, Any],
                      idempotency_key: str | None) -> tuple[str, str, dict[str, Any]]:
        # One key for every attempt: a retry after a lost answer never registers twice.
        key = idempotency_key or str(uuid.uuid4())
        return "POST", "/api/v1/deals", {"json": body, "headers": {"Idempotency-Key": key}}


class QudaoClient:
    def __init__(self, base_url: str, api_key: str, *, max_retries: int = 3,
                 backoff: float = 0.5, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.max_retries = max_retries
        self.backoff = backoff
        self._http = httpx.Client(base_url=base_url.rstrip("/"), headers=_headers(api_key),
                                  timeout=timeout, transport=transport)

    def __enter__(self) -> QudaoClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in range(self.max_retries + 1):
            response: httpx.Response | None = None
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TransportError:
                if attempt == self.max_retries:
                    raise
            outcome = _settle(attempt, self.max_retries, response, self.backoff)
            if isinstance(outcome, _Answer):
                return outcome.body
            time.sleep(outcome)
        raise AssertionError("unreachable")

    def get_recommendations(self, user_id: str, limit: int = 10) -> list[Recommendation]:
        """Recommended products for one of your users, best first."""
        method, path, kwargs = _Calls.recommendations(user_id, limit)
        body = self._request(method, path, **kwargs)
        return [Recommendation.model_validate(item) for item in body["recommendations"]]

    def me(self) -> Me:
        """Who the key acts for."""
        return Me.model_validate(self._request("GET", "/api/v1/me"))

    def get_partner(self, partner_id: int) -> Partner:
        """Your own company's record."""
        return Partner.model_validate(self._request("GET", f"/api/v1/partners/{partner_id}"))

    def register_deal(
        self, customer_name: str, *, amount: Decimal | str | int, currency: str,
        website: str | None = None, email: str | None = None, tax_id: str | None = None,
        customer_ref: str | None = None, expected_close: date | None = None,
        products: list[Product] | list[tuple[str, int]] | None = None,
        program_id: int | None = None, idempotency_key: str | None = None,
    ) -> Deal:
        """Register a deal; its customer is protected for your company. A customer that
        another registration protects raises ``CustomerProtectedError`` with
        ``protected_until``. Sent with an ``Idempotency-Key`` (yours, or a new one), so
        that retries register once."""
        body = registration(customer_name, amount=amount, currency=currency, website=website,
                            email=email, tax_id=tax_id, customer_ref=customer_ref,
                            expected_close=expected_close, products=products,
                            program_id=program_id)
        method, path, kwargs = _Calls.register_deal(body, idempotency_key)
        return Deal.model_validate(self._request(method, path, **kwargs))

    def list_deals(self, *, stage: Stage | None = None, q: str | None = None,
                   limit: int = 50, offset: int = 0) -> DealPage:
        """Your company's deals, newest first, a page at a time (at most 100)."""
        return DealPage.model_validate(self._request(
            "GET", "/api/v1/deals", params=list_params(stage, q, limit, offset)))

    def get_deal(self, deal_id: int) -> Deal:
        """One of your company's deals."""
        return Deal.model_validate(self._request("GET", f"/api/v1/deals/{deal_id}"))

    def list_statements(self, *, period: str | None = None,
                        state: StatementState | None = None, limit: int = 50,
                        offset: int = 0) -> StatementPage:
        """Your company's commission statements, newest period first (``period`` such as
        "2011-01" or "2011-Q1")."""
        return StatementPage.model_validate(self._request(
            "GET", "/api/v1/commissions/statements",
            params=statement_params(period, state, limit, offset)))

    def get_statement(self, statement_id: int) -> Statement:
        """One of your statements with every line."""
        return Statement.model_validate(self._request(
            "GET", f"/api/v1/commissions/statements/{statement_id}"))

    def get_balances(self) -> list[Balance]:
        """What is owed to your company, per currency."""
        return [Balance.model_validate(b) for b in self._request(
            "GET", "/api/v1/commissions/balances")]


class AsyncQudaoClient:
    def __init__(self, base_url: str, api_key: str, *, max_retries: int = 3,
                 backoff: float = 0.5, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.max_retries = max_retries
        self.backoff = backoff
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"),
                                       headers=_headers(api_key), timeout=timeout,
                                       transport=transport)

    async def __aenter__(self) -> AsyncQudaoClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in range(self.max_retries + 1):
            response: httpx.Response | None = None
            try:
                response = await self._http.request(method, path, **kwargs)
            except httpx.TransportError:
                if attempt == self.max_retries:
                    raise
            outcome = _settle(attempt, self.max_retries, response, self.backoff)
            if isinstance(outcome, _Answer):
                return outcome.body
            await asyncio.sleep(outcome)
        raise AssertionError("unreachable")

    async def get_recommendations(self, user_id: str, limit: int = 10) -> list[Recommendation]:
        method, path, kwargs = _Calls.recommendations(user_id, limit)
        body = await self._request(method, path, **kwargs)
        return [Recommendation.model_validate(item) for item in body["recommendations"]]

    async def me(self) -> Me:
        return Me.model_validate(await self._request("GET", "/api/v1/me"))

    async def get_partner(self, partner_id: int) -> Partner:
        return Partner.model_validate(await self._request("GET", f"/api/v1/partners/{partner_id}"))

    async def register_deal(
        self, customer_name: str, *, amount: Decimal | str | int, currency: str,
        website: str | None = None, email: str | None = None, tax_id: str | None = None,
        customer_ref: str | None = None, expected_close: date | None = None,
        products: list[Product] | list[tuple[str, int]] | None = None,
        program_id: int | None = None, idempotency_key: str | None = None,
    ) -> Deal:
        body = registration(customer_name, amount=amount, currency=currency, website=website,
                            email=email, tax_id=tax_id, customer_ref=customer_ref,
                            expected_close=expected_close, products=products,
                            program_id=program_id)
        method, path, kwargs = _Calls.register_deal(body, idempotency_key)
        return Deal.model_validate(await self._request(method, path, **kwargs))

    async def list_deals(self, *, stage: Stage | None = None, q: str | None = None,
                         limit: int = 50, offset: int = 0) -> DealPage:
        return DealPage.model_validate(await self._request(
            "GET", "/api/v1/deals", params=list_params(stage, q, limit, offset)))

    async def get_deal(self, deal_id: int) -> Deal:
        return Deal.model_validate(await self._request("GET", f"/api/v1/deals/{deal_id}"))

    async def list_statements(self, *, period: str | None = None,
                              state: StatementState | None = None, limit: int = 50,
                              offset: int = 0) -> StatementPage:
        return StatementPage.model_validate(await self._request(
            "GET", "/api/v1/commissions/statements",
            params=statement_params(period, state, limit, offset)))

    async def get_statement(self, statement_id: int) -> Statement:
        return Statement.model_validate(await self._request(
            "GET", f"/api/v1/commissions/statements/{statement_id}"))

    async def get_balances(self) -> list[Balance]:
        return [Balance.model_validate(b) for b in await self._request(
            "GET", "/api/v1/commissions/balances")]

