"""C04: bounded pages and bounded bodies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import bearer, two_partners
from tests.fixtures.security import api_routes, make_staff_key, path_params, snapshot

TWO_MIB = 2 * 1024 * 1024


def _paged_routes(app: Any) -> list[str]:
    return [r.path for r in api_routes(app) if "GET" in r.methods and not path_params(r)
            and r.dependant is not None
            and any(q.name == "limit" for q in _all_query_params(r.dependant))]


def _all_query_params(dependant: Any) -> Iterator[Any]:
    yield from dependant.query_params
    for sub in dependant.dependencies:
        yield from _all_query_params(sub)


def test_every_paged_list_refuses_a_huge_limit(
    app: Any, client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    _id, staff_key = make_staff_key(db, settings, world.admin_email)
    paged = _paged_routes(app)
    assert "/api/v1/partners" in paged
    assert "/api/v1/api-keys" in paged
    for path in paged:
        too_many = client.get(path, params={"limit": 100000}, headers=bearer(staff_key))
        assert too_many.status_code == 422, (path, too_many.text)
        assert too_many.json()["error"] == "unprocessable"
        at_most = client.get(path, params={"limit": 100}, headers=bearer(staff_key))
        assert at_most.status_code == 200, (path, at_most.text)


def test_a_declared_body_over_one_mib_is_413_json(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    _id, staff_key = make_staff_key(db, settings, world.admin_email)
    before = snapshot(db)
    body = b'{"notes": "' + b"x" * TWO_MIB + b'"}'
    response = client.patch(f"/api/v1/partners/{world.partner_a}", content=body,
                            headers={**bearer(staff_key), "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"] == "payload_too_large"
    assert snapshot(db) == before


def test_a_streamed_body_over_one_mib_is_413_json(
    client: TestClient, db: Database, settings: Settings
) -> None:
    """No Content-Length (chunked): the limit is enforced while reading, still as a 413."""
    world = two_partners(db, settings)
    _id, staff_key = make_staff_key(db, settings, world.admin_email)
    before = snapshot(db)

    def chunks() -> Iterator[bytes]:
        yield b'{"notes": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    response = client.patch(f"/api/v1/partners/{world.partner_a}", content=chunks(),
                            headers={**bearer(staff_key), "Content-Type": "application/json"})
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "payload_too_large"
    assert snapshot(db) == before


def test_a_body_under_the_limit_is_read(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    _id, staff_key = make_staff_key(db, settings, world.admin_email)
    response = client.patch(f"/api/v1/partners/{world.partner_a}", headers=bearer(staff_key),
                            json={"notes": "y" * 5000})
    assert response.status_code == 200, response.text
