"""Purchases imported from a transactions file in the shared format (InvoiceNo, StockCode,
Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country).

The file's known dirt is sorted, not hidden: cancellations, non-product codes (postage,
fees), lines without a customer and prices finer than the currency's minor unit are counted
and left out; a line that cannot be read at all refuses the whole file."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.core.errors import Conflict
from qudao.core.i18n import N_
from qudao.core.money import check_currency, exponent
from qudao.core.tabular import ImportRejected, ImportReport, RowProblem
from qudao.recommendations.models import Purchase
from qudao.recommendations.transactions import is_product_code, open_text

BATCH = 10_000
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass
class PurchaseImport:
    read: int = 0
    imported: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def _row(raw: Mapping[str, str], scale: Decimal) -> dict[str, object] | str:
    """The purchase a line describes, or why it is left out."""
    invoice = raw["InvoiceNo"].strip()
    code = raw["StockCode"].strip()
    quantity = int(raw["Quantity"])
    price = Decimal(raw["UnitPrice"])
    occurred = datetime.strptime(raw["InvoiceDate"].strip(), TIME_FORMAT).replace(tzinfo=UTC)
    customer = (raw["CustomerID"] or "").strip().removesuffix(".0")
    if invoice.upper().startswith("C") or quantity <= 0:
        return "cancellation"
    if not is_product_code(code, raw.get("Description") or ""):
        return "not a product"
    if not customer:
        return "no customer"
    minor = price * scale
    if price <= 0 or minor != minor.to_integral_value():
        return "price"
    return {"invoice": invoice, "customer_ref": customer, "item_id": code,
            "description": (raw.get("Description") or "").strip()[:300] or None,
            "quantity": quantity, "unit_price_minor": int(minor), "occurred_at": occurred,
            "country": (raw.get("Country") or "").strip() or None}


def import_rows(
    session: Session, subject: AuthSubject, rows: Iterable[Mapping[str, str]], *,
    currency: str = "GBP", progress: Callable[[int], None] | None = None,
) -> PurchaseImport:
    """All or nothing: a malformed line refuses the file (nothing written, every bad line
    reported); a file whose invoices were already imported is refused too."""
    require_staff_writer(subject)
    currency = check_currency(currency)
    scale = Decimal(10) ** exponent(currency)
    result = PurchaseImport()
    report = ImportReport()
    batch: list[dict[str, object]] = []
    first_invoice: str | None = None
    for number, raw in enumerate(rows, start=2):
        result.read += 1
        try:
            found = _row(raw, scale)
        except (KeyError, ValueError, InvalidOperation, TypeError, AttributeError):
            report.errors.append(RowProblem(number, None, N_(
                "This line cannot be read: it needs InvoiceNo, StockCode, Quantity, InvoiceDate "
                "(YYYY-MM-DD HH:MM:SS), UnitPrice and CustomerID.")))
            continue
        if isinstance(found, str):
            result.skip(found)
            continue
        found["currency"] = currency
        if first_invoice is None:
            first_invoice = str(found["invoice"])
            if session.scalar(select(Purchase.id).where(Purchase.invoice == first_invoice)
                              .limit(1)) is not None:
                raise Conflict(N_("These purchases were imported before (invoice %(invoice)s); "
                                  "nothing was imported again."), invoice=first_invoice)
        batch.append(found)
        # Written as it goes, in the one transaction: a bad line later rolls it all back.
        if len(batch) >= BATCH and not report.errors:
            _write(session, batch, result, progress)
    if report.errors:
        report.rows = result.read
        raise ImportRejected(report)
    _write(session, batch, result, progress)
    audit.record(session, action="purchases.import", target_type="purchases",
                 after={"read": result.read, "imported": result.imported,
                        "skipped": result.skipped, "currency": currency})
    return result


def _write(session: Session, batch: list[dict[str, object]], result: PurchaseImport,
           progress: Callable[[int], None] | None) -> None:
    if batch:
        session.execute(insert(Purchase), batch)
        result.imported += len(batch)
        if progress is not None:
            progress(len(batch))
        batch.clear()


def import_file(session: Session, subject: AuthSubject, path: Path, *, currency: str = "GBP",
                progress: Callable[[int], None] | None = None) -> PurchaseImport:
    with open_text(path) as handle:
        return import_rows(session, subject, csv.DictReader(handle), currency=currency,
                           progress=progress)


def as_rows(session: Session) -> Iterable[dict[str, str]]:
    """The stored purchases as lines of the transactions format, oldest first, for training."""
    query = select(Purchase).order_by(Purchase.occurred_at, Purchase.id)
    for purchase in session.scalars(query.execution_options(yield_per=BATCH)):
        price = Decimal(purchase.unit_price_minor).scaleb(-exponent(purchase.currency))
        yield {"InvoiceNo": purchase.invoice, "StockCode": purchase.item_id,
               "Description": purchase.description or purchase.item_id,
               "Quantity": str(purchase.quantity),
               "InvoiceDate": purchase.occurred_at.strftime(TIME_FORMAT),
               "UnitPrice": f"{price:f}", "CustomerID": purchase.customer_ref,
               "Country": purchase.country or ""}
