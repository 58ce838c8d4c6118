"""JSON API of the staff dashboard: the same figures as the overview page, for staff only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from qudao.core.errors import NotFound
from qudao.core.i18n import N_, Translator
from qudao.dashboards.present import dashboard_out
from qudao.dashboards.schemas import StaffDashboardOut
from qudao.dashboards.staff import dashboard_for
from qudao.http.auth import DbSession, Staff
from qudao.http.locale import RequestLocale

router = APIRouter(tags=["dashboard"])
# Read as text: a bad value gets a 400 that says what to send, not a generic 422.
Param = Annotated[str | None, Query(max_length=40)]


@router.get("/dashboard", summary="The channel's KPI dashboard for a program and a window",
            responses={400: {"description": "A bad program_id, end or months"}})
def staff_dashboard(
    subject: Staff, session: DbSession, locale: RequestLocale,
    program_id: Param = None, end: Param = None, months: Param = None,
) -> StaffDashboardOut:
    """``end`` is the last month (YYYY-MM, default: the program's latest activity) and
    ``months`` the window's length (1-60, default 12); ``program_id`` defaults to the program
    with the most won deals."""
    found = dashboard_for(session, subject, program_id=program_id, end=end, months=months)
    if found is None:
        raise NotFound(N_("There is no program yet."))
    return dashboard_out(found, Translator(locale))
