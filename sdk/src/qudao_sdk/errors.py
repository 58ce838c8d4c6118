"""Errors that carry the HTTP status and the server's message."""

from __future__ import annotations

from datetime import datetime

import httpx


class QudaoError(Exception):
    """Any error answer of the API: ``status``, ``error`` code, ``detail`` message."""

    def __init__(self, status: int, error: str, detail: str, request_id: str | None = None):
        super().__init__(f"{status} {error}: {detail}")
        self.status = status
        self.error = error
        self.detail = detail
        self.request_id = request_id


class BadRequestError(QudaoError):
    """400 or 422: a parameter is missing or invalid."""


class AuthenticationError(QudaoError):
    """401: the key is missing, malformed, revoked or expired."""


class PermissionDeniedError(QudaoError):
    """403: the key may not do this."""


class NotFoundError(QudaoError):
    """404: there is nothing at this id for this key."""


class ConflictError(QudaoError):
    """409: the request conflicts with the current state."""


class CustomerProtectedError(ConflictError):
    """409 on a deal registration: another registration protects the customer until
    ``protected_until`` (who holds it is not said)."""

    def __init__(self, status: int, error: str, detail: str, request_id: str | None = None,
                 protected_until: datetime | None = None):
        super().__init__(status, error, detail, request_id)
        self.protected_until = protected_until


class RateLimitError(QudaoError):
    """429: over the key's quota; ``retry_after`` seconds to wait."""

    def __init__(self, status: int, error: str, detail: str, request_id: str | None = None,
                 retry_after: float | None = None):
        super().__init__(status, error, detail, request_id)
        self.retry_after = retry_after


class ServerError(QudaoError):
    """5xx: the server failed; retried automatically before this is raised."""


_BY_STATUS: dict[int, type[QudaoError]] = {
    400: BadRequestError, 401: AuthenticationError, 403: PermissionDeniedError,
    404: NotFoundError, 409: ConflictError, 422: BadRequestError,
}


def from_response(response: httpx.Response) -> QudaoError:
    body: dict[str, object] = {}
    request_id: str | None
    try:
        body = response.json()
        error, detail = str(body.get("error", "error")), str(body.get("detail", response.text))
        found = body.get("request_id")
        request_id = None if found is None else str(found)
    except ValueError:
        error, detail, request_id = "error", response.text[:500], None
    status = response.status_code
    if status == 409 and error == "customer_protected":
        until = body.get("protected_until")
        return CustomerProtectedError(status, error, detail, request_id, datetime.fromisoformat(
            str(until)) if until else None)
    if status == 429:
        return RateLimitError(status, error, detail, request_id, retry_after(response))
    if status >= 500:
        return ServerError(status, error, detail, request_id)
    return _BY_STATUS.get(status, QudaoError)(status, error, detail, request_id)


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
