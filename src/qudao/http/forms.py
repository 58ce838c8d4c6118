"""Form handling shared by staff pages and the portal: CSRF and origin checks."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from starlette.datastructures import FormData

from qudao.core.errors import Forbidden
from qudao.core.i18n import N_
from qudao.http.templates import csrf_valid

CSRF_FIELD = "csrf_token"
BAD_TOKEN = N_("This form has expired or did not come from this site. Reload the page and "
               "try again.")


def same_origin(request: Request) -> bool:
    """Defence in depth next to the token: a browser's cross-site POST says where it is from."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin != "null"
    parts = urlsplit(origin)
    return parts.netloc == request.headers.get("host", request.url.netloc)


async def checked_form(request: Request) -> FormData:
    """The posted form, after its CSRF token and origin have been checked."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    if not same_origin(request) or not csrf_valid(request, token if isinstance(token, str)
                                                  else None):
        raise Forbidden(BAD_TOKEN)
    return form


def text(form: FormData, name: str, limit: int = 1000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""
