"""Builders for screening tests: a staff subject and a few candidates."""

from __future__ import annotations

import pytest

from qudao.accounts.roles import Role
from qudao.db.session import Database
from tests.fixtures.accounts import make_user


@pytest.fixture
def evaluators(db: Database) -> tuple[str, str]:
    make_user(db, "ana@example.com", Role.CHANNEL_MANAGER)
    make_user(db, "ben@example.com", Role.ADMIN)
    return "ana@example.com", "ben@example.com"


