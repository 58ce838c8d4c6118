"""Domain errors. Each carries its HTTP status; every surface renders it for its reader.

Messages are English gettext ids with ``%(name)s`` placeholders, translated at the
surface into the reader's language.
"""

from __future__ import annotations

from typing import Any, ClassVar

from qudao.core.i18n import LocaleCode, translate


class QudaoError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, message: str, /, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params
        # Structured detail for the JSON body, e.g. an import's report of every bad row.
        self.extra: dict[str, Any] = {}
        # Response headers the error needs, e.g. the RateLimit headers of a 429.
        self.headers: dict[str, str] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        # Whatever a subclass's __init__ takes, the error comes back whole from a pickle
        # (e.g. raised in a child process and raised again in its parent).
        return _rebuilt, (type(self), self.args, self.__dict__)

    def render(self, locale: LocaleCode) -> str:
        return translate(locale, self.message, **self.params)

    def body(self, locale: LocaleCode) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "detail": self.render(locale)}
        if self.field:
            body["field"] = self.field
        body.update(self.extra)
        return body


class BadRequest(QudaoError):
    status = 400
    code = "bad_request"


class Unauthorized(QudaoError):
    status = 401
    code = "unauthorized"


class Forbidden(QudaoError):
    status = 403
    code = "forbidden"


class NotFound(QudaoError):
    status = 404
    code = "not_found"


class Conflict(QudaoError):
    status = 409
    code = "conflict"


class Unprocessable(QudaoError):
    status = 422
    code = "unprocessable"


class TooManyRequests(QudaoError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, /, *, retry_after: int, **params: Any) -> None:
        super().__init__(message, **params)
        self.retry_after = max(1, retry_after)


def _rebuilt(cls: type[QudaoError], args: tuple[Any, ...], state: dict[str, Any]) -> QudaoError:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error
