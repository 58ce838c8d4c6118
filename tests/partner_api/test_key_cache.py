"""A server worker remembers what it learnt about a partner key, and every way of stopping a
key still takes effect on the very next call: whoever stops it, in whichever process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text, update

from qudao.accounts import api_keys
from qudao.accounts.models import ApiKey
from qudao.accounts.subject import SYSTEM
from qudao.app import create_app
from qudao.core import clock
from qudao.core.config import Settings
from qudao.db import key_changes
from qudao.db.session import Database
from qudao.partner_api import auth
from qudao.partners.models import Partner
from tests.fixtures.accounts import TwoPartners, bearer, csrf_from, login, two_partners
from tests.fixtures.security import run_cli

pytestmark = pytest.mark.usefixtures("published")
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def call(client: TestClient, key: str) -> int:
    return client.get("/getRecommendations", params={"userId": "u"},
                      headers=bearer(key)).status_code


@pytest.fixture
def lookups(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every database lookup of a key the application makes."""
    made: list[str] = []
    lookup: auth.KeyLookup = app.state.key_lookup
    query = lookup._query

    def counted(digest: str) -> tuple[object, ...] | None:
        made.append(digest)
        return query(digest)

    monkeypatch.setattr(lookup, "_query", counted)
    return made


def counter(settings: Settings) -> int:
    changes = key_changes.use(settings.database_url, settings.data_dir)
    assert changes is not None
    return changes.value()


def test_repeat_calls_look_the_key_up_once_and_any_key_change_once_more(
    client: TestClient, db: Database, settings: Settings, lookups: list[str]
) -> None:
    world = two_partners(db, settings)
    assert [call(client, world.key_a) for _ in range(5)] == [200] * 5
    assert len(lookups) == 1
    with db.unit_of_work() as session:
        api_keys.revoke_key(session, SYSTEM, world.key_b_id)
    assert call(client, world.key_a) == 200
    assert len(lookups) == 2, "a change to any key makes every worker forget every key"
    assert call(client, world.key_b) == 401


def test_a_key_revoked_by_the_cli_in_another_process_is_refused_at_the_next_call(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    assert call(client, world.key_a) == 200
    assert client.app.state.key_lookup.remembered(f"Bearer {world.key_a}") is not None  # type: ignore[attr-defined]
    env = {**os.environ, "QUDAO_DATABASE_URL": settings.database_url,
           "QUDAO_SECRET_KEY": settings.secret_key, "QUDAO_DATA_DIR": str(settings.data_dir),
           "QUDAO_ENV": "test", "QUDAO_LANG": "en"}
    subprocess.run([sys.executable, "-m", "qudao", "apikey", "revoke", str(world.key_a_id)],
                   env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
    assert call(client, world.key_a) == 401
    assert call(client, world.key_b) == 200


@pytest.fixture
def second_app(settings: Settings) -> Iterator[TestClient]:
    """Another worker serving the same database with the same data directory: its own
    mapping of the counter file, as a process of its own would have."""
    key_changes._by_database.clear()
    database = Database(settings.database_url)
    try:
        with TestClient(create_app(settings, database)) as other:
            yield other
    finally:
        database.dispose()


def test_a_key_revoked_through_one_worker_is_refused_by_every_worker(
    client: TestClient, second_app: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    assert call(client, world.key_a) == 200
    assert call(second_app, world.key_a) == 200
    csrf = login(second_app, world.email_a)
    revoked = second_app.post(f"/api/v1/api-keys/{world.key_a_id}/revoke",
                              headers={"X-CSRF-Token": csrf})
    assert revoked.status_code == 200, revoked.text
    assert call(client, world.key_a) == 401
    assert call(second_app, world.key_a) == 401


def _api_revoke(client: TestClient, world: TwoPartners, _settings: Settings) -> None:
    csrf = login(client, world.email_a)
    assert client.post(f"/api/v1/api-keys/{world.key_a_id}/revoke",
                       headers={"X-CSRF-Token": csrf}).status_code == 200


def _api_rotate_without_overlap(client: TestClient, world: TwoPartners,
                                _settings: Settings) -> None:
    csrf = login(client, world.email_a)
    assert client.post(f"/api/v1/api-keys/{world.key_a_id}/rotate", json={"overlap_hours": 0},
                       headers={"X-CSRF-Token": csrf}).status_code == 201


def _page_revoke(base: str, email: Callable[[TwoPartners], str]) -> Callable[
        [TestClient, TwoPartners, Settings], None]:
    def revoke(client: TestClient, world: TwoPartners, _settings: Settings) -> None:
        login(client, email(world))
        page = client.get(f"{base}/{world.key_a_id}/revoke")
        assert page.status_code == 200, page.text
        done = client.post(f"{base}/{world.key_a_id}/revoke",
                           data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
        assert done.status_code == 303, done.text

    return revoke


def _cli(*args: str) -> Callable[[TestClient, TwoPartners, Settings], None]:
    def run(_client: TestClient, world: TwoPartners, settings: Settings) -> None:
        result = run_cli(settings, "apikey", *args, str(world.key_a_id))
        assert result.exit_code == 0, result.output

    return run


@pytest.mark.parametrize("stop", [
    _api_revoke,
    _api_rotate_without_overlap,
    _page_revoke("/api-keys", lambda world: world.admin_email),
    _page_revoke("/portal/api-keys", lambda world: world.email_a),
    _cli("revoke"),
    _cli("rotate", "--overlap-hours", "0"),
], ids=["api-revoke", "api-rotate", "staff-page-revoke", "portal-page-revoke", "cli-revoke",
        "cli-rotate"])
def test_every_way_of_stopping_a_key_takes_effect_at_the_next_call(
    client: TestClient, db: Database, settings: Settings,
    stop: Callable[[TestClient, TwoPartners, Settings], None],
) -> None:
    world = two_partners(db, settings)
    assert call(client, world.key_a) == 200
    stop(client, world, settings)
    client.cookies.clear()
    assert call(client, world.key_a) == 401
    assert call(client, world.key_b) == 200


def test_a_rotated_key_stops_when_its_overlap_ends_though_it_is_remembered(
    client: TestClient, db: Database, settings: Settings, lookups: list[str]
) -> None:
    clock.freeze(T0)
    world = two_partners(db, settings)
    with db.unit_of_work() as session:
        new_key = api_keys.rotate_key(session, settings, SYSTEM, world.key_a_id,
                                      timedelta(hours=2)).plaintext
    assert call(client, world.key_a) == 200
    clock.advance(timedelta(hours=2) - timedelta(seconds=1))
    assert call(client, world.key_a) == 200
    clock.advance(timedelta(seconds=1))
    assert call(client, world.key_a) == 401
    assert call(client, new_key) == 200
    assert len(lookups) == 2, "the expiry is checked against what was remembered"


def test_what_moves_the_counter_and_what_does_not(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    assert call(client, world.key_a) == 200
    before = counter(settings)
    with db.unit_of_work() as session:
        api_keys.touch(session, world.key_a_id)
    assert counter(settings) == before, "recording a key's use changes nothing it may do"
    with db.unit_of_work() as session:
        partner = session.get(Partner, world.partner_a)
        assert partner is not None
        partner.notes = "suspended while the contract is renegotiated"
    assert counter(settings) == before + 1, "a change to a key's partner"
    with db.unit_of_work() as session:
        session.execute(update(ApiKey).where(ApiKey.id == world.key_a_id)
                        .values(revoked_at=clock.now()))
    assert counter(settings) == before + 2, "an UPDATE statement on the keys"
    assert call(client, world.key_a) == 401
    with db.unit_of_work() as session:
        key = session.get(ApiKey, world.key_b_id)
        assert key is not None
        session.delete(key)
    assert counter(settings) == before + 3, "a key deleted"
    assert call(client, world.key_b) == 401
    with db.unit_of_work() as session:
        session.get(ApiKey, world.key_a_id)
        session.rollback()
    assert counter(settings) == before + 3


def test_a_change_made_outside_the_application_is_caught_by_the_time_limit(
    client: TestClient, app: FastAPI, db: Database, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = two_partners(db, settings)
    assert call(client, world.key_a) == 200
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE api_keys SET revoked_at = :at WHERE id = :id"),
                           {"at": clock.now() - timedelta(minutes=1), "id": world.key_a_id})
    assert call(client, world.key_a) == 200, "typed-in SQL is not seen at once"
    later = auth.time.monotonic() + settings.api_key_cache_seconds + 1
    monkeypatch.setattr(auth.time, "monotonic", lambda: later)
    assert call(client, world.key_a) == 401


def test_with_the_cache_off_every_call_looks_the_key_up(
    db: Database, settings: Settings
) -> None:
    world = two_partners(db, settings)
    app = create_app(settings.model_copy(update={"api_key_cache_seconds": 0}), db)
    assert app.state.key_lookup.changes is None
    with TestClient(app) as client:
        assert call(client, world.key_a) == 200
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE api_keys SET revoked_at = :at WHERE id = :id"),
                               {"at": clock.now() - timedelta(minutes=1),
                                "id": world.key_a_id})
        assert call(client, world.key_a) == 401
