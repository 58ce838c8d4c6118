"""A partner's dashboard as a page and as CSV, for the portal (the partner's own) and for
staff (any partner's): the same figures, the same template, in the reader's language.

Every chart has a table twin and a CSV route. Both are built from one grid per chart, so
the CSV holds exactly the table's rows: the table shows them formatted for the reader, the
CSV plainly (months as YYYY-MM, amounts in the currency's units, percentages as numbers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from babel.dates import format_date, format_skeleton
from fastapi import Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.commissions import statements
from qudao.core.i18n import N_, LocaleCode, Translator
from qudao.core.money import from_minor
from qudao.core.tabular import Cell, write_csv
from qudao.dashboards import partner as figures
from qudao.dashboards.present import whole
from qudao.dashboards.revenue import MonthRevenue, StageTotal, deals_by_stage, monthly_revenue
from qudao.dashboards.window import DEFAULT_MONTHS, Window, parse_window_params, window_for
from qudao.deals.service import STAGE_LABELS
from qudao.partners.models import Partner
from qudao.referrals.funnel import Funnel
from qudao.web.referral_views import funnel_chart

Chart = Literal["revenue", "stages", "kpis", "funnel"]
CHARTS: tuple[Chart, ...] = ("revenue", "stages", "kpis", "funnel")
# The lengths offered in the window selector; any other from 1 to 60 may be typed in the URL.
MONTH_CHOICES = (3, 6, 12, 24, 36)
CSV_TYPE = "text/csv; charset=utf-8"
# The query of the page and its CSVs: ?program_id=&end=YYYY-MM&months=N
ProgramParam = Annotated[int | None, Query(ge=1, le=2**62)]
MonthParam = Annotated[str | None, Query(max_length=20)]
# The columns of each chart's table and CSV.
HEADERS: dict[Chart, tuple[str, ...]] = {
    "revenue": (N_("Month"), N_("Sales"), N_("Refunds"), N_("Channel revenue")),
    "stages": (N_("Stage"), N_("Deals"), N_("Amount")),
    "kpis": (N_("KPI"), N_("Period"), N_("From"), N_("To"), N_("Target"), N_("Actual"),
             N_("Attainment"), N_("Status")),
    "funnel": (N_("Step"), N_("Count"), N_("From the step before")),
}


@dataclass(frozen=True, slots=True)
class Amount:
    """A table cell that is an amount: money in ``currency``, or a count without one."""

    value: Decimal
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class Month:
    first_day: date


@dataclass(frozen=True, slots=True)
class Percent:
    value: Decimal | None


TableCell = str | int | date | Amount | Month | Percent | None


@dataclass(frozen=True, slots=True)
class Grid:
    """A chart's numbers: headers (message ids) and rows of typed cells."""

    headers: tuple[str, ...]
    rows: list[list[TableCell]]

    def table(self, t: Translator) -> dict[str, Any]:
        """As the charts macro's table: every cell text formatted for the reader."""
        return {"headers": [t.gettext(h) for h in self.headers],
                "rows": [[shown(cell, t) for cell in row] for row in self.rows]}

    def csv(self, locale: LocaleCode) -> bytes:
        t = Translator(locale)
        return write_csv([t.gettext(h) for h in self.headers],
                         [[plain(cell) for cell in row] for row in self.rows])


def month_label(month: date, t: Translator) -> str:
    """"Jan 2011" / "2011年1月"."""
    return format_skeleton("yMMM", month, locale=t.babel_locale)


def long_month(month: date, t: Translator) -> str:
    return format_skeleton("yMMMM", month, locale=t.babel_locale)


def shown(cell: TableCell, t: Translator) -> str:
    if cell is None:
        return "—"
    if isinstance(cell, Amount):
        return t.money(cell.value, cell.currency) if cell.currency else t.number(cell.value)
    if isinstance(cell, Month):
        return month_label(cell.first_day, t)
    if isinstance(cell, Percent):
        return "—" if cell.value is None else f"{t.number(cell.value)}%"
    if isinstance(cell, date):
        return format_date(cell, "medium", locale=t.babel_locale)
    if isinstance(cell, int):
        return t.number(cell)
    return cell


def plain(cell: TableCell) -> Cell:
    if isinstance(cell, Amount):
        return format(cell.value, "f")
    if isinstance(cell, Month):
        return cell.first_day.strftime("%Y-%m")
    if isinstance(cell, Percent):
        return None if cell.value is None else format(cell.value, "f")
    if isinstance(cell, date):
        return cell.isoformat()
    return cell


# -- the grids ----------------------------------------------------------------------------


def _money(minor: int, currency: str) -> Amount:
    return Amount(from_minor(minor, currency), currency)


def revenue_grid(revenue: list[MonthRevenue], currency: str, t: Translator) -> Grid:
    return Grid(HEADERS["revenue"],
                [[Month(m.month), _money(m.sales_minor, currency),
                  _money(m.refunds_minor, currency), _money(m.net_minor, currency)]
                 for m in revenue])


def stages_grid(stages: list[StageTotal], currency: str, t: Translator) -> Grid:
    return Grid(HEADERS["stages"],
                [[t.gettext(STAGE_LABELS.get(s.stage, s.stage)), s.count,
                  _money(s.amount_minor, currency)] for s in stages])


def kpi_grid(kpis: list[figures.KpiFigure], currency: str, t: Translator) -> Grid:
    rows: list[list[TableCell]] = []
    for k in kpis:
        unit = currency if k.money else None
        rows.append([t.gettext(k.label), t.gettext(k.period_label), k.first, k.last,
                     Amount(k.target, unit), Amount(k.actual, unit), Percent(k.percent),
                     t.gettext(figures.KPI_STATUSES[k.status])])
    return Grid(HEADERS["kpis"], rows)


def funnel_grid(found: Funnel, t: Translator) -> Grid:
    return Grid(HEADERS["funnel"],
                [[t.gettext(s.label), s.count, None if s.rate is None else Percent(s.rate)]
                 for s in found.steps])


# -- the charts ---------------------------------------------------------------------------


def revenue_spec(revenue: list[MonthRevenue], currency: str, t: Translator) -> dict[str, Any]:
    def series(name: str, minor: list[int]) -> dict[str, Any]:
        return {"name": t.gettext(name),
                "data": [format(from_minor(v, currency), "f") for v in minor]}

    return {"type": "bar", "x": "category",
            "categories": [month_label(m.month, t) for m in revenue],
            "series": [series(N_("Sales"), [m.sales_minor for m in revenue]),
                       series(N_("Refunds"), [m.refunds_minor for m in revenue]),
                       series(N_("Channel revenue"), [m.net_minor for m in revenue])],
            "format": {"style": "currency", "currency": currency}, "height": 320}


def stages_spec(stages: list[StageTotal], t: Translator) -> dict[str, Any]:
    return {"type": "bar", "x": "category",
            "categories": [t.gettext(STAGE_LABELS.get(s.stage, s.stage)) for s in stages],
            "series": [{"name": t.gettext(N_("Deals")), "data": [s.count for s in stages]}],
            "format": {"style": "decimal", "digits": 0}, "height": 260}


# -- loading and the page -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class View:
    """What a request asks for: the partner, its programs, and when it takes part in one,
    the chosen program and window."""

    partner: Partner
    programs: list[figures.ProgramChoice]
    program: figures.ProgramChoice | None
    window: Window | None
    months: int


@dataclass(frozen=True, slots=True)
class Loaded:
    """The view and, when the partner has a program, its dashboard."""

    view: View
    board: figures.PartnerDashboard | None


def choose(session: Session, subject: AuthSubject, partner_id: int, *, program_id: int | None,
           end: str | None, months: str | None) -> View:
    """The view the query asks for. A bad ``end`` or ``months`` is a 400 that says what to
    send; a program the partner has no part in is a 404."""
    end_month, count = parse_window_params(end, months)
    partner = figures.partner_of(session, subject, partner_id)
    programs = figures.programs_of(session, subject, partner.id)
    program = figures.choose_program(programs, program_id)
    if program is None:
        return View(partner, programs, None, None, count)
    window = window_for(session, program.id, end=end_month, months=count)
    return View(partner, programs, program, window, count)


def load(session: Session, subject: AuthSubject, partner_id: int, *, program_id: int | None,
         end: str | None, months: str | None) -> Loaded:
    view = choose(session, subject, partner_id, program_id=program_id, end=end, months=months)
    if view.program is None or view.window is None:
        return Loaded(view, None)
    return Loaded(view, figures.partner_dashboard(session, subject, view.partner.id,
                                                  view.program, view.window))


def query_of(board: figures.PartnerDashboard) -> str:
    """The query that names this very view: CSVs read the same window as the page."""
    window: Window = board.window
    return urlencode({"program_id": board.program.id,
                      "end": window.last_month.strftime("%Y-%m"),
                      "months": len(window.months)})


def page_context(loaded: Loaded, locale: LocaleCode, base: str, *,
                 staff: bool = False) -> dict[str, Any]:
    """The template's context; ``base`` is the page's address, in the portal or, for
    ``staff``, under the staff partner page."""
    t = Translator(locale)
    board = loaded.board
    partner_id = loaded.view.partner.id
    context: dict[str, Any] = {
        "staff_view": staff,
        "commissions_url": f"/commissions?partner_id={partner_id}" if staff
        else "/portal/commissions",
        "statement_base": "/commissions/statements/" if staff else "/portal/commissions/",
        "partner": loaded.view.partner, "programs": loaded.view.programs, "board": board,
        "base": base, "month_choices": sorted({*MONTH_CHOICES, loaded.view.months}),
        "chosen_months": loaded.view.months, "default_months": DEFAULT_MONTHS,
        "money": lambda minor, currency: t.money(from_minor(minor, currency), currency),
        # Tiles show whole units (the exact amount is in the tile's title).
        "whole": lambda minor, currency: whole(t, minor, currency),
        "state_labels": statements.STATE_LABELS,
        "status_labels": figures.KPI_STATUSES,
    }
    if board is None:
        return context
    query = query_of(board)
    currency = board.program.currency
    kpi_table = kpi_grid(board.kpis, currency, t).table(t)
    context.update({
        "as_of": long_month(board.window.last_month, t),
        "first_month": long_month(board.window.first_month, t),
        "end_value": board.window.last_month.strftime("%Y-%m"),
        "csv": {chart: f"{base}/{chart}.csv?{query}" for chart in CHARTS},
        "revenue_chart": {"spec": revenue_spec(board.revenue, currency, t),
                          "table": revenue_grid(board.revenue, currency, t).table(t)},
        "stages_chart": {"spec": stages_spec(board.stages, t),
                         "table": stages_grid(board.stages, currency, t).table(t)},
        "kpi_table": kpi_table,
        "kpi_rows": list(zip(board.kpis, kpi_table["rows"], strict=True)),
        "funnel_chart": funnel_chart(board.funnel.funnel, locale),
        "payable": next((b.payable_minor for b in board.commissions.balances
                         if b.currency == board.program.currency), None),
    })
    return context


def chart_grid(session: Session, subject: AuthSubject, view: View, chart: Chart,
               t: Translator) -> Grid:
    """One chart's grid, reading only the figures it needs."""
    if view.program is None or view.window is None:
        return Grid(HEADERS[chart], [])
    partner_id, program, window = view.partner.id, view.program, view.window
    if chart == "revenue":
        return revenue_grid(monthly_revenue(session, program.id, window, partner_id=partner_id),
                            program.currency, t)
    if chart == "stages":
        return stages_grid(deals_by_stage(session, program.id, window, partner_id=partner_id),
                           program.currency, t)
    if chart == "kpis":
        return kpi_grid(figures.kpi_figures(session, partner_id, program, window),
                        program.currency, t)
    found = figures.funnel_figures(session, subject, partner_id, window)
    return funnel_grid(found.funnel, t)


def csv_download(session: Session, subject: AuthSubject, view: View, chart: Chart,
                 locale: LocaleCode) -> Response:
    """The chart's table as CSV; a partner without any program gets the headers only."""
    body = chart_grid(session, subject, view, chart, Translator(locale)).csv(locale)
    month = f"-{view.window.last_month.strftime('%Y-%m')}" if view.window else ""
    name = f"qudao-dashboard-{view.partner.id}-{chart}{month}.csv"
    return Response(body, media_type=CSV_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
