"""C29: Argon2id at or above the OWASP floor, parameters in the PHC string, rehash on login."""

from __future__ import annotations

import re
import time

import pytest
from argon2 import PasswordHasher, Type
from fastapi.testclient import TestClient
from sqlalchemy import text

from qudao.accounts.passwords import HASHER, hash_password, needs_rehash, verify_password
from qudao.accounts.roles import Role
from qudao.core.config import Settings
from qudao.core.errors import Unprocessable
from qudao.db.session import Database
from tests.fixtures.accounts import PASSWORD, login, make_partner, make_user

PHC = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$")
WEAK = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID)

pytestmark = pytest.mark.production_hashing


def _stored_hash(db: Database, user_id: int) -> str:
    with db.engine.connect() as connection:
        value = connection.execute(text("SELECT password_hash FROM users WHERE id = :id"),
                                   {"id": user_id}).scalar_one()
    assert isinstance(value, str)
    return value


def _assert_at_the_floor(stored: str) -> None:
    found = PHC.match(stored)
    assert found, stored
    memory, time_cost, parallelism = (int(g) for g in found.groups())
    assert memory >= 19_456
    assert time_cost >= 2
    assert parallelism >= 1


def test_the_stored_hash_is_argon2id_at_the_owasp_floor(db: Database) -> None:
    user = make_user(db, "floor@example.com", Role.ANALYST)
    stored = _stored_hash(db, user)
    _assert_at_the_floor(stored)
    assert PASSWORD not in stored


def test_hashing_takes_under_a_second() -> None:
    started = time.perf_counter()
    HASHER.hash("a long enough password")
    assert time.perf_counter() - started < 1.0


def test_short_passwords_are_refused() -> None:
    with pytest.raises(Unprocessable):
        hash_password("short")


def test_verify_refuses_missing_and_garbage_hashes() -> None:
    assert not verify_password(None, PASSWORD)
    assert not verify_password("not-a-hash", PASSWORD)
    assert not verify_password(HASHER.hash("something else entirely"), PASSWORD)
    assert verify_password(HASHER.hash(PASSWORD), PASSWORD)


def test_an_old_hash_is_upgraded_at_login(
    client: TestClient, db: Database, settings: Settings
) -> None:
    partner = make_partner(db, "Rehash Ltd")
    user = make_user(db, "old@rehash.example", Role.PARTNER_MEMBER, partner)
    weak = WEAK.hash(PASSWORD)
    assert needs_rehash(weak)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE users SET password_hash = :h WHERE id = :id"),
                           {"h": weak, "id": user})
    login(client, "old@rehash.example")
    upgraded = _stored_hash(db, user)
    assert upgraded != weak
    _assert_at_the_floor(upgraded)
    assert not needs_rehash(upgraded)
    # And the upgraded hash still lets the user in.
    client.cookies.clear()
    login(client, "old@rehash.example")
