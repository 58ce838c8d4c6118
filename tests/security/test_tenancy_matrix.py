"""C01: partner A's key and A's partner user, against every /api/v1 route that takes an id,
with partner B's ids. Nothing of B (or anyone) changes, and nothing tells A that B's ids
exist:

- a route partners may call answers 404 for every method;
- a staff-only route answers 403 (C03), exactly as it does for A's own ids.

The routes are walked from the app, so a route added later is covered without touching
this file, unless it takes a new kind of id: then the test fails until ID_KINDS learns it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qudao.accounts.subject import SYSTEM
from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import TwoPartners, bearer, login, two_partners
from tests.fixtures.security import (
    Walked,
    access_marks,
    api_routes,
    body_model_names,
    fill_path,
    methods,
    path_params,
    snapshot,
)
from tests.fixtures.tenancy import Tenancy, extra_id_kinds, extra_sample_bodies

STAFF_ONLY = frozenset({"staff", "staff_writer", "admin"})
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def _contact_of(partner: Callable[[TwoPartners], int]) -> Callable[[Tenancy], int]:
    def make(t: Tenancy) -> int:
        from qudao.partners import service
        from qudao.partners.schemas import ContactIn

        with t.db.unit_of_work() as session:
            return service.add_contact(session, SYSTEM, partner(t.world),
                                       ContactIn(name="Contact Person")).id
    return make


# How to find partner B's object (and A's own, for comparison) of each path-parameter kind.
ID_KINDS: dict[str, tuple[Callable[[Tenancy], int | str], Callable[[Tenancy], int | str]]] = {
    "partner_id": (lambda t: t.world.partner_b, lambda t: t.world.partner_a),
    "user_id": (lambda t: t.world.user_b, lambda t: t.world.user_a),
    "key_id": (lambda t: t.world.key_b_id, lambda t: t.world.key_a_id),
    "contact_id": (_contact_of(lambda w: w.partner_b), _contact_of(lambda w: w.partner_a)),
    # A due-diligence check is named by a key within its partner's checklist.
    "key": (lambda t: "custom_1", lambda t: "custom_1"),
}
# A body that passes validation, so that the request reaches the scoped lookup.
SAMPLE_BODIES: dict[str, dict[str, Any]] = {
    "PartnerUpdate": {"country": "Nowhere"},
    "ApiKeyRotate": {"overlap_hours": 1},
    "PreferencesUpdate": {"locale": "en"},
    "ContactIn": {"name": "Mole"},
    "StageMove": {"stage": "qualified"},
    "MergeRequest": {"merge_id": 1},
    "DiligenceUpdate": {"status": "done"},
    "DiligenceAdd": {"label": "Mole check"},
}
ID_KINDS.update(extra_id_kinds())
SAMPLE_BODIES.update(extra_sample_bodies())


def _ids(t: Tenancy, own: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, (theirs, ours) in ID_KINDS.items():
        cache = f"{name}:{'a' if own else 'b'}"
        if cache not in t.made:
            t.made[cache] = (ours if own else theirs)(t)
        values[name] = t.made[cache]
    return values


def _credentials(
    kind: str, client: TestClient, world: TwoPartners
) -> tuple[dict[str, str], dict[str, str]]:
    """Headers for reads and for writes, as partner A."""
    if kind == "key":
        headers = bearer(world.key_a)
        return headers, headers
    csrf = login(client, world.email_a)
    return {}, {"X-CSRF-Token": csrf}


def _body(route: Walked, method: str) -> dict[str, Any] | None:
    if method in SAFE:
        return None
    return next((SAMPLE_BODIES[n] for n in body_model_names(route) if n in SAMPLE_BODIES), {})


def _comparable(response: Any) -> tuple[int, Any]:
    try:
        body = {k: v for k, v in response.json().items() if k != "request_id"}
    except ValueError:
        body = response.text
    return response.status_code, body


def test_every_id_route_kind_is_known(app: Any) -> None:
    """A new kind of id must be added to the matrix, never silently skipped."""
    unknown = {(route.path, name) for route in api_routes(app)
               for name in path_params(route) if name not in ID_KINDS}
    assert not unknown, f"path parameters unknown to the tenancy matrix: {sorted(unknown)}"


@pytest.mark.parametrize("kind", ["key", "session"])
def test_partner_a_learns_nothing_about_partner_b_ids(
    kind: str, app: Any, client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    tenancy = Tenancy(world, db, settings)
    routes = [r for r in api_routes(app) if path_params(r)]
    assert routes, "no /api/v1 route takes an id: the route walk is broken"
    for route in routes:  # build every object before the snapshot
        fill_path(route, _ids(tenancy, own=False))
        fill_path(route, _ids(tenancy, own=True))
    read_headers, write_headers = _credentials(kind, client, world)
    before = snapshot(db)
    reachable = 0
    for route in routes:
        audiences = {audience for audience, _ in access_marks(route.dependant)}
        staff_only = bool(audiences) and audiences <= STAFF_ONLY
        url = fill_path(route, _ids(tenancy, own=False))
        for method in methods(route):
            headers = read_headers if method in SAFE else write_headers
            response = client.request(method, url, headers=headers, json=_body(route, method))
            where = (method, url, response.status_code, response.text[:300])
            if staff_only:
                assert response.status_code == 403, where
                own = client.request(method, fill_path(route, _ids(tenancy, own=True)),
                                     headers=headers, json=_body(route, method))
                assert _comparable(response) == _comparable(own), where
                continue
            reachable += 1
            if response.status_code == 422:
                pytest.fail(f"{method} {url} answered 422 before reaching the object: add a "
                            f"valid sample for {body_model_names(route)} to SAMPLE_BODIES")
            assert response.status_code == 404, where
            assert response.json()["error"] == "not_found"
    assert snapshot(db) == before, "a refused request changed data"
    assert reachable >= 5


def _fingerprints(world: TwoPartners) -> list[str]:
    return ["Beta Agency", world.email_b, world.key_b[:13]]


@pytest.mark.parametrize("kind", ["key", "session"])
def test_list_routes_never_show_partner_b(
    kind: str, app: Any, client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    read_headers, _ = _credentials(kind, client, world)
    lists = [r for r in api_routes(app) if not path_params(r) and "GET" in r.methods]
    assert any(r.path.endswith("/partners") for r in lists)
    seen_a = False
    for route in lists:
        for query in ({}, {"partner_id": world.partner_b}, {"q": "beta"}):
            response = client.get(route.path, params=query, headers=read_headers)
            assert response.status_code in (200, 403, 422), (route.path, response.text)
            if response.status_code != 200:
                continue
            for mark in _fingerprints(world):
                assert mark not in response.text, (route.path, query, mark)
            body = response.json()
            items = body.get("items", []) if isinstance(body, dict) else body
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict):
                    assert item.get("partner_id") in (None, world.partner_a), (route.path, item)
            seen_a = seen_a or "Alpha Distribution" in response.text
    assert seen_a, "A saw nothing at all: the test would pass for the wrong reason"


def test_partner_admin_cannot_create_people_or_keys_for_partner_b(
    client: TestClient, db: Database, settings: Settings
) -> None:
    """Ids in bodies are scoped too: A's administrator adds nothing to B."""
    world = two_partners(db, settings)
    csrf = login(client, world.email_a)
    before = snapshot(db)
    user = client.post("/api/v1/users", headers={"X-CSRF-Token": csrf}, json={
        "email": "mole@alpha.example", "role": "partner_member", "partner_id": world.partner_b,
        "password": "long enough password"})
    key = client.post("/api/v1/api-keys", headers={"X-CSRF-Token": csrf},
                      json={"name": "mole", "partner_id": world.partner_b})
    assert user.status_code in (403, 404), user.text
    assert key.status_code in (403, 404), key.text
    assert snapshot(db) == before
