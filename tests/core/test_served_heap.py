"""A served process hides its start-up heap from the cyclic collector (the partner API's p99
depended on it); the test process, which builds many applications, does not."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from qudao.accounts import api_keys
from qudao.app import create_app
from qudao.core.config import Settings


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen")
def test_a_served_application_freezes_what_start_up_built(settings: Settings) -> None:
    served = settings.model_copy(update={"env": "development"})
    with TestClient(create_app(served)):
        assert gc.get_freeze_count() > 1000


@pytest.mark.usefixtures("unfrozen")
def test_the_test_environment_leaves_the_collector_alone(settings: Settings) -> None:
    with TestClient(create_app(settings)):
        assert gc.get_freeze_count() == 0


def test_a_key_is_touched_once_a_minute_whatever_the_clock_source() -> None:
    now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    assert api_keys.needs_touch(7, None, now)
    assert not api_keys.needs_touch(7, None, now + timedelta(seconds=59))
    assert api_keys.needs_touch(7, None, now + timedelta(seconds=61))
    # A later use read from the database counts as much as one this process wrote.
    assert not api_keys.needs_touch(7, now + timedelta(minutes=5), now + timedelta(minutes=5))
