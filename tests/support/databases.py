"""Fresh, migrated databases for each test, on SQLite and on PostgreSQL.

Migrating once per backend and copying the result (a file copy for SQLite, CREATE DATABASE
… TEMPLATE for PostgreSQL, each such database emptied and reused by the next test) keeps
every test on a real, fully migrated database at a cost of milliseconds.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import psycopg
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
    """Databases made from a migrated template, and reused: a test's database is emptied
    back to the template's rows when the test ends (a few milliseconds) rather than dropped
    and copied again (most of a second on a busy machine, a third of the suite's time)."""

    def __init__(self, cluster: ThrowawayPostgres) -> None:
        self.cluster = cluster
        self.admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:
            connection.execute(text("CREATE DATABASE qudao_template"))
        database = Database(cluster.url("qudao_template"))
        upgrade(database)
        database.dispose()
        self.free: list[str] = []
        self.reset_sql, self.seeds = self._snapshot("qudao_template")

    def _dsn(self, name: str) -> str:
        return self.cluster.url(name).replace("postgresql+psycopg://", "postgresql://")

    def _snapshot(self, name: str) -> tuple[str, dict[str, bytes]]:
        """What emptying a database back to the template takes: one DELETE per table and
        each sequence set back, and the template's own rows (as COPY text)."""
        with psycopg.connect(self._dsn(name), autocommit=True) as connection:
            tables = [row[0] for row in connection.execute(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version' ORDER BY tablename")]
            sequences = connection.execute(
                "SELECT quote_ident(sequencename), last_value, start_value "
                "FROM pg_sequences WHERE schemaname = 'public'").fetchall()
            seeds: dict[str, bytes] = {}
            for table in tables:
                if connection.execute(f"SELECT EXISTS (SELECT FROM {table})").fetchone() == (
                        True,):
                    with connection.cursor().copy(f"COPY {table} TO STDOUT") as copy:
                        seeds[table] = b"".join(bytes(chunk) for chunk in copy)
        statements = [f"DELETE FROM {table}" for table in tables]
        statements += [f"SELECT setval('{seq}', {last if last is not None else start}, "
                       f"{'true' if last is not None else 'false'})"
                       for seq, last, start in sequences]
        return ";\n".join(statements), seeds

    def new_url(self) -> str:
        if self.free:
            return self.free.pop()
        name = f"qudao_test_{next(_counter)}"
        with self.admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name} TEMPLATE qudao_template"))
        return self.cluster.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        try:
            self._empty(name)
        except psycopg.Error:
            with self.admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            return
        self.free.append(url)

    def _empty(self, name: str) -> None:
        with self.admin.connect() as connection:
            # What a test left open (a server thread, a pool) must not hold a lock.
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
        with psycopg.connect(self._dsn(name)) as connection:
            # Triggers off, foreign keys' included, so tables empty in any order, and the
            # append-only tables' refusals do not fire.
            connection.execute("SET session_replication_role = replica")
            connection.execute(self.reset_sql.encode())
            for table, rows in self.seeds.items():
                with connection.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                    copy.write(rows)

    def close(self) -> None:
        self.admin.dispose()
