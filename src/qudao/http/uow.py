"""One transaction per request: committed just before the response starts when it
succeeds, rolled back when it fails. A failed commit turns into a 500, so a client is never
told "done" about a change that was not kept."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import anyio
import orjson
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qudao.core.context import RequestContext, set_context
from qudao.db.session import Database, discard_after_commit, run_after_commit

log = logging.getLogger("qudao.http")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UOW_KEY = "qudao_uow"


class RequestUnitOfWork:
    """The request's database session, opened on first use."""

    def __init__(self, db: Database, *, read_only: bool, context: RequestContext) -> None:
        self.db = db
        self.read_only = read_only
        self.context = context
        self.commit_on_error = False
        self._session: Session | None = None
        self._deferred: list[Callable[[Session], Any]] = []

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = self.db.session(read_only=self.read_only)
            set_context(self._session, self.context)
        return self._session

    def defer_write(self, work: Callable[[Session], Any]) -> None:
        """Bookkeeping (last-used times) written in its own short transaction afterwards,
        so that a read-only request never has to upgrade to a write lock."""
        self._deferred.append(work)

    def release(self) -> None:
        """End a failed request's transaction now, ahead of its response. On SQLite an open
        write transaction holds the database's one write lock, which the separate
        transaction that audits the failure needs. A request that keeps its bookkeeping on
        error (``commit_on_error``) is left alone."""
        if not self.commit_on_error:
            self.finish(False)

    @property
    def session_open(self) -> bool:
        return self._session is not None

    @property
    def has_deferred(self) -> bool:
        return bool(self._deferred)

    def finish(self, success: bool) -> None:
        session, self._session = self._session, None
        if session is not None:
            try:
                if success and not self.read_only:
                    session.commit()
                    run_after_commit(session)
                else:
                    session.rollback()
                    discard_after_commit(session)
            finally:
                session.close()
        if not success:
            self._deferred = []

    def write_deferred(self) -> None:
        """Bookkeeping, written after the response has gone out."""
        deferred, self._deferred = self._deferred, []
        if deferred:
            with self.db.unit_of_work() as bookkeeping:
                set_context(bookkeeping, self.context)
                for work in deferred:
                    work(bookkeeping)


class UnitOfWorkMiddleware:
    def __init__(self, app: ASGIApp, db: Database) -> None:
        self.app = app
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        context = state.get("context") or RequestContext()
        uow = RequestUnitOfWork(self.db, read_only=scope["method"] in SAFE_METHODS,
                                context=context)
        state[UOW_KEY] = uow
        finished = False
        replaced = False

        async def send_after_commit(message: Message) -> None:
            nonlocal finished, replaced
            if replaced:
                return
            if message["type"] == "http.response.start" and not finished:
                finished = True
                ok = message["status"] < 400 or uow.commit_on_error
                try:
                    if uow.session_open:
                        await anyio.to_thread.run_sync(uow.finish, ok)
                    else:
                        uow.finish(ok)
                except Exception:
                    log.exception("commit failed; request %s answered 500", context.request_id)
                    replaced = True
                    await _send_commit_failure(send, context.request_id)
                    return
            await send(message)

        try:
            await self.app(scope, receive, send_after_commit)
        finally:
            if not finished:
                finished = True
                await anyio.to_thread.run_sync(uow.finish, False)
        if uow.has_deferred:
            try:
                await anyio.to_thread.run_sync(uow.write_deferred)
            except Exception:
                # Bookkeeping only (last-used times): the answer already went out.
                log.exception("deferred bookkeeping failed for request %s",
                              context.request_id)


async def _send_commit_failure(send: Send, request_id: str) -> None:
    body = orjson.dumps({
        "error": "internal_error",
        "detail": "The change could not be saved. Nothing was changed; try again.",
        "request_id": request_id,
    })
    await send({"type": "http.response.start", "status": 500, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"x-request-id", request_id.encode()), (b"cache-control", b"no-store"),
    ]})
    await send({"type": "http.response.body", "body": body})
