"""Fresh, migrated databases for each test, on SQLite and on PostgreSQL.

Migrating once per backend and copying the result (a file copy for SQLite, CREATE DATABASE
… TEMPLATE for PostgreSQL) keeps every test on a real, fully migrated database at a cost of
milliseconds.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

from sqlalchemy import create_engine, text

from qudao.db.migrate import upgrade
from qudao.db.session import Database
from tests.support.postgres import ThrowawayPostgres

_counter = itertools.count()


class SqliteFactory:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.template = folder / "template.db"
        database = Database(f"sqlite:///{self.template}")
        upgrade(database)
        database.dispose()
        # The template's WAL must be folded into the main file before it is copied.
        engine = create_engine(f"sqlite:///{self.template}")
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()

    def new_url(self) -> str:
        path = self.folder / f"test-{next(_counter)}.db"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


class PostgresFactory:
    def __init__(self, cluster: ThrowawayPostgres) -> None:
        self.cluster = cluster
        self.admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:
            connection.execute(text("CREATE DATABASE qudao_template"))
        database = Database(cluster.url("qudao_template"))
        upgrade(database)
        database.dispose()

    def new_url(self) -> str:
        name = f"qudao_test_{next(_counter)}"
        with self.admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name} TEMPLATE qudao_template"))
        return self.cluster.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self.admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    def close(self) -> None:
        self.admin.dispose()
