"""Sign-in's ``next`` never sends a browser to another site (no open redirect)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from qudao.accounts.roles import Role
from qudao.db.session import Database
from tests.fixtures.accounts import PASSWORD, make_partner, make_user
from tests.fixtures.security import form_token, post_login

HOSTILE = ("//evil.example", "https://evil.example/x", "/\\evil.example", "/\t/evil.example",
           "\\\\evil.example", "javascript:alert(1)", "http:/evil.example", " //evil.example")


def test_next_stays_on_this_site(client: TestClient, db: Database) -> None:
    make_user(db, "rae@redirect.example", Role.PARTNER_MEMBER, make_partner(db, "Redirect Co"))
    for target in HOSTILE:
        client.cookies.clear()
        response = client.post("/login", data={
            "email": "rae@redirect.example", "password": PASSWORD,
            "csrf_token": form_token(client), "next": target}, follow_redirects=False)
        assert response.status_code == 303, target
        location = response.headers["location"]
        parts = urlsplit(location)
        assert not parts.scheme, (target, location)
        assert not parts.netloc, (target, location)
        assert location.startswith("/"), (target, location)
        assert not location.startswith("//"), (target, location)
    client.cookies.clear()
    assert post_login(client, "rae@redirect.example").headers["location"] == "/portal"
