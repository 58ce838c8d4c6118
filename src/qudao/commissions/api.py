"""JSON API of commissions (/api/v1/commissions): staff run periods, approve statements, pay
and reverse payouts, keep the rate table and the imported sales, and try other terms on past
periods; a partner's users and keys read their own statements, payouts, sales and balance."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Header, Query, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from qudao.commissions import payouts, rates, runs, statements, transactions, whatif
from qudao.commissions.exports import MEDIA_TYPES, export_statements
from qudao.commissions.models import (
    CommissionRun,
    CommissionStatement,
    Payout,
    SalesTransaction,
    StatementLine,
)
from qudao.commissions.periods import parse_period
from qudao.commissions.schemas import (
    BalanceOut,
    ImportOut,
    ImportProblemOut,
    PayoutCreate,
    PayoutOut,
    PayoutReverse,
    ProjectionOut,
    ProposedTermsOut,
    ProposedTierOut,
    RateCreate,
    RateOut,
    RefundCreate,
    RunCreate,
    RunOut,
    StatementDetailOut,
    StatementLineOut,
    StatementOut,
    StatementState,
    TransactionKind,
    TransactionOut,
    WhatIfIn,
    WhatIfOut,
)
from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_, LocaleCode, coerce_locale, translate
from qudao.core.money import from_minor
from qudao.core.pagination import Page, PageParams, page_params
from qudao.core.tabular import MAX_UPLOAD_BYTES, ImportRejected, ImportReport, RowProblem
from qudao.deals import idempotency
from qudao.deals import repository as deals
from qudao.deals.models import IdempotencyRecord
from qudao.http.auth import AnyUser, DbSession, Staff, StaffWriter
from qudao.http.locale import RequestLocale
from qudao.partners import repository as partners
from qudao.programs.plans import percent_of

router = APIRouter(prefix="/commissions", tags=["commissions"])
JSON = "application/json"
PAYOUT_TARGET = "POST /api/v1/commissions/payouts"
IMPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {"description": "The report of every bad row (``report``); nothing written"}}
PAYOUT_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "Paid; with an ``Idempotency-Key`` seen before, the first answer "
                         "again, with ``Idempotent-Replayed: true``."},
    422: {"description": "Nothing approved to pay, below the minimum, or an "
                         "Idempotency-Key reused with another body"},
}
ExportFormat = Literal["csv", "xlsx", "pdf", "json"]
FileUpload = Annotated[UploadFile, File(description=".csv or .xlsx, at most 10 MiB")]


# -- shapes ---------------------------------------------------------------------------------

def _names(session: Session, partner_ids: Iterable[int]) -> dict[int, str]:
    return deals.partner_names(session, set(partner_ids))


def run_out(run: CommissionRun) -> RunOut:
    summary: dict[str, Any] = json.loads(run.summary_json) if run.summary_json else {}
    return RunOut(id=run.id, program_id=run.program_id, period_key=run.period_key,
                  period_kind=run.period_kind, period_start=run.period_start,
                  period_end=run.period_end, started_at=run.started_at,
                  finished_at=run.finished_at, lines_posted=run.lines_posted,
                  statements_touched=run.statements_touched,
                  partners_count=run.partners_count, actor_label=run.actor_label,
                  summary=summary)


def _statement_fields(statement: CommissionStatement, partner_name: str,
                      locale: LocaleCode) -> dict[str, Any]:
    currency = statement.currency
    return {
        "id": statement.id, "program_id": statement.program_id,
        "partner_id": statement.partner_id, "partner_name": partner_name,
        "plan_id": statement.plan_id, "period_key": statement.period_key,
        "period_start": statement.period_start, "period_end": statement.period_end,
        "sequence": statement.sequence, "currency": currency, "state": statement.state,
        "state_label": translate(locale, statements.STATE_LABELS[statement.state]),
        "total": from_minor(statement.total_minor, currency),
        "total_minor": statement.total_minor,
        "base": from_minor(statement.base_minor, currency), "base_minor": statement.base_minor,
        "lines_count": statement.lines_count, "approved_at": statement.approved_at,
        "paid_at": statement.paid_at, "payout_id": statement.payout_id,
        "created_at": statement.created_at, "updated_at": statement.updated_at,
    }


def statements_out(session: Session, rows: list[CommissionStatement],
                   locale: LocaleCode) -> list[StatementOut]:
    names = _names(session, (s.partner_id for s in rows))
    return [StatementOut(**_statement_fields(s, names.get(s.partner_id, ""), locale))
            for s in rows]


def line_out(line: StatementLine, currency: str, locale: LocaleCode) -> StatementLineOut:
    original = (from_minor(line.original_minor, line.original_currency)
                if line.original_minor is not None and line.original_currency else None)
    return StatementLineOut(
        id=line.id, position=line.position, run_id=line.run_id,
        kind=line.kind,
        kind_label=translate(locale, statements.KIND_LABELS[line.kind]),
        source_key=line.source_key, deal_id=line.deal_id, deal_line_id=line.deal_line_id,
        transaction_id=line.transaction_id, customer=line.customer, sku=line.sku,
        product=line.product, occurred_on=line.occurred_on, original_amount=original,
        original_minor=line.original_minor, original_currency=line.original_currency,
        fx_rate=line.fx_rate, base=from_minor(line.base_minor, currency),
        base_minor=line.base_minor, rate=line.rate, rate_percent=percent_of(line.rate),
        tier=line.tier, commission_exact=line.commission_exact,
        commission=from_minor(line.commission_minor, currency),
        commission_minor=line.commission_minor, rounding=line.rounding,
        adjusts_line_id=line.adjusts_line_id, note=line.note,
        note_label=(translate(locale, statements.NOTE_LABELS.get(line.note, line.note))
                    if line.note else None))


def payouts_out(session: Session, rows: list[Payout], locale: LocaleCode) -> list[PayoutOut]:
    names = _names(session, (p.partner_id for p in rows))
    settled = payouts.settled_statements(session, (p.id for p in rows))
    return [PayoutOut(
        id=p.id, program_id=p.program_id, partner_id=p.partner_id,
        partner_name=names.get(p.partner_id, ""), currency=p.currency,
        amount=from_minor(p.amount_minor, p.currency), amount_minor=p.amount_minor,
        method=p.method,
        method_label=translate(locale, payouts.METHOD_LABELS.get(p.method, p.method)),
        reference=p.reference, paid_on=p.paid_on, statement_ids=settled[p.id],
        created_at=p.created_at, reversed_at=p.reversed_at, reversal_reason=p.reversal_reason,
    ) for p in rows]


def transaction_out(row: SalesTransaction) -> TransactionOut:
    return TransactionOut(
        id=row.id, partner_id=row.partner_id, program_id=row.program_id,
        kind=row.kind,
        external_ref=row.external_ref, occurred_on=row.occurred_on,
        customer_ref=row.customer_ref, customer_name=row.customer_name, sku=row.sku,
        description=row.description, quantity=row.quantity,
        amount=from_minor(row.amount_minor, row.currency), amount_minor=row.amount_minor,
        currency=row.currency, refund_of_id=row.refund_of_id,
        refund_of_deal_line_id=row.refund_of_deal_line_id, reason=row.reason,
        source=row.source, created_at=row.created_at)


def import_out(report: ImportReport, locale: LocaleCode) -> ImportOut:
    def out(problems: list[RowProblem]) -> list[ImportProblemOut]:
        return [ImportProblemOut(row=p.row, column=p.column, reason=p.render(locale))
                for p in problems]

    return ImportOut(ok=report.ok, rows=report.rows, created=report.created,
                     errors=out(report.errors), warnings=out(report.warnings))


def _projection(row: whatif.Projection, currency: str, *, total: bool) -> ProjectionOut:
    def money(minor: int) -> Any:
        return from_minor(minor, currency)

    return ProjectionOut(
        partner_id=None if total else row.partner_id,
        partner_name=None if total else row.partner_name,
        volume=money(row.volume_minor), volume_minor=row.volume_minor,
        current=money(row.current_minor), current_minor=row.current_minor,
        proposed=money(row.proposed_minor), proposed_minor=row.proposed_minor,
        change=money(row.change_minor), change_minor=row.change_minor,
        current_margin=money(row.current_margin_minor),
        current_margin_minor=row.current_margin_minor,
        proposed_margin=money(row.proposed_margin_minor),
        proposed_margin_minor=row.proposed_margin_minor)


def whatif_out(result: whatif.WhatIf) -> WhatIfOut:
    currency = result.plan.currency
    terms = result.proposed
    return WhatIfOut(
        plan_id=result.plan.id, plan_name=result.plan.name, currency=currency,
        periods=result.periods,
        proposed=ProposedTermsOut(kind=terms.kind, tier_mode=terms.tier_mode,
                                  boundary=terms.boundary, tiers=[ProposedTierOut(
                                      threshold=from_minor(t.threshold_minor, currency),
                                      threshold_minor=t.threshold_minor, rate=t.rate,
                                      rate_percent=percent_of(t.rate)) for t in terms.tiers]),
        rows=[_projection(r, currency, total=False) for r in result.rows],
        total=_projection(result.total, currency, total=True),
        unconverted=result.unconverted)


def _period_key(period: str | None) -> str | None:
    return parse_period(period).key if period and period.strip() else None


def _upload(file: UploadFile) -> tuple[str, bytes]:
    # One byte over the limit is enough for read_table to refuse the file as too large.
    return file.filename or "", file.file.read(MAX_UPLOAD_BYTES + 1)


def _attach_report(rejected: ImportRejected, locale: LocaleCode) -> None:
    rejected.extra["report"] = import_out(rejected.report, locale).model_dump()


# -- runs -----------------------------------------------------------------------------------

@router.post("/runs", status_code=201,
             summary="Run a period: post what changed since the last run (idempotent)",
             responses={409: {"description": "A run of this period is in progress"}})
def create_run(subject: StaffWriter, session: DbSession, data: RunCreate) -> RunOut:
    return run_out(runs.run_period(session, subject, period=data.period,
                                   program_id=data.program_id))


@router.get("/runs", summary="Runs, newest first")
def list_runs(
    subject: Staff, session: DbSession, page: Annotated[PageParams, Depends(page_params)],
    program_id: Annotated[int | None, Query()] = None,
    period: Annotated[str | None, Query(max_length=40, description="2011-01, 2011-Q1 …")] = None,
) -> Page[RunOut]:
    rows, total = runs.list_runs(session, subject, limit=page.limit, offset=page.offset,
                                 program_id=program_id, period_key=_period_key(period))
    return Page[RunOut](items=[run_out(r) for r in rows], total=total, limit=page.limit,
                        offset=page.offset)


# -- statements -----------------------------------------------------------------------------

@router.get("/statements", summary="Statements: staff all, a partner its own")
def list_statements(
    subject: AnyUser, session: DbSession, locale: RequestLocale,
    page: Annotated[PageParams, Depends(page_params)],
    partner_id: Annotated[int | None, Query()] = None,
    period: Annotated[str | None, Query(max_length=40, description="2011-01, 2011-Q1 …")] = None,
    state: StatementState | None = None,
    program_id: Annotated[int | None, Query()] = None,
) -> Page[StatementOut]:
    rows, total = statements.list_statements(
        session, subject, limit=page.limit, offset=page.offset, partner_id=partner_id,
        period_key=_period_key(period), state=state, program_id=program_id)
    return Page[StatementOut](items=statements_out(session, rows, locale), total=total,
                              limit=page.limit, offset=page.offset)


@router.get("/statements/{statement_id}", summary="One statement with every line")
def get_statement(
    subject: AnyUser, session: DbSession, locale: RequestLocale, statement_id: int
) -> StatementDetailOut:
    statement = statements.get_statement(session, subject, statement_id)
    lines = statements.statement_lines(session, subject, statement_id)
    name = _names(session, [statement.partner_id]).get(statement.partner_id, "")
    return StatementDetailOut(**_statement_fields(statement, name, locale),
                              lines=[line_out(line, statement.currency, locale)
                                     for line in lines])


@router.get("/statements/{statement_id}/export",
            summary="One statement with its lines as CSV, XLSX, PDF or JSON",
            response_class=Response,
            responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}}})
def export_statement(
    subject: AnyUser, session: DbSession, locale: RequestLocale, statement_id: int,
    format: ExportFormat = "csv",
    lang: Annotated[str | None, Query(max_length=10, description="zh_CN or en")] = None,
) -> Response:
    statement = statements.get_statement(session, subject, statement_id)
    chosen = locale
    if lang is not None and lang.strip():
        found = coerce_locale(lang)
        if found is None:
            raise Unprocessable(N_("Choose Chinese (zh-CN) or English (en) as the language."),
                                field="lang")
        chosen = found
    export = export_statements(session, subject, [statement], format, chosen)
    return Response(export.content, media_type=export.media_type, headers={
        "Content-Disposition": f'attachment; filename="{export.filename}"'})


@router.post("/statements/{statement_id}/approve", summary="Approve a draft statement")
def approve_statement(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, statement_id: int
) -> StatementOut:
    statement = statements.approve(session, subject, statement_id)
    return statements_out(session, [statement], locale)[0]


@router.get("/balances", summary="What the company owes a partner, per currency")
def list_balances(
    subject: AnyUser, session: DbSession,
    partner_id: Annotated[int | None, Query(
        description="Staff: required; a partner's users and keys: their own")] = None,
) -> list[BalanceOut]:
    if subject.is_staff:
        if partner_id is None:
            raise Unprocessable(N_("Choose the partner whose balance to show."),
                                field="partner_id")
        partner_id = partners.get(session, subject, partner_id).id
    else:
        if partner_id is not None and partner_id != subject.partner_id:
            # Like every list filtered by another partner: nothing, and no word of it.
            return []
        if subject.partner_id is None:
            return []
        partner_id = subject.partner_id
    return [BalanceOut(
        partner_id=partner_id, currency=b.currency,
        payable=from_minor(b.payable_minor, b.currency), payable_minor=b.payable_minor,
        draft=from_minor(b.draft_minor, b.currency), draft_minor=b.draft_minor,
        approved=from_minor(b.approved_minor, b.currency), approved_minor=b.approved_minor,
        paid=from_minor(b.paid_minor, b.currency), paid_minor=b.paid_minor,
        last_paid_on=b.last_paid_on,
    ) for b in statements.balances(session, subject, partner_id)]


# -- payouts --------------------------------------------------------------------------------

def _replay(replay: idempotency.Replay) -> Response:
    headers = {idempotency.REPLAYED_HEADER: "true"}
    if replay.status == 201:
        headers["Location"] = f"/api/v1/commissions/payouts/{json.loads(replay.body)['id']}"
    return Response(replay.body, status_code=replay.status, media_type=JSON, headers=headers)


@router.post("/payouts", status_code=201, response_model=PayoutOut,
             summary="Pay a partner's approved statements in one currency",
             responses=PAYOUT_RESPONSES)
def create_payout(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, data: PayoutCreate,
    idempotency_key: Annotated[str | None, Header(
        alias="Idempotency-Key", max_length=255,
        description="Send the same key again to get the first answer instead of a second "
                    "payout; kept 24 hours")] = None,
) -> Response:
    record: IdempotencyRecord | None = None
    if idempotency_key is not None:
        digest = idempotency.request_hash(PAYOUT_TARGET, data.model_dump(mode="json"))
        found = idempotency.begin(session, idempotency.scope_of(subject), idempotency_key,
                                  digest)
        if isinstance(found, idempotency.Replay):
            return _replay(found)
        record = found
    payout = payouts.pay(session, subject, partner_id=data.partner_id, currency=data.currency,
                         method=data.method, reference=data.reference, paid_on=data.paid_on)
    created = payouts_out(session, [payout], locale)[0].model_dump_json()
    if record is not None:
        idempotency.finish(session, record, 201, created)
    return Response(created, status_code=201, media_type=JSON,
                    headers={"Location": f"/api/v1/commissions/payouts/{payout.id}"})


@router.get("/payouts", summary="Payouts, latest first: staff all, a partner its own")
def list_payouts(
    subject: AnyUser, session: DbSession, locale: RequestLocale,
    page: Annotated[PageParams, Depends(page_params)],
    partner_id: Annotated[int | None, Query()] = None,
) -> Page[PayoutOut]:
    rows, total = payouts.list_payouts(session, subject, limit=page.limit, offset=page.offset,
                                       partner_id=partner_id)
    return Page[PayoutOut](items=payouts_out(session, rows, locale), total=total,
                           limit=page.limit, offset=page.offset)


@router.get("/payouts/{payout_id}", summary="One payout")
def get_payout(
    subject: AnyUser, session: DbSession, locale: RequestLocale, payout_id: int
) -> PayoutOut:
    return payouts_out(session, [payouts.get_payout(session, subject, payout_id)], locale)[0]


@router.post("/payouts/{payout_id}/reverse",
             summary="Reverse a payout (the transfer came back); its statements are "
                     "approved again")
def reverse_payout(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, payout_id: int,
    data: PayoutReverse,
) -> PayoutOut:
    payout = payouts.reverse_payout(session, subject, payout_id, data.reason)
    return payouts_out(session, [payout], locale)[0]


# -- exchange rates -------------------------------------------------------------------------

@router.get("/rates", summary="The stored exchange rates, newest first")
def list_rates(
    subject: Staff, session: DbSession, page: Annotated[PageParams, Depends(page_params)],
    base: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
    quote: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
) -> Page[RateOut]:
    rows, total = rates.list_rates(session, subject, limit=page.limit, offset=page.offset,
                                   base=base, quote=quote)
    return Page[RateOut](items=[RateOut.model_validate(r) for r in rows], total=total,
                         limit=page.limit, offset=page.offset)


@router.post("/rates", status_code=201, summary="Store an exchange rate from a day on")
def create_rate(subject: StaffWriter, session: DbSession, data: RateCreate) -> RateOut:
    row = rates.add_rate(session, subject, rate_date=data.rate_date, base=data.base,
                         quote=data.quote, rate=data.rate)
    return RateOut.model_validate(row)


@router.post("/rates/import", summary="Import rates (date, base, quote, rate), all or nothing",
             responses=IMPORT_RESPONSES)
def import_rates(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, file: FileUpload
) -> ImportOut:
    try:
        report = rates.import_rates(session, subject, *_upload(file))
    except ImportRejected as rejected:
        _attach_report(rejected, locale)
        raise
    return import_out(report, locale)


# -- sales and refunds ----------------------------------------------------------------------

@router.get("/transactions", summary="Imported sales and refunds: staff all, a partner its own")
def list_transactions(
    subject: AnyUser, session: DbSession, page: Annotated[PageParams, Depends(page_params)],
    partner_id: Annotated[int | None, Query()] = None,
    kind: TransactionKind | None = None,
) -> Page[TransactionOut]:
    rows, total = transactions.list_transactions(
        session, subject, limit=page.limit, offset=page.offset, partner_id=partner_id,
        kind=kind)
    return Page[TransactionOut](items=[transaction_out(r) for r in rows], total=total,
                                limit=page.limit, offset=page.offset)


@router.post("/transactions/import",
             summary="Import sales and refunds from billing, all or nothing",
             responses=IMPORT_RESPONSES)
def import_transactions(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, file: FileUpload,
    program_id: Annotated[int | None, Query()] = None,
) -> ImportOut:
    try:
        report = transactions.import_transactions(session, subject, *_upload(file),
                                                  program_id=program_id)
    except ImportRejected as rejected:
        _attach_report(rejected, locale)
        raise
    return import_out(report, locale)


@router.post("/refunds", status_code=201,
             summary="Record a refund of a won deal line or a sale; clawed back by the next "
                     "run of its period")
def create_refund(subject: StaffWriter, session: DbSession, data: RefundCreate) -> TransactionOut:
    refund = transactions.record_refund(
        session, subject, amount=data.amount, occurred_on=data.occurred_on, reason=data.reason,
        deal_line_id=data.deal_line_id, transaction_id=data.transaction_id, source="api")
    return transaction_out(refund)


# -- what-if --------------------------------------------------------------------------------

@router.post("/whatif", summary="A plan with other terms on past periods; posts nothing")
def what_if(subject: Staff, session: DbSession, data: WhatIfIn) -> WhatIfOut:
    changes: dict[str, Any] = {
        "flat_rate": data.flat_rate, "tier_mode": data.tier_mode, "boundary": data.boundary,
        "tiers": [t.model_dump() for t in data.tiers] if data.tiers else None}
    return whatif_out(whatif.what_if(session, subject, plan_id=data.plan_id,
                                     periods=data.periods, changes=changes))
