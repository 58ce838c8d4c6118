"""Sales and refunds that feed commissions besides won deals: imported from billing (CSV or
XLSX, all rows or none), or a refund staff record against a won deal line or a sale.

An imported row is known by its ``external_ref``: the same row again changes nothing, and a
row that differs is a late correction, applied and audited, which the next run of its
period turns into adjustment lines."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.audit.snapshot import changes, snapshot
from qudao.commissions.models import SalesTransaction
from qudao.core.errors import Conflict, NotFound, QudaoError, Unprocessable
from qudao.core.i18n import N_
from qudao.core.money import check_currency, from_minor, parse_amount, to_minor
from qudao.core.tabular import ImportRejected, ImportReport, RowProblem, read_table
from qudao.db.paging import page_of
from qudao.deals.models import DealLine
from qudao.partners.models import Partner

MAX_MINOR = 10**15
COLUMNS = ("external_ref", "kind", "date", "partner", "sku", "description", "quantity",
           "amount", "currency", "customer_ref", "customer_name", "refund_of")
REQUIRED = ("external_ref", "date", "partner", "sku", "amount", "currency")
CORRECTABLE = ("occurred_on", "sku", "description", "quantity", "amount_minor", "currency",
               "customer_ref", "customer_name")


def _minor(value: object, currency: str, field: str = "amount") -> int:
    minor = to_minor(parse_amount(value, currency, field), currency, field)
    if not 0 < minor < MAX_MINOR:
        raise Unprocessable(N_("An amount is above 0 and below 10^13."), field=field)
    return minor


def refunded_so_far(session: Session, *, deal_line_id: int | None = None,
                    transaction_id: int | None = None) -> int:
    t = SalesTransaction
    query = select(func.coalesce(func.sum(t.amount_minor), 0)).where(t.kind == "refund")
    query = query.where(t.refund_of_deal_line_id == deal_line_id if deal_line_id is not None
                        else t.refund_of_id == transaction_id)
    return int(session.scalar(query) or 0)


def _check_refund(original_minor: int, currency: str, amount: object,
                  already: int) -> int:
    minor = _minor(amount, currency)
    if already + minor > original_minor:
        raise Unprocessable(N_("The refunds would exceed the sale: at most %(left)s "
                               "%(currency)s is left to refund."), field="amount",
                            left=format(from_minor(original_minor - already, currency), "f"),
                            currency=currency)
    return minor


def record_refund(session: Session, subject: AuthSubject, *, amount: object,
                  occurred_on: date, reason: str | None = None,
                  deal_line_id: int | None = None, transaction_id: int | None = None,
                  external_ref: str | None = None, source: str = "staff") -> SalesTransaction:
    """A refund or cancellation of (part of) a won deal line or an imported sale. It is
    clawed back in the period of ``occurred_on``."""
    require_staff_writer(subject)
    if (deal_line_id is None) == (transaction_id is None):
        raise Unprocessable(N_("Name the deal line or the sale that is refunded."),
                            field="deal_line_id")
    customer_name: str | None
    if deal_line_id is not None:
        line = session.get(DealLine, deal_line_id)
        deal = line.deal if line is not None else None
        if line is None or deal is None or line.kind != "won" or deal.stage != "won" or (
                line.amount_minor is None):
            raise NotFound(N_("Won deal line %(id)s was not found."), id=deal_line_id)
        partner_id, program_id, currency = deal.partner_id, deal.program_id, line.currency
        original_minor, sku = line.amount_minor, line.sku
        sold_on = deal.closed_at.date() if deal.closed_at else occurred_on
        customer_ref, customer_name = deal.customer_ref, deal.customer_name
        description = line.description
        already = refunded_so_far(session, deal_line_id=deal_line_id)
        default_ref = f"refund-line-{deal_line_id}"
    else:
        sale = session.get(SalesTransaction, transaction_id)
        if sale is None or sale.kind != "sale":
            raise NotFound(N_("Sale %(id)s was not found."), id=transaction_id)
        partner_id, program_id, currency = sale.partner_id, sale.program_id, sale.currency
        original_minor, sku, sold_on = sale.amount_minor, sale.sku, sale.occurred_on
        customer_ref, customer_name = sale.customer_ref, sale.customer_name
        description = sale.description
        already = refunded_so_far(session, transaction_id=sale.id)
        default_ref = f"refund-{sale.external_ref}"[:56]
    if occurred_on < sold_on:
        raise Unprocessable(N_("A refund cannot come before the sale (%(day)s)."),
                            field="occurred_on", day=sold_on.isoformat())
    minor = _check_refund(original_minor, currency, amount, already)
    count = session.scalar(select(func.count()).select_from(SalesTransaction).where(
        SalesTransaction.external_ref.like(f"{default_ref}%"))) or 0
    refund = SalesTransaction(
        partner_id=partner_id, program_id=program_id, kind="refund",
        external_ref=(external_ref or f"{default_ref}-{count + 1}").strip()[:64],
        occurred_on=occurred_on, customer_ref=customer_ref, customer_name=customer_name,
        sku=sku, description=description, quantity=1, amount_minor=minor, currency=currency,
        refund_of_id=transaction_id, refund_of_deal_line_id=deal_line_id,
        reason=(reason or "").strip() or None, source=source)
    _flush_unique(session, refund)
    audit.record(session, action="sales.refund", target_type="sales_transaction",
                 target_id=refund.id, partner_id=partner_id, after=snapshot(refund))
    return refund


def _flush_unique(session: Session, row: SalesTransaction) -> None:
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(N_("A transaction with the reference %(ref)s already exists."),
                       field="external_ref", ref=row.external_ref) from None


def _partner(session: Session, value: str, cache: dict[str, int]) -> int:
    if value in cache:
        return cache[value]
    found = None
    if value.isdigit():
        found = session.get(Partner, int(value))
    if found is None:
        found = session.scalar(select(Partner).where(func.lower(Partner.name) == value.lower()))
    if found is None:
        raise Unprocessable(N_("No partner is named %(name)s; give its name or id as the "
                               "partner list shows it."), field="partner", name=value)
    cache[value] = found.id
    return found.id


def _sale_values(session: Session, row: dict[str, str], cache: dict[str, int],
                 ) -> dict[str, Any]:
    for column in REQUIRED:
        if not row.get(column):
            raise Unprocessable(N_("This column needs a value."), field=column)
    currency = check_currency(row["currency"])
    try:
        day = date.fromisoformat(row["date"][:10])
    except ValueError:
        raise Unprocessable(N_("Write the date as YYYY-MM-DD."), field="date") from None
    quantity_text = row.get("quantity") or "1"
    if not quantity_text.lstrip("-").isdigit() or int(quantity_text) == 0:
        raise Unprocessable(N_("The quantity is a whole number other than 0."),
                            field="quantity")
    kind = (row.get("kind") or "sale").lower()
    if kind not in ("sale", "refund"):
        raise Unprocessable(N_("The kind is sale or refund."), field="kind")
    amount = row["amount"].lstrip("-") if kind == "refund" else row["amount"]
    return {
        "external_ref": row["external_ref"][:64], "kind": kind, "occurred_on": day,
        "partner_id": _partner(session, row["partner"], cache), "sku": row["sku"][:64],
        "description": (row.get("description") or None) and row["description"][:300],
        "quantity": abs(int(quantity_text)), "amount_minor": _minor(amount, currency),
        "currency": currency, "customer_ref": (row.get("customer_ref") or None),
        "customer_name": (row.get("customer_name") or None),
    }


def import_transactions(session: Session, subject: AuthSubject, filename: str, data: bytes,
                        *, program_id: int | None = None) -> ImportReport:
    """Rows in order; a refund names the ``refund_of`` external ref of a sale earlier in the
    file or already stored."""
    require_staff_writer(subject)
    table = read_table(filename, data)
    headers = [h.strip().lower() for h in table.headers]
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        raise Unprocessable(N_("The file needs the columns %(columns)s."), field="file",
                            columns=", ".join(COLUMNS))
    report = ImportReport(rows=len(table.rows))
    cache: dict[str, int] = {}
    for number, cells in table.rows:
        row = {h: c.strip() for h, c in zip(headers, cells, strict=False)}
        try:
            values = _sale_values(session, row, cache)
            created = _store(session, subject, values, row.get("refund_of") or None,
                             program_id)
            report.created += created
        except QudaoError as error:
            report.errors.append(RowProblem.of(number, error.field, error))
    if report.errors:
        raise ImportRejected(report)
    audit.record(session, action="sales.import", target_type="sales_transaction",
                 after={"rows": report.rows, "created": report.created,
                        "file": filename[:200]})
    return report


def _store(session: Session, subject: AuthSubject, values: dict[str, Any],
           refund_of: str | None, program_id: int | None) -> int:
    found = session.scalar(select(SalesTransaction).where(
        SalesTransaction.external_ref == values["external_ref"]))
    if values["kind"] == "refund":
        if not refund_of:
            raise Unprocessable(N_("A refund names the sale it refunds (refund_of)."),
                                field="refund_of")
        sale = session.scalar(select(SalesTransaction).where(
            SalesTransaction.external_ref == refund_of, SalesTransaction.kind == "sale"))
        if sale is None or sale.partner_id != values["partner_id"]:
            raise Unprocessable(N_("No sale %(ref)s of this partner to refund."),
                                field="refund_of", ref=refund_of)
        values["refund_of_id"] = sale.id
        if found is None:
            already = refunded_so_far(session, transaction_id=sale.id)
            if already + values["amount_minor"] > sale.amount_minor:
                raise Unprocessable(N_("The refunds would exceed the sale."), field="amount")
            if values["occurred_on"] < sale.occurred_on:
                raise Unprocessable(N_("A refund cannot come before the sale (%(day)s)."),
                                    field="date", day=sale.occurred_on.isoformat())
    if found is not None:
        if found.kind != values["kind"] or found.partner_id != values["partner_id"]:
            raise Unprocessable(N_("%(ref)s is already stored for another partner or kind."),
                                field="external_ref", ref=values["external_ref"])
        before = snapshot(found)
        for key in CORRECTABLE:
            setattr(found, key, values[key])
        old, new = changes(before, snapshot(found))
        if new:
            session.flush()
            audit.record(session, action="sales.correct", target_type="sales_transaction",
                         target_id=found.id, partner_id=found.partner_id, before=old,
                         after=new)
        return 0
    row = SalesTransaction(program_id=program_id, source="import", **values)
    session.add(row)
    session.flush()
    return 1


def list_transactions(session: Session, subject: AuthSubject, *, limit: int, offset: int,
                      partner_id: int | None = None, kind: str | None = None,
                      ) -> tuple[list[SalesTransaction], int]:
    query = select(SalesTransaction)
    if not subject.is_staff:
        query = query.where(SalesTransaction.partner_id == subject.partner_id)
    if partner_id is not None:
        query = query.where(SalesTransaction.partner_id == partner_id)
    if kind:
        query = query.where(SalesTransaction.kind == kind)
    return page_of(session, query, SalesTransaction.occurred_on.desc(),
                   SalesTransaction.id.desc(), limit=limit, offset=offset)

