"""C03: every route declares who may call it (deny by default); a partner reaches no staff
route; a method a route does not document answers 405."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import bearer, login, two_partners
from tests.fixtures.security import (
    DOC_ROUTES,
    access_marks,
    fill_path,
    methods,
    walk,
)

STAFF_AUDIENCES = frozenset({"staff", "staff_writer", "admin"})
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
PROBE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def test_every_route_declares_its_audience(app: Any) -> None:
    routes = walk(app)
    assert len(routes) > 10, "the route walk found too little: included routers not followed?"
    undeclared: list[str] = []
    for route in routes:
        if isinstance(route.route, Mount) and route.path == "/static":
            continue
        if not route.is_api:
            # Only FastAPI's own documentation routes may be plain Starlette routes.
            assert isinstance(route.route, Route), route.path
            assert route.path in DOC_ROUTES, route.path
            continue
        marks = access_marks(route.dependant)
        if not marks:
            undeclared.append(f"{sorted(route.methods)} {route.path}")
        assert len({m[0] for m in marks}) <= 1, f"{route.path} declares conflicting audiences"
    assert not undeclared, f"routes without an access declaration: {undeclared}"


def test_the_walk_would_catch_an_undeclared_route(app: Any) -> None:
    """The check above is only worth something if it can fail."""

    @app.get("/api/v1/undeclared-probe")
    def undeclared() -> dict[str, str]:
        return {}

    found = [r for r in walk(app) if r.path == "/api/v1/undeclared-probe"]
    assert found
    assert not access_marks(found[0].dependant)


def _own_ids(world: Any) -> dict[str, int]:
    return {"partner_id": world.partner_a, "user_id": world.user_a, "key_id": world.key_a_id}


# The audience is checked before any object is loaded: other ids may be anything.
ANY_ID = 999_999


def test_partner_key_gets_403_on_every_staff_route(
    app: Any, client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    staff_routes = [r for r in walk(app) if r.is_api
                    and any(a in STAFF_AUDIENCES for a, _ in access_marks(r.dependant))]
    assert staff_routes, "no staff-only route found"
    checked = 0
    for route in staff_routes:
        credentials = {c for _, c in access_marks(route.dependant)}
        url = fill_path(route, _own_ids(world), ANY_ID)
        for method in methods(route):
            body = None if method in SAFE else {}
            if credentials & {"key", "any"}:
                response = client.request(method, url, headers=bearer(world.key_a), json=body)
                assert response.status_code == 403, (method, url, response.text)
                checked += 1
    assert checked >= 3


def test_partner_user_gets_403_on_every_staff_route(
    app: Any, client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    csrf = login(client, world.email_a)
    staff_routes = [r for r in walk(app) if r.is_api
                    and any(a in STAFF_AUDIENCES for a, _ in access_marks(r.dependant))]
    for route in staff_routes:
        url = fill_path(route, _own_ids(world), ANY_ID)
        for method in methods(route):
            headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
            body = None if method in SAFE else {}
            response = client.request(method, url, headers=headers, json=body,
                                      follow_redirects=False)
            assert response.status_code == 403, (method, url, response.status_code)


def test_staff_pages_refuse_partner_users(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    login(client, world.email_a)
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 403
    assert "text/html" in page.headers["content-type"]


def test_undocumented_methods_answer_405(
    app: Any, client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    api = [r for r in walk(app) if r.is_api]
    urls = {fill_path(route, _own_ids(world), ANY_ID) for route in api}
    probed = 0
    for url in sorted(urls):
        # Every route whose pattern matches the URL (``/partners/stages`` also matches
        # ``/partners/{partner_id}``) may answer; the others' methods must be refused.
        allowed = set().union(*(r.methods for r in api if r.matches(url)))
        for method in PROBE_METHODS:
            if method in allowed:
                continue
            response = client.request(method, url, headers=bearer(world.key_a))
            assert response.status_code == 405, (method, url, response.status_code)
            assert set(response.headers["allow"].replace(" ", "").split(",")) <= allowed | {
                "HEAD"}
            probed += 1
    assert probed > 20
