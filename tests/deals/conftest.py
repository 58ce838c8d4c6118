"""Fixtures of the deal tests: two partners with users and keys, a staff key, and the page
tests' signed-in browsers."""

from __future__ import annotations

import pytest

from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import TwoPartners, two_partners
from tests.fixtures.security import make_staff_key
from tests.web.conftest import sign_in  # noqa: F401  (fixtures)


@pytest.fixture
def world(db: Database, settings: Settings) -> TwoPartners:
    return two_partners(db, settings)


@pytest.fixture
def staff_key(db: Database, settings: Settings, world: TwoPartners) -> str:
    return make_staff_key(db, settings, world.admin_email)[1]
