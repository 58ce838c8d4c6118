"""QUDAO_TIME_TRAVEL_DAYS: a person trying qudao moves the one clock ahead; production refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from qudao.core import clock
from qudao.core.config import Settings


def test_the_clock_runs_ahead_by_the_days_asked() -> None:
    clock.travel(30)
    ahead = clock.now() - datetime.now(UTC)
    assert timedelta(days=30) - timedelta(seconds=5) < ahead <= timedelta(days=30)
    clock.travel(0)
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_frozen_clock_wins_over_travel() -> None:
    at = datetime(2027, 1, 1, tzinfo=UTC)
    clock.travel(30)
    with clock.frozen(at):
        assert clock.now() == at


def test_production_refuses_time_travel(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="TIME_TRAVEL"):
        Settings(env="production", data_dir=tmp_path, secret_key="x" * 48,
                 time_travel_days=10)
