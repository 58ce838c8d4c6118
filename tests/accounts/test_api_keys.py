"""C07–C10: keys are checked offline first, stored only as a keyed digest, shown once,
revoked at once, rotated with an overlap, audited, and scoped (read-only)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from qudao.accounts import tokens
from qudao.accounts.models import ApiKey
from qudao.audit.models import AuditEntry
from qudao.core import clock
from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import bearer, login, make_key, two_partners
from tests.fixtures.security import (
    api_routes,
    body_model_names,
    counting_queries,
    fill_path,
    make_staff_key,
    methods,
    snapshot,
    text_dump,
)

T0 = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
# Valid bodies, so that a refusal comes from the key's scope and not from validation.
SAMPLE_BODIES: dict[str, dict[str, Any]] = {
    "UserCreate": {"email": "ro-probe@example.com", "role": "analyst",
                   "password": "long enough password"},
    "ApiKeyCreate": {"name": "probe"},
    "ApiKeyRotate": {"overlap_hours": 1},
    "PartnerCreate": {"name": "Read Only Probe Ltd"},
    "PartnerUpdate": {"country": "Iceland"},
    "PreferencesUpdate": {"locale": "zh-CN"},
}


def _flip(key: str, position: int) -> str:
    replacement = "A" if key[position] != "A" else "B"
    return key[:position] + replacement + key[position + 1:]


def test_a_mistyped_key_is_401_without_touching_the_database(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    assert client.get("/api/v1/me", headers=bearer(world.key_a)).status_code == 200
    for position in (9, 30, len(world.key_a) - 1):
        typo = _flip(world.key_a, position)
        with counting_queries(db.engine) as statements:
            response = client.get("/api/v1/partners", headers=bearer(typo))
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert statements == [], statements


def test_the_query_counter_does_see_a_lookup(
    client: TestClient, db: Database, settings: Settings
) -> None:
    """The zero above means something: a well-formed unknown key costs a lookup."""
    two_partners(db, settings)
    unknown = tokens.generate("pk")
    with counting_queries(db.engine) as statements:
        response = client.get("/api/v1/partners", headers=bearer(unknown))
    assert response.status_code == 401
    assert any("api_keys" in s for s in statements)


def test_other_authorization_schemes_are_401(client: TestClient) -> None:
    for header in ("Basic abc", "Bearer", "Bearer   ", "Token x", "bearer qudao_pk_x"):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_the_plaintext_is_never_stored_logged_or_shown_again(
    client: TestClient, db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    world = two_partners(db, settings)
    csrf = login(client, world.email_a)
    issued = client.post("/api/v1/api-keys", headers={"X-CSRF-Token": csrf},
                         json={"name": "shown once"})
    assert issued.status_code == 201, issued.text
    new_key, new_id = issued.json()["key"], issued.json()["id"]
    assert tokens.well_formed(new_key)
    rotated = client.post(f"/api/v1/api-keys/{new_id}/rotate",
                          headers={"X-CSRF-Token": csrf}, json={})
    assert rotated.status_code == 201
    rolled_key = rotated.json()["key"]
    for key in (new_key, rolled_key, world.key_a):
        assert client.get("/api/v1/me", headers=bearer(key)).status_code == 200
        client.get("/api/v1/me", headers=bearer(_flip(key, 20)))
    secrets = [new_key, rolled_key, world.key_a, world.key_b]
    dump = text_dump(db)
    for key in secrets:
        assert key not in dump
        assert key[9:-6] not in dump, "the random body of a key is in the database"
        assert key not in caplog.text
        assert _flip(key, 20) not in caplog.text
    with db.unit_of_work(read_only=True) as session:
        stored = session.execute(select(ApiKey.digest, ApiKey.last4).where(
            ApiKey.id == new_id)).one()
    assert stored.digest == tokens.digest(settings.secret_key, new_key)
    assert stored.last4 == new_key[-4:]
    # Only issue and rotate answers carry a secret.
    listing = client.get("/api/v1/api-keys", headers=bearer(world.key_a)).text
    one = client.get(f"/api/v1/api-keys/{new_id}", headers=bearer(world.key_a)).text
    for text in (listing, one):
        assert '"key"' not in text
        assert '"digest"' not in text
        for key in secrets:
            assert key not in text


def test_revoke_takes_effect_on_the_very_next_request(
    client: TestClient, db: Database, settings: Settings
) -> None:
    clock.freeze(T0)
    world = two_partners(db, settings)
    assert client.get("/api/v1/me", headers=bearer(world.key_a)).status_code == 200
    csrf = login(client, world.email_a)
    revoked = client.post(f"/api/v1/api-keys/{world.key_a_id}/revoke",
                          headers={"X-CSRF-Token": csrf})
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    client.cookies.clear()
    assert client.get("/api/v1/me", headers=bearer(world.key_a)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(world.key_b)).status_code == 200


def test_rotation_keeps_both_keys_until_the_overlap_ends(
    client: TestClient, db: Database, settings: Settings
) -> None:
    clock.freeze(T0)
    world = two_partners(db, settings)
    csrf = login(client, world.email_a)
    rotated = client.post(f"/api/v1/api-keys/{world.key_a_id}/rotate",
                          headers={"X-CSRF-Token": csrf}, json={"overlap_hours": 2})
    assert rotated.status_code == 201, rotated.text
    body = rotated.json()
    new_key = body["key"]
    assert body["rotated_from_id"] == world.key_a_id
    client.cookies.clear()
    old = client.get(f"/api/v1/api-keys/{world.key_a_id}", headers=bearer(new_key)).json()
    assert datetime.fromisoformat(old["expires_at"]) == T0 + timedelta(hours=2)
    for key in (world.key_a, new_key):
        assert client.get("/api/v1/me", headers=bearer(key)).status_code == 200
    clock.advance(timedelta(hours=2) - timedelta(seconds=1))
    assert client.get("/api/v1/me", headers=bearer(world.key_a)).status_code == 200
    clock.advance(timedelta(seconds=1))
    assert client.get("/api/v1/me", headers=bearer(world.key_a)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(new_key)).status_code == 200


def test_rotation_overlap_is_at_most_seven_days(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    csrf = login(client, world.email_a)
    response = client.post(f"/api/v1/api-keys/{world.key_a_id}/rotate",
                           headers={"X-CSRF-Token": csrf}, json={"overlap_hours": 169})
    assert response.status_code == 422


def test_key_events_are_audited_without_key_material(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    csrf = login(client, world.email_a)
    rotated = client.post(f"/api/v1/api-keys/{world.key_a_id}/rotate",
                          headers={"X-CSRF-Token": csrf}, json={})
    new_id = rotated.json()["id"]
    client.post(f"/api/v1/api-keys/{new_id}/revoke", headers={"X-CSRF-Token": csrf})
    with db.engine.connect() as connection:
        rows = connection.execute(select(AuditEntry.__table__).where(
            AuditEntry.target_type == "api_key").order_by(AuditEntry.id)).all()
        digests = list(connection.scalars(select(ApiKey.digest)))
    actions = [(r.action, r.target_id) for r in rows]
    assert ("api_key.create", str(world.key_a_id)) in actions
    assert ("api_key.rotate", str(world.key_a_id)) in actions
    assert ("api_key.create", str(new_id)) in actions
    assert ("api_key.revoke", str(new_id)) in actions
    for row in rows:
        text = json.dumps([row.before, row.after, row.reason, row.actor_label])
        assert not any(d in text for d in digests)
        assert world.key_a not in text
        assert rotated.json()["key"] not in text
        if row.action in ("api_key.rotate", "api_key.revoke"):
            assert row.actor_type == "user"
            assert row.actor_id == str(world.user_a)
            assert row.request_id is not None


def test_last_used_is_recorded_at_minute_precision(
    client: TestClient, db: Database, settings: Settings
) -> None:
    clock.freeze(T0)
    world = two_partners(db, settings)

    def last_used() -> datetime | None:
        with db.unit_of_work(read_only=True) as session:
            return session.scalar(select(ApiKey.last_used_at).where(
                ApiKey.id == world.key_a_id))

    assert last_used() is None
    client.get("/api/v1/me", headers=bearer(world.key_a))
    assert last_used() == T0
    clock.advance(timedelta(seconds=30))
    client.get("/api/v1/me", headers=bearer(world.key_a))
    assert last_used() == T0
    clock.advance(timedelta(minutes=1))
    client.get("/api/v1/me", headers=bearer(world.key_a))
    assert last_used() == T0 + timedelta(minutes=1, seconds=30)


def test_an_expired_key_is_401(client: TestClient, db: Database, settings: Settings) -> None:
    clock.freeze(T0)
    world = two_partners(db, settings)
    csrf = login(client, world.email_a)
    issued = client.post("/api/v1/api-keys", headers={"X-CSRF-Token": csrf}, json={
        "name": "short", "expires_at": (T0 + timedelta(hours=1)).isoformat()})
    key = issued.json()["key"]
    client.cookies.clear()
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 200
    clock.advance(timedelta(hours=1))
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 401


def test_keys_cannot_manage_keys(client: TestClient, db: Database, settings: Settings) -> None:
    world = two_partners(db, settings)
    before = snapshot(db)
    for method, url in (("POST", "/api/v1/api-keys"),
                        ("POST", f"/api/v1/api-keys/{world.key_a_id}/rotate"),
                        ("POST", f"/api/v1/api-keys/{world.key_a_id}/revoke")):
        response = client.request(method, url, headers=bearer(world.key_a),
                                  json={"name": "x"} if url.endswith("api-keys") else None)
        assert response.status_code == 403, (url, response.text)
    assert snapshot(db) == before


@pytest.mark.parametrize("owner", ["partner", "staff"])
def test_a_read_only_key_is_403_on_every_write(
    owner: str, app: Any, client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    if owner == "partner":
        key_id, key = make_key(db, settings, world.partner_a, read_only=True)
    else:
        key_id, key = make_staff_key(db, settings, world.admin_email, read_only=True)
    ids = {"partner_id": world.partner_a, "user_id": world.user_a, "key_id": key_id}
    before = snapshot(db)
    writes = 0
    for route in api_routes(app):
        for method in methods(route):
            if method in ("GET", "HEAD", "OPTIONS"):
                continue
            body = next((SAMPLE_BODIES[n] for n in body_model_names(route)
                         if n in SAMPLE_BODIES), {})
            response = client.request(method, fill_path(route, ids, 999_999), headers=bearer(key),
                                      json=body)
            assert response.status_code == 403, (method, route.path, response.text)
            writes += 1
    assert writes >= 5
    assert snapshot(db) == before
    assert client.get("/api/v1/partners", headers=bearer(key)).status_code == 200
