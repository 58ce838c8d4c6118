"""Request id, security headers and body limits: plain ASGI middleware."""

from __future__ import annotations

import contextlib
import re

import orjson
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qudao.core.context import RequestContext, new_request_id
from qudao.core.i18n import DEFAULT_LOCALE, N_, negotiate, translate

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def security_headers(*, production: bool, html: bool, static: bool) -> list[tuple[str, str]]:
    """The headers every response carries (a response's own value of one wins)."""
    headers = [("x-content-type-options", "nosniff"), ("referrer-policy", "same-origin"),
               ("x-frame-options", "DENY")]
    if not static:
        headers.append(("cache-control", "no-store"))
    if html:
        headers.append(("content-security-policy", CSP))
    if production:
        headers.append(("strict-transport-security", "max-age=63072000; includeSubDomains"))
    return headers


def request_id_of(headers: Headers) -> str:
    """A sane incoming X-Request-ID is kept; otherwise a new one."""
    incoming = headers.get("x-request-id", "")
    return incoming if REQUEST_ID.match(incoming) else new_request_id()


class RequestContextMiddleware:
    """Gives every request an id (a sane incoming X-Request-ID is kept) and echoes it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        context = RequestContext(
            request_id=request_id_of(headers),
            ip=(scope.get("client") or (None,))[0],
            user_agent=(headers.get("user-agent") or "")[:300] or None,
        )
        scope.setdefault("state", {})["context"] = context

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["x-request-id"] = context.request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                html = headers.get("content-type", "").startswith("text/html")
                for name, value in security_headers(production=self.production, html=html,
                                                    static=static):
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Refuses bodies over the limit with 413 before the application reads them.

    Uploads (multipart) get their own, larger limit where the upload is handled."""

    def __init__(self, app: ASGIApp, *, max_json: int, max_upload: int) -> None:
        self.app = app
        self.max_json = max_json
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        is_upload = headers.get("content-type", "").startswith("multipart/form-data")
        limit = self.max_upload if is_upload else self.max_json
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit, headers)
            return
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge(limit)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            # FastAPI turns an error raised while it reads the body into its own 400; the
            # answer to a body over the limit is the 413 below, whatever the app made of it.
            if exceeded and not started:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, limited_receive, guarded_send)
        if exceeded and not started:
            await _too_large(send, limit, headers)


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


TOO_LARGE = N_("The request body is larger than %(kib)s KiB. Send less data at once.")


async def _too_large(send: Send, limit: int, headers: Headers) -> None:
    locale = negotiate(headers.get("accept-language")) or DEFAULT_LOCALE
    body = orjson.dumps({
        "error": "payload_too_large",
        "detail": translate(locale, TOO_LARGE, kib=limit // 1024),
    })
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
    ]})
    await send({"type": "http.response.body", "body": body})
