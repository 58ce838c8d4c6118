"""Fixtures shared by every test: a real database per test on SQLite and on PostgreSQL,
the app behind an in-process ASGI client, a movable clock.

Under CI=true a test that would be skipped for want of PostgreSQL or chromium fails.

A walk in the browser runs on one of the two databases: the pages it drives are rendered on
both by the in-process page tests, and what the browser adds (scripts, charts, fonts, forms
as a person fills them) does not depend on the database. Each walk's database is chosen by a
stable hash of its name, so that both databases meet the browser.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qudao.accounts import api_keys, passwords
from qudao.accounts import login as login_module
from qudao.accounts.throttle import throttle
from qudao.app import create_app
from qudao.core import clock
from qudao.core.config import Settings, get_settings
from qudao.db.session import Database
from tests.support.databases import PostgresFactory, SqliteFactory
from tests.support.postgres import ThrowawayPostgres, bindir

pytest_plugins = ["tests.fixtures.recommender", "tests.fixtures.retail"]

IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = [b.strip() for b in os.environ.get("QUDAO_TEST_BACKENDS", "sqlite,postgresql")
            .split(",") if b.strip()]
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def browser_backend(item: pytest.Item) -> str:
    """The database a browser walk runs on, when both are tested."""
    name = f"{item.path.name}::{getattr(item, 'originalname', item.name)}"
    return BACKENDS[zlib.crc32(name.encode()) % len(BACKENDS)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = None if callspec is None else callspec.params.get("backend")
        walks = "browser" in getattr(item, "fixturenames", ())
        if walks and backend is not None and backend != browser_backend(item):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


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
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``qudao`` commands run in-process (Typer's CliRunner) against the test database, in
    English. A module that needs more before its commands run overrides this fixture and
    asks for it."""
    monkeypatch.setenv("QUDAO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("QUDAO_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("QUDAO_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("QUDAO_LANG", "en")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


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
def _quick_password_hashes(request: pytest.FixtureRequest,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests make and sign in people all the time; at the production Argon2 cost (which
    the tests of passwords keep, marked ``production_hashing``) that alone would take a
    large part of the suite's time."""
    if request.node.get_closest_marker("production_hashing") is not None:
        return
    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    monkeypatch.setattr(passwords, "HASHER", quick)
    monkeypatch.setattr(login_module, "HASHER", quick)


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
