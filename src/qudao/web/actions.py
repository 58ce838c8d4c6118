"""One form of a page with many forms (a candidate, a deal, an agreement): check the post,
let the service act, then redirect with a notice, or draw the page again with this form's
values and messages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from qudao.core.errors import NotFound, QudaoError
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import see_other
from qudao.web.forms import FormInvalid, FormState, failure

FORM_ERRORS = (QudaoError, ValidationError, FormInvalid)


async def form_action(
    request: Request, session: Session, *,
    act: Callable[[FormData], object], inputs: Iterable[str],
    redraw: Callable[[FormState, FormData], Response], done: str, flash: str,
    renames: Mapping[str, str] | None = None,
    locate: Callable[[tuple[int | str, ...]], str] | None = None,
) -> Response:
    """``act`` the posted form; on a form error, ``redraw`` the page with the failed form's
    state, else see ``done`` with the notice ``flash``. ``renames`` and ``locate`` are
    those of ``failure``."""
    form = await checked_form(request)
    try:
        act(form)
    except FORM_ERRORS as error:
        if isinstance(error, NotFound):
            # No such row: there is no form on the page to explain it at.
            raise
        state = failure(error, request_locale(request), form, inputs, fields=renames,
                        locate=locate)
        # A refused change may have touched the loaded rows: the page shows what is stored.
        session.rollback()
        return redraw(state, form)
    return see_other(request, done, flash=flash)
