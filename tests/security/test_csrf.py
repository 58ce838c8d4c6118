"""C31: a CSRF token on every form POST and on cookie-authenticated JSON writes, an origin
check as defence in depth, and the security headers of HTML pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qudao.app import create_app
from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import PASSWORD, TwoPartners, login, two_partners
from tests.fixtures.security import count, form_token

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
PROD_SECRET = "production-secret-0123456789-abcdefghijklmnop"


@pytest.fixture
def world(db: Database, settings: Settings) -> TwoPartners:
    return two_partners(db, settings)


def _denials(db: Database) -> int:
    return count(db, "audit_log", "action = 'authz.denied'")


def _login_form(token: str | None, email: str) -> dict[str, str]:
    form = {"email": email, "password": PASSWORD}
    if token is not None:
        form["csrf_token"] = token
    return form


def test_login_form_without_the_right_token_is_403(
    client: TestClient, db: Database, world: TwoPartners
) -> None:
    form_token(client)  # the browser has its CSRF cookie, but the form lacks the token
    for token in (None, "", "forged-token-value"):
        denials = _denials(db)
        response = client.post("/login", data=_login_form(token, world.email_a),
                               follow_redirects=False)
        assert response.status_code == 403, token
        assert "qudao_session" not in response.headers.get("set-cookie", "")
        assert _denials(db) == denials + 1, "the refused form left no audit row"


def test_another_sessions_token_is_403(
    app: FastAPI, client: TestClient, world: TwoPartners
) -> None:
    mine = login(client, world.email_a)
    with TestClient(app) as other:
        theirs = login(other, world.email_b)
    assert mine != theirs
    response = client.post("/logout", data={"csrf_token": theirs}, follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/api/v1/me").status_code == 200, "the forged logout ended the session"
    assert client.post("/language", data={"csrf_token": theirs, "locale": "zh-CN"},
                       follow_redirects=False).status_code == 403


def test_a_cross_origin_form_is_403_even_with_the_token(
    client: TestClient, world: TwoPartners
) -> None:
    token = form_token(client)
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                    {"Origin": "http://testserver.evil.example"},
                    {"Sec-Fetch-Site": "cross-site"}):
        response = client.post("/login", data=_login_form(token, world.email_a),
                               headers=headers, follow_redirects=False)
        assert response.status_code == 403, headers


def test_a_same_origin_form_with_the_token_passes(
    client: TestClient, world: TwoPartners
) -> None:
    token = form_token(client)
    response = client.post("/login", data=_login_form(token, world.email_a),
                           headers={"Origin": "http://testserver",
                                    "Sec-Fetch-Site": "same-origin"},
                           follow_redirects=False)
    assert response.status_code == 303


def test_cookie_authenticated_json_writes_need_the_header(
    client: TestClient, db: Database, world: TwoPartners
) -> None:
    token = login(client, world.email_a)
    denials = _denials(db)
    body = {"locale": "zh-CN"}
    assert client.patch("/api/v1/me/preferences", json=body).status_code == 403
    assert client.patch("/api/v1/me/preferences", json=body,
                        headers={"X-CSRF-Token": "x" * 43}).status_code == 403
    assert _denials(db) == denials + 2
    ok = client.patch("/api/v1/me/preferences", json=body, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200
    assert ok.json()["locale"] == "zh-CN"


def test_no_state_changes_through_get(client: TestClient, world: TwoPartners) -> None:
    login(client, world.email_a)
    assert client.get("/logout").status_code == 405
    assert client.get("/api/v1/me").status_code == 200


def test_security_headers_on_html(client: TestClient) -> None:
    page = client.get("/login")
    assert page.headers["content-type"].startswith("text/html")
    headers = page.headers
    assert headers["content-security-policy"] == CSP
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in headers
    anon = page.cookies.get("qudao_csrf")
    assert anon, "the login form's CSRF cookie is missing"
    cookie_header = page.headers["set-cookie"]
    assert "HttpOnly" in cookie_header
    assert "samesite=lax" in cookie_header.lower()


@pytest.fixture
def production_client(settings: Settings, db: Database, tmp_path: Path) -> Iterator[TestClient]:
    production = Settings(env="production", database_url=settings.database_url,
                          secret_key=PROD_SECRET, data_dir=tmp_path)
    with TestClient(create_app(production, db), base_url="https://testserver") as client:
        yield client


def test_hsts_only_in_production(production_client: TestClient) -> None:
    page = production_client.get("/login")
    headers = page.headers
    assert headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
    assert headers["content-security-policy"] == CSP
    assert "secure" in page.headers["set-cookie"].lower()
    api = production_client.get("/healthz")
    assert "strict-transport-security" in api.headers
