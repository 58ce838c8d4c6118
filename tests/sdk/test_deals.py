"""The SDK's deal calls against the running app, and their retries: a registration is sent
with one Idempotency-Key for every attempt, so a retried request registers once."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI
from qudao_sdk import (
    AsyncQudaoClient,
    CustomerProtectedError,
    NotFoundError,
    PermissionDeniedError,
    Product,
    QudaoClient,
)

from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import make_key, two_partners
from tests.fixtures.security import count
from tests.support.live_server import serve


def test_register_list_and_get_deals_with_the_sync_client(
    app: FastAPI, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    _id, read_only = make_key(db, settings, world.partner_a, read_only=True)
    with serve(app) as base, QudaoClient(base, world.key_a) as alpha, \
            QudaoClient(base, world.key_b) as beta, QudaoClient(base, read_only) as reader:
        deal = alpha.register_deal("Acme Retail", amount=Decimal("12500.00"), currency="CNY",
                                   website="https://www.acme-retail.cn",
                                   expected_close=date(2027, 3, 31),
                                   products=[Product(sku="QD-CLOUD", quantity=3)])
        assert deal.partner_id == world.partner_a
        assert deal.stage == "registered"
        assert deal.protection_active
        assert deal.amount == Decimal("12500.00")
        assert [(line.sku, line.quantity) for line in deal.lines] == [("QD-CLOUD", 3)]
        with pytest.raises(CustomerProtectedError) as protected:
            beta.register_deal("ACME", amount="1", currency="CNY", email="cfo@acme-retail.cn")
        assert protected.value.status == 409
        assert protected.value.protected_until == deal.protected_until
        assert "Alpha" not in protected.value.detail
        page = alpha.list_deals(stage="registered")
        assert [d.id for d in page.items] == [deal.id]
        assert page.total == 1
        assert beta.list_deals().items == []
        assert alpha.get_deal(deal.id) == deal
        with pytest.raises(NotFoundError):
            beta.get_deal(deal.id)
        with pytest.raises(PermissionDeniedError):
            reader.register_deal("Globex", amount="5", currency="CNY", website="globex.cn")
        with pytest.raises(TypeError):
            alpha.register_deal("Float", amount=10.5, currency="CNY",  # type: ignore[arg-type]
                                website="float.cn")
    assert count(db, "deals") == 1


def test_the_async_client_registers_too(
    app: FastAPI, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)

    async def run(base: str) -> None:
        async with AsyncQudaoClient(base, world.key_b) as beta:
            deal = await beta.register_deal("Initech", amount=800, currency="CNY",
                                            tax_id="91310000 MA1FL 0XX1",
                                            products=[("QD-SEAT", 10)])
            assert deal.customer_tax_id == "91310000MA1FL0XX1"
            assert (await beta.get_deal(deal.id)).id == deal.id
            assert (await beta.list_deals(q="initech")).total == 1

    with serve(app) as base:
        asyncio.run(run(base))


def test_a_retried_registration_keeps_its_idempotency_key() -> None:
    sent: list[httpx.Request] = []
    created = {"id": 7, "partner_id": 1, "customer_name": "Acme", "amount": "10.00",
               "currency": "CNY", "stage": "registered", "protection_active": True,
               "source": "api", "lines": [], "created_at": "2026-12-01T09:30:00Z"}

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if len(sent) == 1:
            return httpx.Response(503, json={"error": "unavailable", "detail": "busy"})
        return httpx.Response(201, json=created)

    client = QudaoClient("http://api.test", "k", backoff=0.0,
                         transport=httpx.MockTransport(handler))
    deal = client.register_deal("Acme", amount="10.00", currency="CNY", website="acme.cn")
    assert deal.id == 7
    keys = {request.headers["Idempotency-Key"] for request in sent}
    assert len(sent) == 2
    assert len(keys) == 1
    assert sent[0].read() == sent[1].read()
    mine = QudaoClient("http://api.test", "k", transport=httpx.MockTransport(handler))
    mine.register_deal("Acme", amount="10.00", currency="CNY", website="acme.cn",
                       idempotency_key="order-1")
    assert sent[-1].headers["Idempotency-Key"] == "order-1"
