"""Staff pages of the commission tools: the exchange-rate table (add a rate, import a file),
imported sales and refunds (import a file, record a refund) and the what-if comparison of a
plan with other terms over past periods, which posts nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from qudao.accounts.subject import AuthSubject
from qudao.commissions import rates, transactions, whatif
from qudao.commissions.models import SalesTransaction
from qudao.core import clock
from qudao.core.errors import NotFound, QudaoError, Unprocessable
from qudao.core.i18n import N_, LocaleCode, Translator, translate
from qudao.core.money import from_minor
from qudao.core.tabular import (
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    Cell,
    ImportRejected,
    ImportReport,
    write_csv,
)
from qudao.deals import repository as deals
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.programs import plans
from qudao.programs.models import CommissionPlan
from qudao.web import plan_views
from qudao.web.actions import FORM_ERRORS
from qudao.web.choices import as_options, partner_choices, translated
from qudao.web.forms import (
    REQUIRED,
    FormInvalid,
    FormState,
    checkbox,
    failure,
    optional,
    optional_date,
    optional_int,
)
from qudao.web.paging import PageNumber, pager, with_total
from qudao.web.partner_views import download
from qudao.web.program_page_views import ProgramChoice, program_context, selected_program

router = APIRouter(include_in_schema=False)

RATE_ADDED = notice("rate.added", N_("The exchange rate was stored."))
REFUND_RECORDED = notice("sales.refund_recorded", N_("The refund was recorded. The next run "
                                                     "of its period claws the commission "
                                                     "back."))
CHOOSE_FILE = N_("Choose a .csv or .xlsx file to import.")
SALE_KINDS = {"sale": N_("Sale"), "refund": N_("Refund")}
RATE_SOURCES = {"manual": N_("Entered by hand"), "import": N_("Imported")}
RATE_INPUTS = ("rate_date", "base", "quote", "rate")
REFUND_INPUTS = ("deal_line_id", "transaction_id", "amount", "occurred_on", "reason")
# The services name some inputs otherwise than the forms do.
RATE_FIELDS = {"currency": "base"}
REFUND_FIELDS = {"date": "occurred_on"}
CURRENCY = Annotated[str | None, Query(max_length=3, pattern=r"^[A-Za-z]{0,3}$")]
SaleKind = Literal["", "sale", "refund"]
CHART_PARTNERS = 15
MONTHS_OFFERED = 12
PERIOD_SPLIT = re.compile(r"[\s,;，；]+")
WHATIF_INPUTS = ("plan", "kind", "flat_rate", "tier_mode", "boundary", "periods_text",
                 "tiers")
WHATIF_FIELDS = {"period": "periods_text", "periods": "periods_text"}
WHATIF_HEADERS = (N_("Partner"), N_("Volume"), N_("Current payout"), N_("Proposed payout"),
                  N_("Change"), N_("Margin now"), N_("Proposed margin"))


@dataclass
class Problem:
    row: int
    column: str | None
    reason: str


@dataclass
class ReportView:
    """An import's report as the imports.html macros read it, in the reader's language."""

    rows: int
    created: int
    ok: bool
    dry_run: bool
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len({p.row for p in self.errors})


def report_view(report: ImportReport, locale: LocaleCode, dry_run: bool) -> ReportView:
    return ReportView(report.rows, report.created, report.ok, dry_run,
                      [Problem(p.row, p.column, p.render(locale)) for p in report.errors],
                      [Problem(p.row, p.column, p.render(locale)) for p in report.warnings])


@dataclass
class Imported:
    """What an import post left for its page: the report, or the form's error."""

    report: ReportView | None = None
    form: FormState | None = None
    filename: str | None = None
    status: int = 200


async def run_import(request: Request, session: Session, subject: AuthSubject,
                     importer: str) -> Imported:
    """Import the posted file with ``rates`` or ``transactions``. "Check only" imports and
    then rolls back, so that the check finds exactly what the import would."""
    form = await checked_form(request)
    locale = request_locale(request)
    dry_run = checkbox(form, "check_only")
    filename: str | None = None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise FormInvalid("file", CHOOSE_FILE)
        filename = upload.filename
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if importer == "rates":
            report = rates.import_rates(session, subject, filename, data)
        else:
            report = transactions.import_transactions(session, subject, filename, data)
    except ImportRejected as rejected:
        session.rollback()
        return Imported(report_view(rejected.report, locale, dry_run), filename=filename,
                        status=rejected.status)
    except (QudaoError, FormInvalid) as error:
        session.rollback()
        state = failure(error, locale, form, ("file", "check_only"))
        return Imported(form=state, filename=filename, status=state.status)
    finally:
        await form.close()
    if dry_run:
        session.rollback()
    return Imported(report_view(report, locale, dry_run), filename=filename)


def _import_context(imported: Imported | None) -> dict[str, Any]:
    done = imported or Imported()
    return {"report": done.report, "filename": done.filename,
            "import_form": done.form or FormState(),
            "max_mib": MAX_UPLOAD_BYTES // (1024 * 1024), "max_rows": MAX_ROWS}


# Rates ---------------------------------------------------------------------------------

def _rates_page(
    request: Request, session: Session, subject: AuthSubject, *, page: int = 1,
    base: str | None = None, quote: str | None = None, form: FormState | None = None,
    imported: Imported | None = None,
) -> Response:
    base, quote = (base or "").upper() or None, (quote or "").upper() or None
    draft = pager("/commissions/rates", page, base=base, quote=quote)
    try:
        rows, total = rates.list_rates(session, subject, limit=draft.per_page,
                                       offset=draft.offset, base=base, quote=quote)
    except Unprocessable:
        # An unknown currency in the filter matches no rate.
        rows, total = [], 0
    state = form or FormState(values={"rate_date": clock.now().date().isoformat()})
    status = state.status if form else (imported.status if imported else 200)
    return render(request, "commissions/rates.html", {
        "rates": rows, "pager": with_total(draft, total), "base": base or "",
        "quote": quote or "", "filtering": bool(base or quote), "form": state,
        "source_labels": RATE_SOURCES, **_import_context(imported),
    }, status=status)


@router.get("/commissions/rates")
def rates_page(
    request: Request, subject: PageStaff, session: DbSession, page: PageNumber = 1,
    base: CURRENCY = None, quote: CURRENCY = None,
) -> Response:
    return _rates_page(request, session, subject, page=page, base=base, quote=quote)


@router.post("/commissions/rates")
async def add_rate(request: Request, subject: PageStaff, session: DbSession) -> Response:
    form = await checked_form(request)
    try:
        day = optional_date(form, "rate_date")
        if day is None:
            raise FormInvalid("rate_date", REQUIRED)
        rates.add_rate(session, subject, rate_date=day, base=optional(form, "base", 3) or "",
                       quote=optional(form, "quote", 3) or "", rate=optional(form, "rate", 40)
                       or "")
    except FORM_ERRORS as error:
        state = failure(error, request_locale(request), form, RATE_INPUTS, fields=RATE_FIELDS)
        session.rollback()
        return _rates_page(request, session, subject, form=state)
    return see_other(request, "/commissions/rates", flash=RATE_ADDED)


@router.post("/commissions/rates/import")
async def import_rates(request: Request, subject: PageStaff, session: DbSession) -> Response:
    imported = await run_import(request, session, subject, "rates")
    return _rates_page(request, session, subject, imported=imported)


# Sales and refunds ---------------------------------------------------------------------

def _refund_of(session: Session, rows: list[SalesTransaction]) -> dict[int, str]:
    """The external reference of each refunded sale on the page."""
    ids = {r.refund_of_id for r in rows if r.refund_of_id is not None}
    if not ids:
        return {}
    found = session.execute(select(SalesTransaction.id, SalesTransaction.external_ref)
                            .where(SalesTransaction.id.in_(ids)))
    return {row[0]: row[1] for row in found}


def _sales_page(
    request: Request, session: Session, subject: AuthSubject, *, page: int = 1,
    partner_id: int | None = None, kind: str = "", form: FormState | None = None,
    imported: Imported | None = None,
) -> Response:
    locale = request_locale(request)
    draft = pager("/commissions/sales", page, partner_id=partner_id, kind=kind or None)
    rows, total = transactions.list_transactions(
        session, subject, limit=draft.per_page, offset=draft.offset, partner_id=partner_id,
        kind=kind or None)
    state = form or FormState(values={"occurred_on": clock.now().date().isoformat()})
    status = state.status if form else (imported.status if imported else 200)
    return render(request, "commissions/sales.html", {
        "sales": rows, "pager": with_total(draft, total), "partner_id": str(partner_id or ""),
        "kind": kind, "filtering": bool(partner_id or kind), "form": state,
        "partner_options": as_options(partner_choices(session, subject)),
        "kind_options": translated(SALE_KINDS, locale), "kind_labels": SALE_KINDS,
        "partners": deals.partner_names(session, {r.partner_id for r in rows}),
        "refunded": _refund_of(session, rows), "amount": from_minor,
        "columns": transactions.COLUMNS, "required_columns": transactions.REQUIRED,
        **_import_context(imported),
    }, status=status)


@router.get("/commissions/sales")
def sales_page(
    request: Request, subject: PageStaff, session: DbSession, page: PageNumber = 1,
    partner_id: Annotated[int | None, Query(ge=1, le=2**62)] = None, kind: SaleKind = "",
) -> Response:
    return _sales_page(request, session, subject, page=page, partner_id=partner_id, kind=kind)


@router.post("/commissions/sales/import")
async def import_sales(request: Request, subject: PageStaff, session: DbSession) -> Response:
    imported = await run_import(request, session, subject, "sales")
    return _sales_page(request, session, subject, imported=imported)


def _record_refund(session: Session, subject: AuthSubject, form: FormData) -> None:
    line_id, sale_id = optional_int(form, "deal_line_id"), optional_int(form, "transaction_id")
    day = optional_date(form, "occurred_on")
    if day is None:
        raise FormInvalid("occurred_on", REQUIRED)
    amount = optional(form, "amount", 40)
    if amount is None:
        raise FormInvalid("amount", REQUIRED)
    try:
        transactions.record_refund(session, subject, amount=amount, occurred_on=day,
                                   reason=optional(form, "reason", 2000),
                                   deal_line_id=line_id, transaction_id=sale_id)
    except NotFound as error:
        # An id that names nothing is a mistyped input of this form, not a missing page.
        raise Unprocessable(error.message, field="deal_line_id" if line_id is not None
                            else "transaction_id", **error.params) from None


@router.post("/commissions/sales/refund")
async def record_refund(request: Request, subject: PageStaff, session: DbSession) -> Response:
    form = await checked_form(request)
    try:
        _record_refund(session, subject, form)
    except FORM_ERRORS as error:
        state = failure(error, request_locale(request), form, REFUND_INPUTS,
                        fields=REFUND_FIELDS)
        session.rollback()
        return _sales_page(request, session, subject, form=state)
    return see_other(request, "/commissions/sales", flash=REFUND_RECORDED)


# What-if -------------------------------------------------------------------------------

def recent_months(today: date, count: int = MONTHS_OFFERED) -> list[str]:
    """The ``count`` whole months before ``today``'s, newest first: 2026-10, 2026-09, …"""
    months: list[str] = []
    year, month = today.year, today.month
    for _ in range(count):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        months.append(f"{year:04d}-{month:02d}")
    return months


@dataclass
class WhatIfQuery:
    """The what-if form as sent in the query: what to compute, and what to show again."""

    state: FormState
    plan: CommissionPlan | None
    periods: list[str]
    rows: int
    used: list[int]
    computed: bool


def _chosen_periods(form: FormData) -> list[str]:
    chosen = [v for v in form.getlist("period") if isinstance(v, str) and v.strip()]
    text = optional(form, "periods_text", 2000) or ""
    return list(dict.fromkeys([*(c.strip() for c in chosen),
                               *(p for p in PERIOD_SPLIT.split(text) if p)]))


def _changes(form: FormData, rows: int) -> tuple[dict[str, Any], list[int]]:
    changes: dict[str, Any] = {"tier_mode": optional(form, "tier_mode", 20),
                               "boundary": optional(form, "boundary", 20)}
    used: list[int] = []
    if (optional(form, "kind", 10) or "flat") == "tiered":
        changes["tiers"], used = plan_views.tier_rows(form, rows)
        if not changes["tiers"]:
            raise FormInvalid("tiers", N_("Give at least one tier: a threshold and a rate."))
    else:
        flat = optional(form, "flat_rate", 40)
        if flat is None:
            raise FormInvalid("flat_rate", REQUIRED)
        changes["flat_rate"] = flat
    return changes, used


def _plan_values(plan: CommissionPlan, periods: list[str]) -> FormState:
    state = plan_views.form_values(plan)
    state.values["plan"] = str(plan.id)
    state.values["periods_text"] = " ".join(periods)
    return state


def _money(t: Translator, minor: int, currency: str) -> str:
    return t.money(from_minor(minor, currency), currency)


def _projection_cells(row: whatif.Projection) -> list[int]:
    return [row.volume_minor, row.current_minor, row.proposed_minor, row.change_minor,
            row.current_margin_minor, row.proposed_margin_minor]


def _chart(result: whatif.WhatIf, t: Translator) -> tuple[dict[str, Any], dict[str, Any]]:
    """The grouped bars of current against proposed payout (biggest partners by volume)
    and the same numbers as the table twin."""
    currency = result.plan.currency
    top = result.rows[:CHART_PARTNERS]
    spec = {
        "type": "bar", "x": "category", "categories": [r.partner_name for r in top],
        "format": {"style": "currency", "currency": currency},
        "series": [
            {"name": t.gettext(N_("Current payout")),
             "data": [format(from_minor(r.current_minor, currency), "f") for r in top]},
            {"name": t.gettext(N_("Proposed payout")),
             "data": [format(from_minor(r.proposed_minor, currency), "f") for r in top]},
        ],
        "height": 360,
    }
    table = {"headers": [t.gettext(N_("Partner")), t.gettext(N_("Current payout")),
                         t.gettext(N_("Proposed payout"))],
             "rows": [[r.partner_name, _money(t, r.current_minor, currency),
                       _money(t, r.proposed_minor, currency)] for r in top]}
    return spec, table


def read_whatif(session: Session, subject: AuthSubject, form: FormData,
                plans_found: list[CommissionPlan], locale: LocaleCode,
                ) -> tuple[WhatIfQuery, whatif.WhatIf | None]:
    raw = form.get("plan")
    plan_id = int(raw) if isinstance(raw, str) and raw.isdigit() else None
    plan = next((p for p in plans_found if p.id == plan_id), None) or (
        plans_found[0] if plans_found else None)
    periods = _chosen_periods(form)
    wanted = form.get("show") == "1" and "load" not in form and plan is not None
    if not wanted or plan is None:
        # The plan's own terms to start from; the last month when nothing was chosen.
        if not periods:
            periods = recent_months(clock.now().date(), 1)
        state = _plan_values(plan, []) if plan is not None else FormState()
        state.values["periods_text"] = " ".join(
            p for p in periods if p not in recent_months(clock.now().date()))
        return WhatIfQuery(state, plan, periods, plan_views.row_count(None, plan), [],
                           False), None
    rows = plan_views.row_count(form, None)
    used: list[int] = []
    try:
        changes, used = _changes(form, rows)
        result = whatif.what_if(session, subject, plan_id=plan.id, periods=periods,
                                changes=changes)
    except FORM_ERRORS as error:
        renames = {**plan_views.renames(used), **WHATIF_FIELDS}
        state = failure(error, locale, form, [*WHATIF_INPUTS, *plan_views.input_names(rows)],
                        fields=renames, locate=plan_views.locator(used))
        return WhatIfQuery(state, plan, periods, rows, used, True), None
    state = FormState(values={k: v for k, v in form.items() if isinstance(v, str)
                              and k not in ("period", "show")})
    return WhatIfQuery(state, plan, periods, rows, used, True), result


def query_form(request: Request, *extra: tuple[str, str]) -> FormData:
    """The query as a form: the what-if form is sent by GET, as it changes nothing."""
    items: list[tuple[str, str | UploadFile]] = [*request.query_params.multi_items(), *extra]
    return FormData(items)


@router.get("/commissions/whatif")
def whatif_page(
    request: Request, subject: PageStaff, session: DbSession, program: ProgramChoice = None,
) -> Response:
    """Read-only: the form's query computes projections; nothing is stored or posted."""
    locale = request_locale(request)
    t = Translator(locale)
    chosen = selected_program(session, subject, program)
    found: list[CommissionPlan] = []
    if chosen is not None:
        found = list(plans.list_plans(session, subject, limit=100, offset=0,
                                      program_id=chosen.id)[0])
    form = query_form(request)
    query, result = read_whatif(session, subject, form, found, locale)
    context: dict[str, Any] = {
        **program_context(session, subject, chosen), "plans": found, "form": query.state,
        "plan": query.plan, "rows": query.rows, "chosen_periods": query.periods,
        "months": recent_months(clock.now().date()), "computed": query.computed,
        "result": result, "money": lambda minor, cur: _money(t, minor, cur),
        "kind_options": translated(plans.KIND_LABELS, locale),
        "tier_mode_options": translated(plans.TIER_MODE_LABELS, locale),
        "boundary_options": translated(plans.BOUNDARY_LABELS, locale),
        "plan_options": [(str(p.id), f"{p.name} ({p.currency})") for p in found],
    }
    if result is not None:
        context["spec"], context["table"] = _chart(result, t)
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "load"]
        context["csv_url"] = "/commissions/whatif.csv?" + urlencode(kept)
    return render(request, "commissions/whatif.html", context, status=query.state.status)


@router.get("/commissions/whatif.csv")
def whatif_csv(
    request: Request, subject: PageStaff, session: DbSession, program: ProgramChoice = None,
) -> Response:
    """The what-if table as CSV: amounts in the plan currency's units, one row per partner
    and the total."""
    locale = request_locale(request)
    chosen = selected_program(session, subject, program)
    found: list[CommissionPlan] = []
    if chosen is not None:
        found = list(plans.list_plans(session, subject, limit=100, offset=0,
                                      program_id=chosen.id)[0])
    form = query_form(request, ("show", "1"))
    _query, result = read_whatif(session, subject, form, found, locale)
    if result is None:
        raise Unprocessable(N_("The what-if form has a problem: open the page to see it."))
    currency = result.plan.currency
    headers = [translate(locale, h) for h in WHATIF_HEADERS]
    out: list[list[Cell]] = []
    for row in [*result.rows, result.total]:
        name = row.partner_name or translate(locale, N_("Total"))
        out.append([name, *(format(from_minor(v, currency), "f")
                            for v in _projection_cells(row))])
    return download(write_csv(headers, out), "text/csv; charset=utf-8",
                    f"qudao-whatif-plan-{result.plan.id}.csv")
