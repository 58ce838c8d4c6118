"""Fixtures shared by every test: a real database per test on SQLite and on PostgreSQL,
the app behind an in-process ASGI client, a movable clock.

Under CI=true a test that would be skipped for want of PostgreSQL or chromium fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qudao.accounts import api_keys
from qudao.accounts.throttle import throttle
from qudao.app import create_app
from qudao.core import clock
from qudao.core.config import Settings
from qudao.db.session import Database
from tests.support.databases import PostgresFactory, SqliteFactory
from tests.support.postgres import ThrowawayPostgres, bindir

pytest_plugins = ["tests.fixtures.recommender", "tests.fixtures.retail"]

IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = [b.strip() for b in os.environ.get("QUDAO_TEST_BACKENDS", "sqlite,postgresql")
            .split(",") if b.strip()]
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: skipping is not allowed)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sqlite_factory(tmp_path_factory: pytest.TempPathFactory) -> SqliteFactory:
    return SqliteFactory(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_factory() -> Iterator[PostgresFactory | None]:
    if "postgresql" not in BACKENDS:
        yield None
        return
    if bindir() is None:
        yield None
        return
    cluster = ThrowawayPostgres()
    cluster.start()
    factory = PostgresFactory(cluster)
    try:
        yield factory
    finally:
        factory.close()
        cluster.stop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(
    backend: str, request: pytest.FixtureRequest
) -> Iterator[str]:
    if backend == "sqlite":
        factory: SqliteFactory | PostgresFactory | None = request.getfixturevalue(
            "sqlite_factory")
    else:
        factory = request.getfixturevalue("postgres_factory")
        if factory is None:
            skip_or_fail("PostgreSQL server binaries are not installed")
    assert factory is not None
    url = factory.new_url()
    yield url
    factory.drop(url)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(env="test", database_url=database_url, secret_key=TEST_SECRET,
                    data_dir=tmp_path)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.database_url)
    yield database
    database.dispose()


@pytest.fixture
def app(settings: Settings, db: Database) -> FastAPI:
    return create_app(settings, db)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _isolated_process_state() -> Iterator[None]:
    throttle.reset()
    api_keys.forget_touches()
    yield
    clock.unfreeze()
    clock.travel(0)
    throttle.reset()
    api_keys.forget_touches()


@pytest.fixture
def chromium_path() -> str:
    for candidate in (os.environ.get("QUDAO_CHROMIUM"), "/usr/bin/chromium",
                      "/usr/bin/chromium-browser"):
        if candidate and Path(candidate).exists():
            return candidate
    skip_or_fail("chromium is not installed (apt-get install -y chromium)")
    raise AssertionError("unreachable")
