"""Throw-away jobs for the queue's tests, registered for one test at a time."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from qudao.jobs import registry


class Calls:
    """What the test jobs did, and how often they should still fail."""

    def __init__(self) -> None:
        self.runs: list[dict[str, Any]] = []
        self.failures_left = 0


@pytest.fixture
def calls() -> Iterator[Calls]:
    state = Calls()

    @registry.job("test_note", max_attempts=3, lease_seconds=60)
    def note(session: Session, payload: Mapping[str, Any]) -> None:
        # A write of the job's own: it must vanish when the job fails.
        session.execute(text("INSERT INTO audit_heads (chain, seq, row_hash) "
                             "VALUES (:chain, 0, 'x')"), {"chain": f"test:{payload['n']}"})
        state.runs.append(dict(payload))
        if state.failures_left:
            state.failures_left -= 1
            raise RuntimeError(f"boom {payload['n']}")

    yield state
    registry.forget("test_note")
