"""The partner's own API traffic: calls per day, users served, products recommended."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qudao.http.auth import DbSession, PagePartner
from qudao.http.templates import render
from qudao.recommendations.usage import usage

router = APIRouter()
PERIOD_DAYS = 30


@router.get("/api-usage")
def api_usage(request: Request, subject: PagePartner, session: DbSession) -> Response:
    assert subject.partner_id is not None
    found = usage(session, subject, subject.partner_id, PERIOD_DAYS)
    peak = max((d.calls for d in found.days), default=0)
    return render(request, "portal/usage.html", {
        "usage": found, "peak": peak,
        "window_days": request.app.state.settings.attribution_window_days})
