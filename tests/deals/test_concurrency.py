"""C25: 32 registrations of one customer at the same moment, from two partners' keys,
against a real server on 127.0.0.1: exactly one 201 and 31 clean 409s, never a 5xx, one
deal and one claim, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import time

import httpx
from fastapi import FastAPI

from qudao.audit.verify import verify
from qudao.db.session import Database
from tests.deals.builders import deal_body
from tests.fixtures.accounts import TwoPartners, bearer
from tests.fixtures.security import count
from tests.support.live_server import serve

PARALLEL = 32
DEADLINE_SECONDS = 120.0
# The one customer, written the ways partners write it.
SPELLINGS = ("https://www.acme-retail.cn/contact", "ACME-Retail.cn", "acme-retail.cn:443",
             "http://acme-retail.cn")


async def _all_at_once(base: str, world: TwoPartners) -> list[tuple[str, httpx.Response]]:
    gate = asyncio.Event()
    limits = httpx.Limits(max_connections=PARALLEL, max_keepalive_connections=PARALLEL)
    async with httpx.AsyncClient(base_url=base, timeout=60.0, limits=limits) as http:
        # Open every connection first, so that the registrations leave together.
        await asyncio.gather(*(http.get("/healthz") for _ in range(PARALLEL)))

        async def register(i: int) -> tuple[str, httpx.Response]:
            who, key = ("a", world.key_a) if i % 2 == 0 else ("b", world.key_b)
            body = deal_body(customer_name=f"Acme Retail ({who}{i})",
                             customer_website=SPELLINGS[i % len(SPELLINGS)])
            await gate.wait()
            return who, await http.post("/api/v1/deals", headers=bearer(key), json=body)

        tasks = [asyncio.create_task(register(i)) for i in range(PARALLEL)]
        await asyncio.sleep(0.1)
        gate.set()
        return await asyncio.wait_for(asyncio.gather(*tasks), DEADLINE_SECONDS)


def test_32_registrations_of_one_customer_give_one_201_and_31_409s(
    app: FastAPI, db: Database, world: TwoPartners, backend: str
) -> None:
    started = time.monotonic()
    with serve(app) as base:
        answers = asyncio.run(_all_at_once(base, world))
    elapsed = time.monotonic() - started
    statuses = sorted(response.status_code for _who, response in answers)
    assert statuses == [201] + [409] * (PARALLEL - 1), [r.text[:200] for _w, r in answers
                                                        if r.status_code not in (201, 409)]
    assert elapsed < DEADLINE_SECONDS
    (winner,) = [who for who, response in answers if response.status_code == 201]
    holder = "Alpha Distribution" if winner == "a" else "Beta Agency"
    for who, response in answers:
        if response.status_code != 409:
            continue
        body = response.json()
        assert body["error"] == "customer_protected"
        assert body["protected_until"]
        if who != winner:
            assert holder not in response.text
            assert "deal_id" not in body
    assert count(db, "deals") == 1
    assert count(db, "customer_claims") == 1
    # Staff see every attempt of the other partner; the winner's own repeats are not
    # conflicts between partners.
    assert count(db, "deal_conflicts") == PARALLEL // 2
    assert count(db, "audit_log", "action = 'deal.register'") == 1
    with db.unit_of_work(read_only=True) as session:
        assert verify(session).ok
