"""The demo's data, loaded as ``qudao demo`` loads it."""

from __future__ import annotations

import pytest

from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.demo.accounts import ensure_accounts
from qudao.demo.commissions import ensure_commissions
from qudao.demo.program import ensure_program
from qudao.demo.screening import ensure_pipeline


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

