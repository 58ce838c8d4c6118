"""Staff pages of commissions: runs, statements, approval and payouts.

``/commissions`` runs a period and lists the runs and the statements; a statement's page
shows every line with its arithmetic, the approval and the payment of the partner's approved
statements; ``/commissions/payouts`` lists payouts and reverses one. Every form posts to its
own route; when one fails, the page is drawn again with that form's values and messages and
nothing is written."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import quote

from babel import Locale, numbers
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from qudao.accounts.subject import AuthSubject
from qudao.commissions import exports, payouts, runs, statements
from qudao.commissions.models import CommissionRun, CommissionStatement, Payout, StatementLine
from qudao.commissions.periods import parse_period
from qudao.core import clock
from qudao.core.errors import QudaoError
from qudao.core.i18n import N_, Translator
from qudao.core.money import exponent, from_minor
from qudao.deals import repository as deals
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.partners import repository as partners
from qudao.programs import repository as programs
from qudao.programs.models import CommissionPlan
from qudao.web import commission_tools_views
from qudao.web.actions import FORM_ERRORS, form_action
from qudao.web.choices import as_options, partner_choices, translated
from qudao.web.forms import (
    BAD_NUMBER,
    REQUIRED,
    FormInvalid,
    FormState,
    failure,
    optional,
    optional_date,
    optional_int,
)
from qudao.web.paging import PageNumber, pager, with_total

router = APIRouter(include_in_schema=False)
router.include_router(commission_tools_views.router)

RUNS_SHOWN = 20
PERIODS_SHOWN = 200
RUN_POSTED = notice("commission.run_posted", N_("The run is done and posted new lines; the "
                                                "run is at the top of the list."))
RUN_NOTHING = notice("commission.run_nothing", N_("The run is done: nothing new was posted. "
                                                  "Every line of the period was already on "
                                                  "its statement."))
APPROVED = notice("statement.approved", N_("The statement was approved; it can now be paid."))
PAID = notice("payout.recorded", N_("The payout was recorded; the approved statements it "
                                    "settles are now paid."))
REVERSED = notice("payout.reversed", N_("The payout was reversed; its statements are approved "
                                        "and payable again."))
RUN_INPUTS = ("period", "program_id")
PAY_INPUTS = ("method", "reference", "paid_on")
EXPORT_FORMATS = ("csv", "xlsx", "pdf")


@dataclass(frozen=True)
class Figures:
    """Amounts as the reader writes numbers: money with its currency's decimals, exact
    commissions and rates with every digit they have (nothing is rounded away)."""

    locale: Locale

    def money(self, minor: int, currency: str) -> str:
        return numbers.format_currency(from_minor(minor, currency), currency,
                                       locale=self.locale)

    def exact(self, value: Decimal, currency: str | None = None) -> str:
        """Every digit, and at least the currency's decimals (8,000.00, not 8,000)."""
        places = exponent(currency) if currency is not None else 0
        pattern = "#,##0." + "0" * places if places else "#,##0.###"
        return numbers.format_decimal(value, pattern, locale=self.locale,
                                      decimal_quantization=False)

    def percent(self, rate: Decimal) -> str:
        return numbers.format_percent(rate, locale=self.locale, decimal_quantization=False)


def figures(request: Request) -> Figures:
    return Figures(Translator(request_locale(request)).babel_locale)


@dataclass
class RunRow:
    """A run as the list shows it: its net total per currency (with the parts) and its
    warnings as (message, count) pairs."""

    run: CommissionRun
    program: str
    totals: list[tuple[str, int, dict[str, int]]]
    warnings: list[tuple[str, int]]


RUN_WARNINGS = {
    "partners_without_plan_count": N_("Partners with sales but no plan in force: %(n)s"),
    "refunds_not_commissioned": N_("Refunds of sales that had earned no commission: %(n)s"),
}
TOTAL_PARTS = {"accrual": N_("Accrued"), "clawback": N_("Clawed back"),
               "adjustment": N_("Adjusted")}


def _run_row(run: CommissionRun, program: str) -> RunRow:
    summary: dict[str, Any] = json.loads(run.summary_json) if run.summary_json else {}
    totals = [(currency, sum(int(v) for v in parts.values()),
               {kind: int(v) for kind, v in parts.items()})
              for currency, parts in sorted(summary.get("totals", {}).items())]
    warnings = [(message, int(summary.get(key) or 0)) for key, message in RUN_WARNINGS.items()
                if summary.get(key)]
    return RunRow(run, program, totals, warnings)


def recent_runs(session: Session, subject: AuthSubject,
                names: dict[int, str]) -> list[RunRow]:
    found, _total = runs.list_runs(session, subject, limit=RUNS_SHOWN)
    return [_run_row(run, names.get(run.program_id, "")) for run in found]


def state_totals(session: Session, subject: AuthSubject, *, period_key: str | None,
                 partner_id: int | None) -> dict[str, list[tuple[str, int, int]]]:
    """state → [(currency, statements, total)], under the list's filters but its state."""
    s = CommissionStatement
    query = statements.scoped(subject, select(s.state, s.currency, func.count(),
                                              func.sum(s.total_minor)))
    if period_key:
        query = query.where(s.period_key == period_key)
    if partner_id is not None:
        query = query.where(s.partner_id == partner_id)
    found: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for state, currency, n, total in session.execute(
            query.group_by(s.state, s.currency).order_by(s.currency)):
        found[state].append((currency, int(n), int(total or 0)))
    return found


def period_keys(session: Session, subject: AuthSubject) -> list[str]:
    s = CommissionStatement
    query = statements.scoped(subject, select(s.period_key, func.max(s.period_start))
                              ).group_by(s.period_key)
    rows = session.execute(query.order_by(func.max(s.period_start).desc(), s.period_key)
                           .limit(PERIODS_SHOWN))
    return [str(key) for key, _start in rows]


def _period_filter(value: str | None) -> str | None:
    """A period as typed in the filter, as the key statements carry ("2011-q1" → 2011-Q1)."""
    if not value or not value.strip():
        return None
    try:
        return parse_period(value).key
    except QudaoError:
        return value.strip()


def commissions_page(
    request: Request, session: Session, subject: AuthSubject, *, page: int = 1,
    period: str | None = None, state: str | None = None, partner_id: int | None = None,
    run_form: FormState | None = None, run_id: int | None = None,
) -> Response:
    locale = request_locale(request)
    program_list = programs.list_programs(session, subject)
    names = {p.id: p.name for p in program_list}
    draft = pager("/commissions", page, period=period, state=state, partner_id=partner_id)
    rows, total = statements.list_statements(session, subject, limit=draft.per_page,
                                             offset=draft.offset, partner_id=partner_id,
                                             period_key=period, state=state)
    shown_run = session.get(CommissionRun, run_id) if run_id is not None else None
    return render(request, "commissions/runs.html", {
        "run_form": run_form or FormState(), "runs": recent_runs(session, subject, names),
        "shown_run": shown_run,
        "program_options": [(str(p.id), p.name) for p in program_list],
        "several_programs": len(program_list) > 1,
        "statements": rows, "pager": with_total(draft, total),
        "partner_names": deals.partner_names(session, {s.partner_id for s in rows}),
        "state_totals": state_totals(session, subject, period_key=period,
                                     partner_id=partner_id),
        "filters": {"period": period or "", "state": state or "",
                    "partner_id": str(partner_id or "")},
        "filtering": bool(period or state or partner_id),
        "period_options": [(k, k) for k in period_keys(session, subject)],
        "state_options": translated(statements.STATE_LABELS, locale),
        "partner_options": as_options(partner_choices(session, subject)),
        "state_labels": statements.STATE_LABELS, "total_parts": TOTAL_PARTS,
        "figures": figures(request),
    }, status=(run_form.status if run_form else 200))


@router.get("/commissions")
def commissions(
    request: Request, subject: PageStaff, session: DbSession, page: PageNumber = 1,
    period: Annotated[str | None, Query(max_length=40)] = None,
    state: Annotated[str | None, Query(max_length=12)] = None,
    partner: Annotated[str | None, Query(alias="partner_id", max_length=20)] = None,
    run: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    # The filter form sends empty fields for "all"; unknown values filter nothing.
    return commissions_page(
        request, session, subject, page=page, period=_period_filter(period),
        state=state if state in statements.STATE_LABELS else None,
        partner_id=int(partner) if partner and partner.isdigit() else None, run_id=run)


@router.post("/commissions/run")
async def run_period(request: Request, subject: PageStaff, session: DbSession) -> Response:
    form = await checked_form(request)
    try:
        period = optional(form, "period", 40)
        if period is None:
            raise FormInvalid("period", REQUIRED)
        run = runs.run_period(session, subject, period=period,
                              program_id=optional_int(form, "program_id"))
    except FORM_ERRORS as error:
        state = failure(error, request_locale(request), form, RUN_INPUTS)
        # A refused run posted nothing; the page shows what is stored.
        session.rollback()
        return commissions_page(request, session, subject, run_form=state)
    flash = RUN_POSTED if run.lines_posted else RUN_NOTHING
    return see_other(request, f"/commissions?run={run.id}#runs", flash=flash)


@dataclass
class StatementForms:
    """The statement page's forms that differ from their defaults: the one that failed."""

    approve: FormState | None = None
    pay: FormState | None = None

    @property
    def status(self) -> int:
        return max((s.status for s in (self.approve, self.pay) if s is not None), default=200)


@dataclass
class Adjusted:
    """Where an adjusted line is: its statement and its number there."""

    statement_id: int
    position: int


@dataclass
class LineSums:
    base: int = 0
    commission: int = 0
    exact: Decimal = field(default_factory=Decimal)
    rounding: Decimal = field(default_factory=Decimal)


def _adjusted(session: Session, lines: list[StatementLine]) -> dict[int, Adjusted]:
    ids = {line.adjusts_line_id for line in lines if line.adjusts_line_id is not None}
    if not ids:
        return {}
    rows = session.execute(select(StatementLine.id, StatementLine.statement_id,
                                  StatementLine.position).where(StatementLine.id.in_(ids)))
    return {int(i): Adjusted(int(s), int(p)) for i, s, p in rows}


def _sums(lines: list[StatementLine]) -> LineSums:
    sums = LineSums()
    for line in lines:
        sums.base += line.base_minor
        sums.commission += line.commission_minor
        sums.exact += line.commission_exact
        sums.rounding += line.rounding
    return sums


def statement_page(request: Request, session: Session, subject: AuthSubject,
                   statement_id: int, forms: StatementForms | None = None) -> Response:
    forms = forms or StatementForms()
    locale = request_locale(request)
    statement = statements.get_statement(session, subject, statement_id)
    lines = statements.statement_lines(session, subject, statement_id)
    partner = partners.get(session, subject, statement.partner_id)
    plan = session.get(CommissionPlan, statement.plan_id) if statement.plan_id else None
    payout = session.get(Payout, statement.payout_id) if statement.payout_id else None
    pay_form = forms.pay or FormState(values={
        "method": "bank_transfer", "paid_on": clock.now().date().isoformat()})
    return render(request, "commissions/statement.html", {
        "statement": statement, "lines": lines, "sums": _sums(lines), "partner": partner,
        "plan": plan, "payout": payout, "period_last": statement.period_end - timedelta(days=1),
        "program": programs.get_program(session, subject, statement.program_id),
        "adjusted": _adjusted(session, lines),
        "balances": statements.balances(session, subject, statement.partner_id),
        "payable_now": payouts.payable_now(session, statement.partner_id, statement.currency),
        "minimum_payout": plan.min_payout_minor if plan is not None else 0,
        "form_approve": forms.approve or FormState(), "form_pay": pay_form,
        "method_options": translated(payouts.METHOD_LABELS, locale),
        "method_labels": payouts.METHOD_LABELS, "state_labels": statements.STATE_LABELS,
        "kind_labels": statements.KIND_LABELS, "note_labels": statements.NOTE_LABELS,
        "export_formats": EXPORT_FORMATS, "figures": figures(request),
    }, status=forms.status)


@router.get("/commissions/statements/{statement_id}")
def statement_detail(request: Request, subject: PageStaff, session: DbSession,
                     statement_id: int) -> Response:
    return statement_page(request, session, subject, statement_id)


@router.get("/commissions/statements/{statement_id}/export")
def statement_export(
    request: Request, subject: PageStaff, session: DbSession, statement_id: int,
    fmt: Annotated[Literal["csv", "xlsx", "pdf"], Query(alias="format")] = "csv",
) -> Response:
    statement = statements.get_statement(session, subject, statement_id)
    found = exports.export_statements(session, subject, [statement], fmt,
                                      request_locale(request))
    # An RFC 5987 name keeps a Chinese partner's name; the plain one is for old clients.
    plain = found.filename.encode("ascii", "replace").decode().replace("?", "_")
    disposition = (f'attachment; filename="{plain}"; '
                   f"filename*=UTF-8''{quote(found.filename)}")
    return Response(found.content, media_type=found.media_type,
                    headers={"Content-Disposition": disposition})


@router.post("/commissions/statements/{statement_id}/approve")
async def approve(request: Request, subject: PageStaff, session: DbSession,
                  statement_id: int) -> Response:
    return await form_action(
        request, session, act=lambda _form: statements.approve(session, subject, statement_id),
        inputs=(), done=f"/commissions/statements/{statement_id}", flash=APPROVED,
        redraw=lambda state, _form: statement_page(request, session, subject, statement_id,
                                                   StatementForms(approve=state)))


def _required_int(form: FormData, name: str) -> int:
    value = optional_int(form, name)
    if value is None:
        raise FormInvalid(name, BAD_NUMBER)
    return value


def _pay(session: Session, subject: AuthSubject, form: FormData) -> Payout:
    paid_on = optional_date(form, "paid_on")
    if paid_on is None:
        raise FormInvalid("paid_on", REQUIRED)
    return payouts.pay(session, subject, partner_id=_required_int(form, "partner_id"),
                       currency=optional(form, "currency", 3) or "",
                       method=optional(form, "method", 20) or "",
                       reference=optional(form, "reference", 120) or "", paid_on=paid_on)


@router.post("/commissions/payouts")
async def pay(request: Request, subject: PageStaff, session: DbSession) -> Response:
    form = await checked_form(request)
    raw = form.get("statement_id")
    statement_id = int(raw) if isinstance(raw, str) and raw.isdigit() else None
    try:
        _pay(session, subject, form)
    except FORM_ERRORS as error:
        state = failure(error, request_locale(request), form, PAY_INPUTS)
        session.rollback()
        if statement_id is None:
            return payouts_page(request, session, subject, message=state)
        return statement_page(request, session, subject, statement_id,
                              StatementForms(pay=state))
    done = (f"/commissions/statements/{statement_id}" if statement_id is not None
            else "/commissions/payouts")
    return see_other(request, done, flash=PAID)


def payouts_page(request: Request, session: Session, subject: AuthSubject, *, page: int = 1,
                 partner_id: int | None = None, failed: int | None = None,
                 message: FormState | None = None) -> Response:
    draft = pager("/commissions/payouts", page, partner_id=partner_id)
    rows, total = payouts.list_payouts(session, subject, limit=draft.per_page,
                                       offset=draft.offset, partner_id=partner_id)
    settled = payouts.settled_statements(session, (p.id for p in rows))
    status = message.status if message else 200
    return render(request, "commissions/payouts.html", {
        "payouts": rows, "pager": with_total(draft, total), "settled": settled,
        "partner_names": deals.partner_names(session, {p.partner_id for p in rows}),
        "partner_options": as_options(partner_choices(session, subject)),
        "filters": {"partner_id": str(partner_id or "")}, "filtering": bool(partner_id),
        "failed": failed, "form_failed": message or FormState(), "blank_form": FormState(),
        "method_labels": payouts.METHOD_LABELS, "figures": figures(request),
    }, status=status)


@router.get("/commissions/payouts")
def payout_list(
    request: Request, subject: PageStaff, session: DbSession, page: PageNumber = 1,
    partner: Annotated[str | None, Query(alias="partner_id", max_length=20)] = None,
) -> Response:
    return payouts_page(request, session, subject, page=page,
                        partner_id=int(partner) if partner and partner.isdigit() else None)


@router.post("/commissions/payouts/{payout_id}/reverse")
async def reverse(request: Request, subject: PageStaff, session: DbSession,
                  payout_id: int) -> Response:
    return await form_action(
        request, session,
        act=lambda form: payouts.reverse_payout(session, subject, payout_id,
                                                optional(form, "reason", 2000) or ""),
        inputs=("reason",), done="/commissions/payouts", flash=REVERSED,
        redraw=lambda state, _form: payouts_page(request, session, subject,
                                                 failed=payout_id, message=state))
