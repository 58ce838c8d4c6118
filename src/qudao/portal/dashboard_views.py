"""The partner's dashboard in the portal: its revenue, deals, commissions, KPIs, funnel and
share of the program, for a program and a window of months, with a CSV of every chart.

The partner is always the signed-in user's own: the routes take no partner id, so a
``?partner_id=`` in the address changes nothing."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qudao.core.errors import NotFound
from qudao.core.i18n import N_
from qudao.http.auth import DbSession, PagePartner
from qudao.http.locale import request_locale
from qudao.http.templates import render
from qudao.web import partner_dashboard as dashboard
from qudao.web.partner_dashboard import Chart, MonthParam, ProgramParam

router = APIRouter()
BASE = "/portal/dashboard"


def _own(partner_id: int | None) -> int:
    if partner_id is None:
        # A partner page always has a partner; this only keeps the type honest.
        raise NotFound(N_("Partner %(id)s was not found."), id=0)
    return partner_id


@router.get("/dashboard")
def my_dashboard(
    request: Request, subject: PagePartner, session: DbSession,
    program_id: ProgramParam = None, end: MonthParam = None, months: MonthParam = None,
) -> Response:
    loaded = dashboard.load(session, subject, _own(subject.partner_id), program_id=program_id,
                            end=end, months=months)
    return render(request, "portal/dashboard.html",
                  dashboard.page_context(loaded, request_locale(request), BASE))


@router.get("/dashboard/{chart}.csv")
def my_dashboard_csv(
    request: Request, subject: PagePartner, session: DbSession, chart: Chart,
    program_id: ProgramParam = None, end: MonthParam = None, months: MonthParam = None,
) -> Response:
    """A chart's table as CSV, for the same program and window as the page."""
    view = dashboard.choose(session, subject, _own(subject.partner_id), program_id=program_id,
                            end=end, months=months)
    return dashboard.csv_download(session, subject, view, chart, request_locale(request))
