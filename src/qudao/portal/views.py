"""Partner portal pages: every query is scoped to the signed-in user's partner."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qudao.accounts import repository as accounts
from qudao.http.auth import DbSession, PagePartner
from qudao.http.templates import render
from qudao.partners import repository as partners

router = APIRouter(prefix="/portal", include_in_schema=False)


@router.get("")
def company(request: Request, subject: PagePartner, session: DbSession) -> Response:
    assert subject.partner_id is not None
    partner = partners.get(session, subject, subject.partner_id)
    users, _ = accounts.list_users(session, subject, partner_id=None, limit=100, offset=0)
    return render(request, "portal/company.html", {"partner": partner, "users": users})
