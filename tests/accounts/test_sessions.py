"""C30: session cookies, a new session id at each login, server-side logout, idle and
absolute timeouts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from qudao.accounts.roles import Role
from qudao.accounts.tokens import sha256
from qudao.app import create_app
from qudao.core import clock
from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import csrf_from, make_partner, make_user
from tests.fixtures.security import post_login, session_cookie

T0 = datetime(2030, 5, 4, 8, 0, tzinfo=UTC)
EMAIL = "pat@session.example"
PROD_SECRET = "production-secret-0123456789-abcdefghijklmnop"


@pytest.fixture
def person(db: Database) -> str:
    partner = make_partner(db, "Session Ltd")
    make_user(db, EMAIL, Role.PARTNER_ADMIN, partner)
    make_user(db, "boss@session.example", Role.ADMIN)
    return EMAIL


@pytest.fixture
def production_client(settings: Settings, db: Database, tmp_path: Path) -> Iterator[TestClient]:
    production = Settings(env="production", database_url=settings.database_url,
                          secret_key=PROD_SECRET, data_dir=tmp_path)
    with TestClient(create_app(production, db), base_url="https://testserver") as client:
        yield client


def _sign_in(client: TestClient, email: str = EMAIL) -> str:
    """Signs in; returns the session cookie's value."""
    response = post_login(client, email)
    assert response.status_code == 303, response.text
    cookies = session_cookie(response)
    name = next(n for n in cookies if n.endswith("qudao_session"))
    return cookies[name].value


def test_cookie_attributes_in_development(client: TestClient, person: str) -> None:
    response = post_login(client, person)
    assert response.status_code == 303
    cookie = session_cookie(response)["qudao_session"]
    assert cookie["httponly"]
    assert cookie["samesite"].lower() == "lax"
    assert cookie["path"] == "/"
    assert not cookie["domain"]
    assert 0 < int(cookie["max-age"]) <= 12 * 3600
    assert len(cookie.value) >= 43  # 32 random bytes, base64: 256 bits


def test_cookie_attributes_in_production(production_client: TestClient, person: str) -> None:
    response = post_login(production_client, person)
    assert response.status_code == 303, response.text
    cookies = session_cookie(response)
    assert "qudao_session" not in cookies
    cookie = cookies["__Host-qudao_session"]
    assert cookie["secure"]
    assert cookie["httponly"]
    assert cookie["samesite"].lower() == "lax"
    assert cookie["path"] == "/"
    assert not cookie["domain"]
    assert production_client.get("/api/v1/me").status_code == 200


def test_only_a_digest_of_the_session_token_is_stored(
    client: TestClient, db: Database, person: str
) -> None:
    token = _sign_in(client)
    with db.engine.connect() as connection:
        ids = list(connection.execute(text("SELECT id FROM user_sessions")).scalars())
    assert ids == [sha256(token)]


def test_a_new_login_gets_a_new_session_and_ends_the_old_one(
    client: TestClient, person: str
) -> None:
    first = _sign_in(client)
    landing = client.get("/portal")
    assert landing.status_code == 200
    # Signing in again from the same browser, as someone else.
    second = post_login(client, "boss@session.example", token=csrf_from(landing.text))
    assert second.status_code == 303, second.text
    new = session_cookie(second)["qudao_session"].value
    assert new != first
    client.cookies.clear()
    client.cookies.set("qudao_session", first)
    assert client.get("/api/v1/me").status_code == 401


def test_logout_ends_the_session_on_the_server(
    client: TestClient, person: str
) -> None:
    token = _sign_in(client)
    page = client.get("/portal")
    out = client.post("/logout", data={"csrf_token": csrf_from(page.text)},
                      follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    # Replaying the old cookie from another browser.
    with TestClient(client.app) as replay:
        replay.cookies.set("qudao_session", token)
        page = replay.get("/portal", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"].startswith("/login")
        assert replay.get("/api/v1/me").status_code == 401


def test_idle_timeout(client: TestClient, person: str) -> None:
    clock.freeze(T0)
    _sign_in(client)
    clock.advance(timedelta(minutes=29))
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(timedelta(minutes=29))
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(timedelta(minutes=31))
    assert client.get("/api/v1/me").status_code == 401
    page = client.get("/portal", follow_redirects=False)
    assert page.status_code == 303


def test_absolute_timeout(client: TestClient, person: str) -> None:
    clock.freeze(T0)
    _sign_in(client)
    answers = []
    for _ in range(29):
        clock.advance(timedelta(minutes=25))
        answers.append(client.get("/api/v1/me").status_code)
    # 28 × 25 min = 11 h 40 min: still in; 29 × 25 min = 12 h 05 min: out, though never idle.
    assert answers == [200] * 28 + [401]
