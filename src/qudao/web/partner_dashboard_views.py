"""Staff read a partner's dashboard exactly as the partner sees it in the portal (the same
template, in the staff layout), and the staff partner page links to it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core.i18n import LocaleCode
from qudao.dashboards.partner import programs_of
from qudao.http.auth import DbSession, PageStaff
from qudao.http.locale import request_locale
from qudao.http.templates import render
from qudao.partners.models import Partner
from qudao.web import partner_dashboard as dashboard
from qudao.web import partner_sections
from qudao.web.partner_dashboard import Chart, MonthParam, ProgramParam

router = APIRouter(include_in_schema=False)


def _base(partner_id: int) -> str:
    return f"/partners/{partner_id}/dashboard"


@router.get("/partners/{partner_id}/dashboard")
def partner_dashboard(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int,
    program_id: ProgramParam = None, end: MonthParam = None, months: MonthParam = None,
) -> Response:
    loaded = dashboard.load(session, subject, partner_id, program_id=program_id, end=end,
                            months=months)
    return render(request, "portal/dashboard.html", dashboard.page_context(
        loaded, request_locale(request), _base(partner_id), staff=True))


@router.get("/partners/{partner_id}/dashboard/{chart}.csv")
def partner_dashboard_csv(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int, chart: Chart,
    program_id: ProgramParam = None, end: MonthParam = None, months: MonthParam = None,
) -> Response:
    view = dashboard.choose(session, subject, partner_id, program_id=program_id, end=end,
                            months=months)
    return dashboard.csv_download(session, subject, view, chart, request_locale(request))


@partner_sections.register
def dashboard_section(
    session: Session, subject: AuthSubject, partner: Partner, locale: LocaleCode
) -> partner_sections.Section | None:
    """A link to the partner's dashboard, once it takes part in a program."""
    if not programs_of(session, subject, partner.id):
        return None
    return partner_sections.Section("partners/_dashboard_link.html",
                                    {"href": _base(partner.id)}, column="side")
