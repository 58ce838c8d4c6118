"""Who may open which page: every route declares it, partners stay out of the staff app,
staff out of the portal, and a form without its CSRF token changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from qudao.app import create_app
from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.http.auth import ACCESS_MARK
from qudao.partners.models import Partner
from tests.fixtures.accounts import TwoPartners
from tests.web.conftest import Browser, actions, count

STAFF_PAGES = ["/", "/partners", "/users", "/api-keys", "/audit", "/audit/verify", "/pipeline",
               "/screening", "/partners/import", "/program", "/program/value-proposition",
               "/program/catalogue", "/program/plans", "/program/documents", "/goals",
               "/agreements", "/deals", "/referrals", "/cadence", "/cadence/alerts"]
PORTAL_PAGES = ["/portal", "/portal/users", "/portal/api-keys", "/portal/deals",
                "/portal/onboarding", "/portal/referrals", "/portal/dashboard"]


def _api_routes(app: FastAPI) -> list[tuple[str, set[str], Dependant]]:
    """(path, methods, dependant) of every JSON and page route, however FastAPI stores
    included routers (flattened, or resolved lazily since FastAPI 0.16x)."""
    try:
        from fastapi.routing import iter_route_contexts  # type: ignore[attr-defined]
    except ImportError:
        return [(r.path, r.methods, r.dependant) for r in app.routes if isinstance(r, APIRoute)]
    return [(c.path, c.methods, c.dependant) for c in iter_route_contexts(app.routes)
            if isinstance(c.original_route, APIRoute)]


def _access_of(dependant: Dependant) -> tuple[str, str] | None:
    """(audience, credentials) of a route's access declaration, if it has one."""
    stack = list(dependant.dependencies)
    while stack:
        dependency = stack.pop()
        mark = getattr(dependency.call, ACCESS_MARK, None)
        if mark is not None:
            return tuple(mark)  # type: ignore[return-value]
        stack.extend(dependency.dependencies)
    return None


def _declares_access(dependant: Dependant) -> bool:
    return _access_of(dependant) is not None


def test_every_route_declares_who_may_call_it(tmp_path: Path) -> None:
    settings = Settings(env="test", database_url=f"sqlite:///{tmp_path / 'routes.db'}",
                        secret_key="x" * 48, data_dir=tmp_path)
    app = create_app(settings, Database(settings.database_url))
    routes = _api_routes(app)
    undeclared = [f"{sorted(methods)} {path}" for path, methods, dependant in routes
                  if not _declares_access(dependant)]
    assert not undeclared, f"routes without an access declaration: {undeclared}"
    paths = {path for path, _methods, _dependant in routes}
    assert {"/partners", "/api-keys/{key_id}/revoke", "/portal/api-keys", "/portal/users",
            "/account/password", "/audit/verify", "/login"} <= paths


def test_partner_users_stay_out_of_staff_pages_and_staff_out_of_the_portal(
    world: TwoPartners, sign_in: Callable[..., Browser]
) -> None:
    partner = sign_in(world.email_a)
    for url in [*STAFF_PAGES, f"/partners/{world.partner_a}", f"/api-keys/{world.key_a_id}/revoke"]:
        page = partner.get(url)
        assert page.status_code == 403, url
        assert "Not allowed" in page.text
        # The error page keeps the reader's own navigation.
        assert 'href="/portal/api-keys"' in page.text
    refused = partner.post(f"/api-keys/{world.key_b_id}/revoke")
    assert refused.status_code == 403
    staff = sign_in(world.admin_email)
    for url in PORTAL_PAGES:
        assert staff.get(url).status_code == 403, url


def test_signed_out_pages_lead_to_the_sign_in_page(
    client: TestClient, world: TwoPartners
) -> None:
    for url in ["/partners?q=alpha", "/portal", "/account"]:
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    admin = sign_in(world.admin_email)
    partners = count(db, Partner)
    no_token = admin.post("/partners", {"name": "Gamma Systems"}, csrf=False)
    assert no_token.status_code == 403
    assert "expired or did not come from this site" in no_token.text
    wrong = admin.client.post("/partners", data={"name": "Gamma Systems",
                                                 "csrf_token": "forged"})
    assert wrong.status_code == 403
    cross_site = admin.client.post("/partners", data={"name": "Gamma Systems",
                                                      "csrf_token": admin.csrf},
                                   headers={"origin": "https://evil.example"})
    assert cross_site.status_code == 403
    assert count(db, Partner) == partners
    # The refusals themselves are audited, in a transaction of their own.
    assert actions(db).count("authz.denied") == 3
    revoke = admin.post(f"/api-keys/{world.key_a_id}/revoke", csrf=False)
    assert revoke.status_code == 403
    assert admin.client.get("/api/v1/me", headers={
        "Authorization": f"Bearer {world.key_a}"}).status_code == 200


def test_every_page_form_handler_refuses_a_post_without_its_csrf_token(
    app: FastAPI, world: TwoPartners, db: Database, sign_in: Callable[..., Browser]
) -> None:
    # Any well-formed id will do: the token is checked before anything is looked up.
    ids = {"{key_id}": str(world.key_a_id), "{partner_id}": str(world.partner_a),
           "{contact_id}": "1", "{key}": "credit_rating"}
    staff, partner = sign_in(world.admin_email), sign_in(world.email_a)
    posts = [path for path, methods, dependant in _api_routes(app)
             if "POST" in methods and (_access_of(dependant) or ("", ""))[1] == "session"]
    assert len(posts) >= 12
    log = len(actions(db))
    for path in posts:
        url = path
        for placeholder, value in ids.items():
            url = url.replace(placeholder, value)
        # Every other id: any well-formed value (a number also passes as a text id).
        url = re.sub(r"\{\w+\}", "1", url)
        reader = partner if url.startswith("/portal") else staff
        response = reader.post(url, {"name": "x", "locale": "zh-CN"}, csrf=False)
        assert response.status_code == 403, path
    assert set(actions(db)[log:]) == {"authz.denied"}
