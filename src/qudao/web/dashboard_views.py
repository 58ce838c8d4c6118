"""The staff dashboard on the overview page: program and window selectors, KPI tiles, the
concentration alert and the charts, each chart with its table twin and a CSV download of
the same rows."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import NotFound
from qudao.core.i18n import N_, LocaleCode, Translator
from qudao.core.money import from_minor
from qudao.dashboards import present
from qudao.dashboards.present import CHART_KEYS, month_label, whole
from qudao.dashboards.staff import StaffDashboard, dashboard_for
from qudao.dashboards.window import WindowParamError
from qudao.http.auth import DbSession, PageStaff
from qudao.http.locale import request_locale
from qudao.programs import repository as programs
from qudao.web.partner_views import download
from qudao.web.program_page_views import program_query

router = APIRouter(include_in_schema=False)

MONTH_CHOICES = (3, 6, 12, 18, 24, 36)
Param = Annotated[str | None, Query(max_length=40)]


def query_of(dashboard: StaffDashboard) -> str:
    """The selection as a query string, so that links and downloads show the same window."""
    window = dashboard.window
    return urlencode({"program_id": dashboard.program.id,
                      "end": window.last_month.strftime("%Y-%m"),
                      "months": len(window.months)})


def _selection(session: Session, subject: AuthSubject, program_id: str | None,
               end: str | None, months: str | None,
               ) -> tuple[StaffDashboard | None, WindowParamError | None]:
    """The asked-for dashboard, or the default one with the error when a parameter is bad."""
    try:
        return dashboard_for(session, subject, program_id=program_id, end=end,
                             months=months), None
    except WindowParamError as error:
        return dashboard_for(session, subject, program_id=None, end=None,
                             months=None), error


def _month_options(current: int, t: Translator) -> list[tuple[str, str]]:
    counts = sorted({*MONTH_CHOICES, current})
    return [(str(n), t.ngettext("%(num)s month", "%(num)s months", n)) for n in counts]


def _alert_text(dashboard: StaffDashboard, t: Translator) -> str | None:
    c = dashboard.concentration
    if not c.alert or c.largest is None:
        return None
    return t.gettext(N_("%(partner)s brings %(share)s of the channel revenue in this window, "
                        "above the alert threshold of %(pct)s%%."),
                     partner=c.largest.name, share=t.percent(c.largest.shown(3) / 100),
                     pct=c.threshold_pct)


def dashboard_context(request: Request, session: Session, subject: AuthSubject, *,
                      program_id: str | None, end: str | None, months: str | None,
                      ) -> tuple[dict[str, Any], int]:
    """What home.html needs for the dashboard, and the page's status (400 for a bad
    parameter: the page then shows the default selection and says what to change)."""
    locale = request_locale(request)
    t = Translator(locale)
    dashboard, error = _selection(session, subject, program_id, end, months)
    context: dict[str, Any] = {
        "dashboard": dashboard, "dashboard_error": error.render(locale) if error else None,
        "dashboard_programs": [(str(p.id), p.name)
                               for p in programs.list_programs(session, subject)],
    }
    if dashboard is None:
        return context, 400 if error else 200
    cur = dashboard.currency
    query = query_of(dashboard)
    charts = present.charts(dashboard, t)
    c = dashboard.commission
    context.update({
        "dashboard_query": query,
        "as_of": month_label(t, dashboard.window.last_month),
        "first_month": month_label(t, dashboard.window.first_month),
        "end_value": dashboard.window.last_month.strftime("%Y-%m"),
        "months_value": str(len(dashboard.window.months)),
        "month_options": _month_options(len(dashboard.window.months), t),
        "tiles": {
            "channel": whole(t, dashboard.channel_minor, cur),
            "channel_exact": t.money(from_minor(dashboard.channel_minor, cur), cur),
            "direct": t.money(from_minor(dashboard.direct_minor, cur), cur),
            "payable": whole(t, c.payable_minor, cur),
            "approved": t.money(from_minor(c.approved_minor, cur), cur),
            "draft": t.money(from_minor(c.draft_minor, cur), cur),
        },
        "concentration_alert": _alert_text(dashboard, t),
        "settings_url": "/program/settings" + program_query(dashboard.program, session),
        "dashboard_charts": [{"id": f"dashboard-{key}", "title": chart.title, "spec": chart.spec,
                    "table": chart.table(t, cur), "note": chart.note,
                    "csv_url": f"/dashboard/{key}.csv?{query}", "key": key}
                   for key, chart in charts.items()],
    })
    return context, 400 if error else 200


@router.get("/dashboard/{chart}.csv")
def chart_csv(
    request: Request, subject: PageStaff, session: DbSession, chart: str,
    program_id: Param = None, end: Param = None, months: Param = None,
) -> Response:
    """A chart's rows as CSV: the same rows as its table, with plain numbers."""
    if chart not in CHART_KEYS:
        raise NotFound(N_("There is no chart %(chart)s."), chart=chart[:40])
    locale: LocaleCode = request_locale(request)
    dashboard = dashboard_for(session, subject, program_id=program_id, end=end, months=months)
    if dashboard is None:
        raise NotFound(N_("There is no program yet."))
    found = present.BUILDERS[chart](dashboard, Translator(locale))
    window = dashboard.window
    name = (f"qudao-{chart}-{dashboard.program.id}-{window.first_month:%Y-%m}-"
            f"{window.last_month:%Y-%m}.csv")
    return download(found.csv(Translator(locale)), "text/csv; charset=utf-8", name)
