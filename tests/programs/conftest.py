"""Fixtures of the program tests: the page fixtures (a world of two partners, signed-in
browsers, quick password hashes) and a staff API client."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import TwoPartners, bearer
from tests.fixtures.security import make_staff_key
from tests.web.conftest import sign_in, world

__all__ = ["sign_in", "world"]


@pytest.fixture
def staff(world: TwoPartners, db: Database, settings: Settings) -> dict[str, str]:
    """Headers of an administrator's API key."""
    _key_id, key = make_staff_key(db, settings, world.admin_email)
    return bearer(key)


@pytest.fixture
def api(client: TestClient) -> TestClient:
    return client
