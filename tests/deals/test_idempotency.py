"""C11: ``Idempotency-Key`` on POST /api/v1/deals. The same key and body replay the first
answer byte for byte (a refusal included); another body under the key is 422; keys never
cross callers; simultaneous requests with one key register once; after 24 hours a key is
new again."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
from fastapi.testclient import TestClient

from qudao.core import clock
from qudao.db.session import Database
from qudao.deals import idempotency
from tests.deals.builders import deal_body
from tests.fixtures.accounts import TwoPartners, bearer
from tests.fixtures.security import count

START = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _with_key(token: str, key: str) -> dict[str, str]:
    return {**bearer(token), "Idempotency-Key": key}


def test_the_same_key_and_body_replay_the_first_answer(
    client: TestClient, db: Database, world: TwoPartners
) -> None:
    headers = _with_key(world.key_a, "order-7781")
    first = client.post("/api/v1/deals", headers=headers, json=deal_body())
    again = client.post("/api/v1/deals", headers=headers, json=deal_body())
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    # The same JSON with other spacing and key order is the same request.
    shuffled = json.dumps(dict(reversed(list(deal_body().items()))), indent=2)
    respaced = client.post("/api/v1/deals", content=shuffled,
                           headers={**headers, "Content-Type": "application/json"})
    assert respaced.status_code == 201
    assert respaced.content == first.content
    assert count(db, "deals") == 1
    assert count(db, "idempotency_records") == 1


def test_the_same_key_with_another_body_is_refused(
    client: TestClient, db: Database, world: TwoPartners
) -> None:
    headers = _with_key(world.key_a, "order-7782")
    assert client.post("/api/v1/deals", headers=headers, json=deal_body()).status_code == 201
    other = client.post("/api/v1/deals", headers=headers, json=deal_body(amount="99.00"))
    assert other.status_code == 422
    assert other.json()["error"] == "unprocessable"
    assert other.json()["field"] == "Idempotency-Key"
    assert count(db, "deals") == 1
    too_long = client.post("/api/v1/deals", headers=_with_key(world.key_a, "k" * 256),
                           json=deal_body(customer_website="other.cn"))
    assert too_long.status_code == 422
    assert count(db, "deals") == 1


def test_keys_belong_to_their_caller(client: TestClient, world: TwoPartners) -> None:
    first = client.post("/api/v1/deals", headers=_with_key(world.key_a, "shared-key"),
                        json=deal_body())
    assert first.status_code == 201
    # B's request with the same key is B's own: refused for the protected customer, not
    # given A's answer.
    theirs = client.post("/api/v1/deals", headers=_with_key(world.key_b, "shared-key"),
                         json=deal_body())
    assert theirs.status_code == 409
    assert "idempotent-replayed" not in theirs.headers
    assert theirs.json()["error"] == "customer_protected"


def test_a_refusal_is_replayed_too(
    client: TestClient, db: Database, world: TwoPartners, staff_key: str
) -> None:
    held = client.post("/api/v1/deals", headers=bearer(world.key_a), json=deal_body()).json()
    headers = _with_key(world.key_b, "b-try-1")
    refused = client.post("/api/v1/deals", headers=headers, json=deal_body())
    assert refused.status_code == 409
    client.post(f"/api/v1/deals/{held['id']}/reject", headers=bearer(staff_key),
                json={"reason": "Duplicate"})
    replayed = client.post("/api/v1/deals", headers=headers, json=deal_body())
    assert replayed.status_code == 409
    assert replayed.content == refused.content
    assert replayed.headers["idempotent-replayed"] == "true"
    fresh = client.post("/api/v1/deals", headers=_with_key(world.key_b, "b-try-2"),
                        json=deal_body())
    assert fresh.status_code == 201
    assert count(db, "deal_conflicts") == 1


def test_after_24_hours_and_the_purge_a_key_is_new_again(
    client: TestClient, db: Database, world: TwoPartners
) -> None:
    clock.freeze(START)
    headers = _with_key(world.key_a, "daily-sync")
    assert client.post("/api/v1/deals", headers=headers, json=deal_body()).status_code == 201
    clock.advance(timedelta(hours=23))
    assert client.post("/api/v1/deals", headers=headers,
                       json=deal_body(customer_website="b.cn")).status_code == 422
    clock.advance(timedelta(hours=1, seconds=1))
    with db.unit_of_work() as session:
        assert idempotency.purge(session, clock.now()) == 1
    new = client.post("/api/v1/deals", headers=headers, json=deal_body(customer_website="b.cn"))
    assert new.status_code == 201
    # Without a purge, a key older than 24 hours is new again as well.
    clock.advance(timedelta(hours=25))
    newer = client.post("/api/v1/deals", headers=headers,
                        json=deal_body(customer_website="c.cn"))
    assert newer.status_code == 201
    assert count(db, "deals") == 3


def test_simultaneous_requests_with_one_key_register_once(
    app: object, db: Database, world: TwoPartners
) -> None:
    threads = 8
    barrier = threading.Barrier(threads)
    headers = _with_key(world.key_a, "burst-1")

    def send(_i: int) -> httpx.Response:
        barrier.wait(timeout=30)
        return client.post("/api/v1/deals", headers=headers, json=deal_body())

    with TestClient(app, raise_server_exceptions=False) as client, \
            ThreadPoolExecutor(threads) as pool:  # type: ignore[arg-type]
        answers = list(pool.map(send, range(threads)))
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}, [a.text for a in answers]
    originals = [a for a in answers if a.status_code == 201
                 and "idempotent-replayed" not in a.headers]
    assert len(originals) == 1
    assert {a.content for a in answers if a.status_code == 201} == {originals[0].content}
    assert count(db, "deals") == 1
    assert count(db, "customer_claims") == 1
