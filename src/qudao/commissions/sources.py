"""What a period's commissions are computed from: won deals' lines (dated by the day the deal
was won) and imported sales, and the refunds of either, dated the day they happened. Deals
and sales without a program belong to the default program."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from qudao.commissions.models import SalesTransaction
from qudao.commissions.periods import Period
from qudao.deals.models import Deal, DealLine
from qudao.programs import repository as programs
from qudao.programs.models import Product


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    kind: Literal["sale", "refund"]
    partner_id: int
    day: date
    sku: str
    product: str | None
    customer: str | None
    amount_minor: int
    currency: str
    deal_id: int | None = None
    deal_line_id: int | None = None
    transaction_id: int | None = None
    # A refund's refunded line and that line's amount (in the same currency).
    refunds_key: str | None = None
    refunded_amount_minor: int | None = None


def line_key(deal_line_id: int) -> str:
    return f"line:{deal_line_id}"


def sale_key(transaction_id: int) -> str:
    return f"txn:{transaction_id}"


def refund_key(transaction_id: int) -> str:
    return f"refund:{transaction_id}"


def in_program(column: InstrumentedAttribute[Any], session: Session,
               program_id: int) -> ColumnElement[bool]:
    default = programs.default_program(session)
    if default is not None and default.id == program_id:
        return or_(column == program_id, column.is_(None))
    return column == program_id


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _won_lines(session: Session, program_id: int, period: Period) -> list[Source]:
    rows = session.connection().execute(
        select(DealLine.id, Deal.id, Deal.partner_id, Deal.closed_at, DealLine.sku,
               func.coalesce(DealLine.description, Product.name), Deal.customer_name,
               DealLine.amount_minor, DealLine.currency)
        .join(Deal, Deal.id == DealLine.deal_id)
        .outerjoin(Product, Product.id == DealLine.product_id)
        .where(Deal.stage == "won", DealLine.kind == "won", DealLine.amount_minor.is_not(None),
               Deal.closed_at >= _moment(period.start), Deal.closed_at < _moment(period.end),
               in_program(Deal.program_id, session, program_id)))
    return [Source(line_key(line_id), "sale", partner_id, closed.astimezone(UTC).date(), sku,
                   product, customer, amount, currency, deal_id=deal_id, deal_line_id=line_id)
            for line_id, deal_id, partner_id, closed, sku, product, customer, amount, currency
            in rows if closed is not None and amount is not None]


def _sales(session: Session, program_id: int, period: Period) -> list[Source]:
    t = SalesTransaction
    rows = session.connection().execute(
        select(t.id, t.partner_id, t.occurred_on, t.sku, t.description,
               func.coalesce(t.customer_name, t.customer_ref), t.amount_minor, t.currency)
        .where(t.kind == "sale", t.occurred_on >= period.start, t.occurred_on < period.end,
               in_program(t.program_id, session, program_id)))
    return [Source(sale_key(tid), "sale", partner_id, day, sku, description, customer, amount,
                   currency, transaction_id=tid)
            for tid, partner_id, day, sku, description, customer, amount, currency in rows]


def _refunds(session: Session, program_id: int, period: Period) -> list[Source]:
    t, original = SalesTransaction, aliased(SalesTransaction)
    rows = session.connection().execute(
        select(t.id, t.partner_id, t.occurred_on, t.sku, t.description,
               func.coalesce(t.customer_name, t.customer_ref), t.amount_minor, t.currency,
               t.refund_of_id, t.refund_of_deal_line_id, original.amount_minor,
               DealLine.amount_minor, DealLine.deal_id)
        .outerjoin(original, original.id == t.refund_of_id)
        .outerjoin(DealLine, DealLine.id == t.refund_of_deal_line_id)
        .where(t.kind == "refund", t.occurred_on >= period.start, t.occurred_on < period.end,
               in_program(t.program_id, session, program_id)))
    found: list[Source] = []
    for (tid, partner_id, day, sku, description, customer, amount, currency, of_txn, of_line,
         txn_amount, line_amount, deal_id) in rows:
        if of_txn is not None:
            refunded_key = sale_key(of_txn)
        elif of_line is not None:
            refunded_key = line_key(of_line)
        else:
            continue
        found.append(Source(
            refund_key(tid), "refund", partner_id, day, sku, description, customer, amount,
            currency, deal_id=deal_id, deal_line_id=of_line, transaction_id=tid,
            refunds_key=refunded_key,
            refunded_amount_minor=txn_amount if of_txn is not None else line_amount))
    return found


def _order(source: Source) -> tuple[int, date, int, int]:
    kind, _, number = source.key.partition(":")
    return (source.kind == "refund", source.day, kind != "line", int(number))


def period_sources(session: Session, program_id: int, period: Period,
                   partner_ids: Collection[int] | None = None) -> dict[int, list[Source]]:
    """Each partner's sales in date order, then its refunds in date order."""
    grouped: dict[int, list[Source]] = defaultdict(list)
    for source in (_won_lines(session, program_id, period) + _sales(session, program_id, period)
                   + _refunds(session, program_id, period)):
        if partner_ids is None or source.partner_id in partner_ids:
            grouped[source.partner_id].append(source)
    for sources in grouped.values():
        sources.sort(key=_order)
    return dict(grouped)

