"""Errors rendered for their reader: JSON for the API, a page for a browser. A 500 never
carries a traceback; denied requests leave an audit row."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qudao.audit import service as audit
from qudao.core.context import set_context
from qudao.core.errors import Forbidden, QudaoError, TooManyRequests
from qudao.core.i18n import N_, translate
from qudao.http.locale import request_locale
from qudao.http.templates import render
from qudao.http.uow import UOW_KEY, RequestUnitOfWork

log = logging.getLogger("qudao.errors")
JSON_PREFIXES = ("/api/", "/getRecommendations", "/healthz", "/openapi.json", "/partner-api/")

BAD_REQUEST_PATHS = frozenset({"/getRecommendations"})
HTTP_MESSAGES: dict[int, str] = {
    400: N_("The request could not be understood."),
    401: N_("Sign in to continue."),
    403: N_("You are not allowed to do this."),
    404: N_("There is nothing at this address."),
    405: N_("This address does not accept that method."),
    413: N_("The request is too large."),
    422: N_("Some of the data sent is not valid."),
    429: N_("Too many requests. Wait a moment and try again."),
    500: N_("Something went wrong on our side. Nothing was changed; try again."),
}
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "payload_too_large", 422: "unprocessable",
              429: "too_many_requests", 500: "internal_error"}


def wants_json(request: Request) -> bool:
    if request.url.path.startswith(JSON_PREFIXES):
        return True
    accept = request.headers.get("accept", "")
    return "text/html" not in accept and "application/json" in accept


def error_response(
    request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    if wants_json(request):
        body = {**body, "request_id": request.scope["state"]["context"].request_id}
        return JSONResponse(body, status_code=status, headers=headers)
    response = render(request, "error.html", {"status": status, "message": body["detail"]},
                      status=status)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _record_denial(request: Request, error: QudaoError) -> None:
    """Authorization failures are audited in a transaction of their own: the request's
    own transaction is rolled back. It is ended first, because on SQLite it may hold the
    write lock that the audit's transaction would otherwise wait for until it timed out."""
    state = request.scope["state"]
    uow = state.get(UOW_KEY)
    if isinstance(uow, RequestUnitOfWork):
        if uow.commit_on_error:
            # This request's transaction is kept even though it fails: audit within it.
            _write_denial(uow.session, request, error)
            return
        uow.release()
    with request.app.state.db.unit_of_work() as session:
        set_context(session, state["context"])
        _write_denial(session, request, error)


def _write_denial(session: Session, request: Request, error: QudaoError) -> None:
    subject = request.scope["state"].get("subject")
    audit.record(session, action="authz.denied", target_type="route",
                 target_id=f"{request.method} {request.url.path}"[:60],
                 partner_id=getattr(subject, "partner_id", None), result="denied",
                 reason=error.render("en"))


def install(app: FastAPI) -> None:
    @app.exception_handler(QudaoError)
    async def domain_error(request: Request, error: QudaoError) -> Response:
        headers: dict[str, str] = dict(error.headers)
        if isinstance(error, TooManyRequests):
            headers["Retry-After"] = str(error.retry_after)
        if error.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        if error.status == 401 and not wants_json(request):
            query = f"?{request.url.query}" if request.url.query else ""
            target = quote(request.url.path + query)
            return RedirectResponse(f"/login?next={target}", status_code=303)
        if isinstance(error, Forbidden):
            try:
                # Database work stays off the event loop.
                await run_in_threadpool(_record_denial, request, error)
            except Exception:
                log.exception("could not audit a denied request")
        return error_response(request, error.status, error.body(request_locale(request)),
                              headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        locale = request_locale(request)
        fields = [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]) or None,
             "message": e.get("msg", "")}
            for e in error.errors()
        ]
        # The partner API answers a bad parameter with 400, as its published contract says.
        status = 400 if request.url.path in BAD_REQUEST_PATHS else 422
        detail = translate(locale, HTTP_MESSAGES[status])
        if fields:
            first = fields[0]
            detail = f"{detail} {first['field'] or ''}: {first['message']}".strip()
        return error_response(request, status, {"error": HTTP_CODES[status], "detail": detail,
                                             "fields": fields})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        status = error.status_code
        message = HTTP_MESSAGES.get(status)
        detail = translate(request_locale(request), message) if message else str(error.detail)
        return error_response(request, status, {"error": HTTP_CODES.get(status, "error"),
                                                "detail": detail},
                              dict(error.headers or {}))

    app.add_exception_handler(Exception, unexpected)


async def unexpected(request: Request, error: Exception) -> Response:
    state = request.scope.setdefault("state", {})
    # Called twice for one error (CatchAllMiddleware, then Starlette's outer catch-all).
    if not state.get("error_logged"):
        state["error_logged"] = True
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return error_response(request, 500, {
        "error": "internal_error",
        "detail": translate(request_locale(request), HTTP_MESSAGES[500]),
    })


class CatchAllMiddleware:
    """Answers an unhandled exception with the 500 above from inside the middleware that
    adds the request id and the security headers: Starlette's own catch-all sits outside
    them, so its answer would carry neither. The exception is raised again afterwards, so
    that the server (and a test client) still sees it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            if not started:
                response = await unexpected(Request(scope, receive), error)
                await response(scope, receive, send)
            raise
