"""One unit of work per request, command or job: the boundary commits or rolls back,
services only flush."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

# Its session listeners tell the servers' key caches of every committed key change.
from qudao.db import key_changes as key_changes
from qudao.db.engine import READ_ONLY, make_engine


@dataclass
class Database:
    """An engine and its session factories; one per process (or per test database)."""

    url: str
    engine: Engine = field(init=False)
    reader: Engine = field(init=False)
    _writer: sessionmaker[Session] = field(init=False)
    _reader: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.engine = make_engine(self.url)
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        # The same pool, with a deferred BEGIN on SQLite: readers never block writers.
        self.reader = self.engine.execution_options(**{READ_ONLY: True})
        self._reader = sessionmaker(self.reader, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self, *, read_only: bool = False) -> Session:
        session = (self._reader if read_only else self._writer)()
        session.info["dialect"] = self.dialect
        return session

    @contextmanager
    def unit_of_work(self, *, read_only: bool = False) -> Iterator[Session]:
        """Commit when the block ends normally, roll back on any exception."""
        session = self.session(read_only=read_only)
        try:
            yield session
            if read_only:
                session.rollback()
                discard_after_commit(session)
            else:
                session.commit()
        except BaseException:
            session.rollback()
            discard_after_commit(session)
            raise
        finally:
            session.close()
        # Only a committed unit of work lets its callbacks (jobs, notifications) run.
        run_after_commit(session)

    def dispose(self) -> None:
        self.engine.dispose()


def after_commit(session: Session, callback: Callable[[], Any]) -> None:
    """Run ``callback`` only once the session's transaction has committed."""
    pending: list[Callable[[], Any]] = session.info.setdefault("after_commit", [])
    pending.append(callback)


def run_after_commit(session: Session) -> None:
    for callback in session.info.pop("after_commit", []):
        callback()


def discard_after_commit(session: Session) -> None:
    session.info.pop("after_commit", None)
