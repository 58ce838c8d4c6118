"""Staff pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qudao.http.auth import DbSession, PageStaff
from qudao.http.templates import render
from qudao.partners import repository as partners
from qudao.web.session_views import router as session_router

router = APIRouter(include_in_schema=False)
router.include_router(session_router)


@router.get("/")
def home(request: Request, subject: PageStaff, session: DbSession) -> Response:
    rows, total = partners.search(session, subject, q=None, limit=10, offset=0)
    return render(request, "home.html", {"partners": rows, "partner_total": total})
