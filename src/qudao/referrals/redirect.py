"""The public referral redirect /r/{code}.

A click records a visit and sends the browser on to the link's landing URL with ``ref``
and ``vid`` added, so that the company's site can report the visitor's next steps through
the API. The visitor keeps a first-party cookie for the attribution window, so that a
second click is the same visitor.

This GET writes (the visit), which is the point of a tracking link. The visit is written
in the request's own transaction, committed before the redirect goes out: a visit that
could not be kept answers 500 instead of a redirect that was never counted."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response

from qudao.http.auth import DbSession, PagePublic, settings_of, uow_of
from qudao.referrals import links, service

router = APIRouter(include_in_schema=False)
VISITOR_COOKIE = "qudao_vid"
VISITOR_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def writing_request(request: Request) -> None:
    """Turns this GET's unit of work into a writing one. It must run before anything opens
    the session (it is the route's first dependency): GETs otherwise get a read-only
    transaction that is never committed."""
    uow = uow_of(request)
    if uow.session_open:
        raise RuntimeError("the unit of work was opened before it could be made writable")
    uow.read_only = False


Writable = Annotated[None, Depends(writing_request)]


@router.get("/r/{code}")
def follow_referral(
    request: Request, _writable: Writable, subject: PagePublic, session: DbSession,
    code: Annotated[str, Path(max_length=64)],
) -> Response:
    settings = settings_of(request)
    known = request.cookies.get(VISITOR_COOKIE, "")
    visitor_id = known if VISITOR_ID.match(known) else service.new_visitor_id()
    link, _visit = service.follow(session, code, visitor_id)
    days = service.attribution_days(session)
    response = RedirectResponse(links.landing_with(link.landing_url, link.code, visitor_id),
                                status_code=302)
    if visitor_id != known:
        response.set_cookie(VISITOR_COOKIE, visitor_id, max_age=days * 86_400, httponly=True,
                            samesite="lax", secure=settings.is_production, path="/")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
