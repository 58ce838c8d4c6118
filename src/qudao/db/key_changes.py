"""Telling every process on this machine, at once, that API keys or their owners changed.

The partner API keeps what it learnt about a key in memory, so that a call costs no database
round trip; a revocation must still take effect on the very next request, in every server
worker. So each commit that changed a key (revoked, rotated, deleted, moved) or the partner
or user behind one moves a counter kept in a small file in the data directory. Every reader
maps that file into memory: reading the counter on each request is a memory load, not a
system call. A reader that sees it move forgets all it learnt.

The changes are noticed by listeners on every ORM session, not by the services that make
them, so that a new way of stopping a key cannot forget to tell. What the ORM never sees
(SQL typed by hand) only the cache's time limit catches. Several machines serving one
database do not share the file: they must turn the cache off (``QUDAO_API_KEY_CACHE_SECONDS=0``).
"""

from __future__ import annotations

import fcntl
import logging
import mmap
import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

log = logging.getLogger(__name__)

FILE_NAME = "api-keys.generation"
# Tables whose rows decide whether a key works, and the columns whose change alone does not
# matter to that (bookkeeping written as a key or a user is used).
WATCHED: dict[str, frozenset[str]] = {
    "api_keys": frozenset({"last_used_at"}),
    "partners": frozenset({"updated_at"}),
    "users": frozenset({"failed_logins", "locked_until", "last_login_at", "updated_at"}),
}
# An execution option for a bulk UPDATE of a watched table that changes bookkeeping only.
BOOKKEEPING = "qudao_bookkeeping_only"
_CHANGED = "qudao_key_tables_changed"


class KeyChanges:
    """The counter of one database; in this process only when there is no file to share."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._local = 0
        self._fd: int | None = None
        self._view: memoryview | None = None
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(fd).st_size < 8:
            os.ftruncate(fd, 8)  # zeros; a second process racing here changes nothing
        self._fd = fd
        self._view = memoryview(mmap.mmap(fd, 8)).cast("Q")

    def value(self) -> int:
        view = self._view
        return self._local if view is None else int(view[0])

    def bump(self) -> None:
        if self._view is None or self._fd is None:
            self._local += 1
            return
        # The lock keeps two processes' increments from becoming one.
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            self._view[0] = (self._view[0] + 1) % 2**64
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)


_lock = threading.Lock()
_by_database: dict[str, KeyChanges] = {}


def _name(url: str | URL) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _in_memory(url: URL) -> bool:
    database = url.database
    return url.get_backend_name() == "sqlite" and (
        not database or database == ":memory:" or "mode=memory" in str(url))


def use(url: str, data_dir: Path) -> KeyChanges | None:
    """The counter of ``url``'s database, kept in ``data_dir``. Every process that serves or
    changes that database on this machine names the same folder (the server and the CLI
    read it from the same settings). None, and a warning, when the file cannot be had: a
    server then looks every key up on every call."""
    parsed = make_url(url)
    path = None if _in_memory(parsed) else data_dir / FILE_NAME
    with _lock:
        found = _by_database.get(_name(parsed))
        if found is None or found.path != path:
            try:
                found = KeyChanges(path)
            except OSError:
                log.warning("cannot use %s; API keys are looked up on every call", path,
                            exc_info=True)
                return None
            _by_database[_name(parsed)] = found
        return found


def _of(url: URL) -> KeyChanges | None:
    found = _by_database.get(_name(url))
    if found is None and url.get_backend_name() == "sqlite" and not _in_memory(url):
        # A process that did not say where its data directory is: a SQLite database lives in
        # it unless configured otherwise.
        assert url.database is not None
        found = use(url.render_as_string(hide_password=False),
                    Path(url.database).resolve().parent)
    return found


def _watched_change(instance: object, deleted: bool) -> bool:
    table = getattr(type(instance), "__tablename__", None)
    if table not in WATCHED:
        return False
    if deleted:
        return True
    state = inspect(instance)
    ignored = WATCHED[table]
    return any(attr.key not in ignored and attr.history.has_changes()
               for attr in state.attrs)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    if session.info.get(_CHANGED):
        return
    if any(_watched_change(i, False) for i in session.dirty) or any(
            _watched_change(i, True) for i in session.deleted):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete) or state.execution_options.get(BOOKKEEPING):
        return
    table: Any = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in WATCHED:
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if not session.info.pop(_CHANGED, False):
        return
    try:
        bind = session.get_bind()
        changes = _of(bind.engine.url)
        if changes is not None:
            changes.bump()
    except Exception:
        # The commit stands; servers notice within the cache's time limit instead.
        log.exception("could not tell the servers that API keys changed")
