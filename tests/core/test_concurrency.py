"""Writers at the same moment: SQLite queues them (BEGIN IMMEDIATE + busy_timeout) instead
of failing with "database is locked"; a unique name has exactly one winner and clean losers,
on both databases, through the service and through the API."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from qudao.accounts.roles import Role
from qudao.accounts.subject import SYSTEM
from qudao.audit import service as audit
from qudao.audit.verify import verify
from qudao.core.config import Settings
from qudao.core.errors import Conflict
from qudao.db.session import Database
from qudao.partners import service
from qudao.partners.schemas import PartnerCreate
from tests.fixtures.accounts import bearer, make_user
from tests.fixtures.security import count, make_staff_key

THREADS = 16
# Names that no duplicate detector would call alike.
NAMES = ("Amber", "Birchwood", "Cobalt", "Dunmore", "Eskimo", "Fjord", "Gallium", "Heron",
         "Ironclad", "Juniper", "Kestrel", "Lumen", "Marigold", "Nimbus", "Obsidian", "Pewter")
T = TypeVar("T")


def _all_at_once(work: Callable[[int], T]) -> list[T | BaseException]:
    """Runs ``work(i)`` in THREADS threads released together; results or exceptions."""
    barrier = threading.Barrier(THREADS)

    def run(i: int) -> T | BaseException:
        barrier.wait(timeout=30)
        try:
            return work(i)
        except Exception as error:
            return error

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def _create(db: Database, name: str) -> int:
    with db.unit_of_work() as session:
        return service.create_partner(session, SYSTEM, PartnerCreate(name=name)).id


def test_distinct_writers_all_succeed(db: Database) -> None:
    outcomes = _all_at_once(lambda i: _create(db, f"{NAMES[i]} Trading"))
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert not errors, errors
    assert len(set(outcomes)) == THREADS
    assert count(db, "partners") == THREADS
    # Every creation was audited, each in its own chain, and the chains verify.
    assert count(db, "audit_log", "action = 'partner.create'") == THREADS
    with db.unit_of_work(read_only=True) as session:
        assert verify(session).ok


def test_concurrent_appends_to_one_chain_stay_a_chain(db: Database) -> None:
    """The chain head is locked per transaction: 16 writers to one chain make 16 links."""

    def append(i: int) -> int:
        with db.unit_of_work() as session:
            return audit.record(session, action="test.parallel", target_type="thing",
                                target_id=i, partner_id=42).seq

    outcomes = _all_at_once(append)
    assert sorted(o for o in outcomes if isinstance(o, int)) == list(range(1, THREADS + 1))
    with db.unit_of_work(read_only=True) as session:
        assert verify(session).ok


def test_the_same_name_has_exactly_one_winner(db: Database) -> None:
    outcomes = _all_at_once(lambda _i: _create(db, "Contested Name Ltd"))
    winners = [o for o in outcomes if isinstance(o, int)]
    losers = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(winners) == 1
    assert len(losers) == THREADS - 1
    # Clean refusals: a domain conflict, or the unique constraint itself; never a lock error.
    unexpected = [o for o in losers if not isinstance(o, Conflict | IntegrityError)]
    assert not unexpected, unexpected
    assert count(db, "partners") == 1
    with db.engine.connect() as connection:
        audited = connection.execute(text(
            "SELECT count(*) FROM audit_log WHERE action = 'partner.create'")).scalar_one()
    assert audited == 1


def test_the_same_name_through_the_api_is_one_201_and_clean_409s(
    app: FastAPI, db: Database, settings: Settings, backend: str,
    request: pytest.FixtureRequest
) -> None:
    make_user(db, "admin@example.com", Role.ADMIN)
    _key_id, key = make_staff_key(db, settings, "admin@example.com")
    with TestClient(app, raise_server_exceptions=False) as client:
        outcomes = _all_at_once(lambda _i: client.post(
            "/api/v1/partners", headers=bearer(key), json={"name": "Raced Over Ltd"}
        ).status_code)
    assert sorted(o for o in outcomes if isinstance(o, int)) == [201] + [409] * (THREADS - 1)
    assert count(db, "partners") == 1


def test_after_commit_callbacks_run_only_when_the_unit_of_work_commits(db: Database) -> None:
    from qudao.db.session import after_commit

    ran: list[str] = []
    with db.unit_of_work() as session:
        after_commit(session, lambda: ran.append("committed"))
    with contextlib.suppress(RuntimeError), db.unit_of_work() as session:
        after_commit(session, lambda: ran.append("rolled back"))
        raise RuntimeError("the command failed")
    with db.unit_of_work(read_only=True) as session:
        after_commit(session, lambda: ran.append("read only"))
    assert ran == ["committed"]
