"""The ``live_server`` fixture for browser tests: the test's app (and so its database) on a
real loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from tests.support.live_server import serve


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    with serve(app) as base:
        yield base
