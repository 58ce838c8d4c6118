"""The demo's data, loaded as ``qudao demo`` loads it."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type

from qudao.accounts import login as login_module
from qudao.accounts import passwords
from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.demo.accounts import ensure_accounts
from qudao.demo.commissions import ensure_commissions
from qudao.demo.program import ensure_program
from qudao.demo.screening import ensure_pipeline


@pytest.fixture(autouse=True)
def _quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo makes and signs in several people; the production Argon2 cost is tested
    with the accounts."""
    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    monkeypatch.setattr(passwords, "HASHER", quick)
    monkeypatch.setattr(login_module, "HASHER", quick)


def load_demo(db: Database, settings: Settings) -> None:
    """What ``qudao demo`` loads, in one unit of work."""
    with db.unit_of_work() as session:
        ensure_accounts(session, settings)
        ensure_pipeline(session)
        ensure_program(session, settings)
        ensure_commissions(session)


@pytest.fixture
def demo(db: Database, settings: Settings) -> Database:
    load_demo(db, settings)
    return db

