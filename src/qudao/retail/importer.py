"""Importing a retail file: invoices become won deals of the country's partner,
cancellations become refunds (which commission runs claw back), and lines with no known
customer or territory become sales credited to no partner.

Everything is written in the caller's transaction, in bulk (``db.bulk.insert_many``: COPY
on PostgreSQL, ``executemany`` on SQLite) and with one audit entry for the whole import (none
when it writes nothing); a line that cannot be read raises, and the caller's rollback leaves
nothing behind. On SQLite, a large file is read in a second process while this one writes
what it has read (``core.child_process``): reading and writing each take about half of the
time, and SQLite writes from one connection only, so two cores overlap them.

What each line becomes (after the skips of ``rules.skip_reason``, counted in the report):

- an invoice with a customer in a territory of ``partners``: one won deal, stage "won",
  source "import", ``external_ref`` "retail:<InvoiceNo>", closed, approved and created at
  the invoice's time; each line a won deal line (``product_id`` from ``products``, None for
  postage and fees, which stay lines);
- a cancellation line with such a customer: a refund (``SalesTransaction`` kind "refund",
  positive quantity and amount, as ``commissions.transactions.record_refund`` writes them),
  of the latest earlier won line of the same partner, customer and stock code that still
  has that much left to refund (None when there is none, e.g. the sale predates the file);
- any other line (no customer, or a territory with no partner, such as "Unspecified"): a
  ``DirectSale`` of kind sale, fee (not a product) or refund (a cancellation, negative
  quantity and amount).

An import is idempotent: the external refs already stored are read once at the start and
their lines are counted in ``already_present``; a second import of a file writes nothing.
An invoice whose deal exists is taken as complete.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from sys import intern
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from qudao.audit import service as audit
from qudao.commissions.models import SalesTransaction
from qudao.core import child_process, clock
from qudao.core.money import check_currency, exponent
from qudao.db.bulk import insert_many, sqlite_datetime, sqlite_indexes_deferred
from qudao.deals.models import Deal, DealLine
from qudao.recommendations.transactions import is_product_code
from qudao.retail.ids import new_ids
from qudao.retail.models import DirectSale
from qudao.retail.reader import COLUMNS, Opened, Parsing, RetailFormatError, open_rows
from qudao.retail.rules import Pricing, skip_reason

Progress = Callable[[int, int], None]
PREFIX = "retail:"
CHUNK = 20_000
# From this size on disk a file is read in a second process (SQLite, Linux): below it,
# starting one costs more than it saves.
APART_BYTES = 1 << 20

# In each table's column order, so that SQLite takes the rows as they are.
DEAL_COLUMNS = ("partner_id", "program_id", "customer_name", "customer_ref", "amount_minor",
                "currency", "stage", "source", "external_ref", "approved_at", "closed_at", "id",
                "created_at", "updated_at")
LINE_COLUMNS = ("deal_id", "kind", "product_id", "sku", "description", "quantity",
                "unit_price_minor", "amount_minor", "currency", "id")
REFUND_COLUMNS = ("partner_id", "program_id", "kind", "external_ref", "occurred_on",
                  "customer_ref", "customer_name", "sku", "description", "quantity",
                  "amount_minor", "currency", "refund_of_deal_line_id", "reason", "source",
                  "created_at", "updated_at")
DIRECT_COLUMNS = ("program_id", "external_ref", "kind", "occurred_at", "sku", "description",
                  "quantity", "amount_minor", "currency", "country", "created_at")


@dataclass
class ImportReport:
    rows_read: int = 0
    deals: int = 0
    deal_lines: int = 0
    refunds: int = 0
    # Refunds that name the won deal line they refund (the others claw back nothing).
    refunds_linked: int = 0
    direct_sales: int = 0
    # Reason (rules.SKIP_REASONS) -> lines.
    skipped: dict[str, int] = field(default_factory=dict)
    # Lines whose deal, refund or direct sale an earlier import already wrote.
    already_present: int = 0


@dataclass(slots=True)
class _Deal:
    invoice: str
    id: int
    partner_id: int
    customer: str
    at: datetime
    stored_at: Any
    amount_minor: int = 0
    # The amount the deal row was written with; None until it is written.
    written_minor: int | None = None
    # Its won lines as written (``LINE_COLUMNS``), which later cancellations may refund.
    rows: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass(slots=True)
class _Rows:
    """One chunk of the import's rows, each list in its table's ``*_COLUMNS`` order and
    written in this order: deals, their lines, then the refunds that name those lines."""

    deals: list[tuple[Any, ...]]
    lines: list[tuple[Any, ...]]
    refunds: list[tuple[Any, ...]]
    direct: list[tuple[Any, ...]]
    # The line rows the whole import is likely to write, from the share of the file read.
    coming: int


# A deal's amount that changed after its row was written: {"deal_id": …, "amount": …}.
Amounts = list[dict[str, int]]
# What a cancellation may refund: (time, line id, stock code, amount), or a deal of the
# customer whose rows hold them.
_Sold = tuple[datetime, int, str, int] | _Deal
# A timestamp of the file: UTC, as the driver stores it, its day as the driver stores it.
_Moment = tuple[datetime, Any, Any]
# A price of the file: exact value, minor units (rounded), whether exact, sign.
_Price = tuple[Decimal, int, bool, int]


def _refs(session: Session, column: Any) -> set[str]:
    rows = session.execute(select(column).where(column.like(f"{PREFIX}%")))
    return {ref for ref in rows.scalars()}


class _Importer:
    def __init__(self, session: Session, *, program_id: int, currency: str,
                 partners: Mapping[str, int], products: Mapping[str, int]) -> None:
        self.session = session
        self.program_id = program_id
        self.currency = check_currency(currency)
        self.partners = partners
        self.products = products
        self.postgres = session.connection().dialect.name == "postgresql"
        self.report = ImportReport()
        self.skipped: Counter[str] = Counter()
        self.pricing = Pricing(exponent(self.currency))
        self.parsing = Parsing()
        self.now = self._stored(clock.now())
        # Read once: what earlier imports wrote.
        self.deals_present = {ref[len(PREFIX):] for ref in _refs(session, Deal.external_ref)}
        self.lines_present = (_refs(session, SalesTransaction.external_ref)
                              | _refs(session, DirectSale.external_ref))
        self.deal_ids = new_ids(session, cast(Table, Deal.__table__))
        self.line_ids = new_ids(session, cast(Table, DealLine.__table__))
        self.deals: dict[str, _Deal] = {}
        self.unwritten: list[_Deal] = []
        # (partner, customer) -> the won lines of earlier imports, then this file's deals,
        # in order; line id -> refunded so far.
        self.sold: dict[tuple[int, str], list[_Sold]] = {}
        self.refunded: dict[int, int] = {}
        self.stored_sold_loaded = not self.deals_present
        self.kinds: dict[tuple[str, str | None], str] = {}
        self.lines: list[tuple[Any, ...]] = []
        self.refunds: list[tuple[Any, ...]] = []
        self.direct: list[tuple[Any, ...]] = []
        self.opened: Opened | None = None
        self.progress: Progress | None = None
        # Where the rows go: written in this process, or sent to it from a child process.
        self.write: Callable[[_Rows], None] = _unset

    def _stored(self, moment: datetime) -> Any:
        return moment if self.postgres else sqlite_datetime(moment)

    def _moment(self, text: str, line: int) -> _Moment:
        try:
            moment = self.parsing.london_to_utc(text.strip())
        except ValueError:
            raise RetailFormatError(line, "InvoiceDate", text) from None
        day = moment.date()
        return moment, self._stored(moment), day if self.postgres else day.isoformat()

    def _price(self, text: str, line: int) -> _Price:
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            raise RetailFormatError(line, "UnitPrice", text) from None
        if not value.is_finite():
            raise RetailFormatError(line, "UnitPrice", text)
        unit, exact = self.pricing.unit_minor(value)
        return value, unit, exact, (value > 0) - (value < 0)

    # -- the lines -------------------------------------------------------------------------

    def between_blocks(self) -> None:
        """Every few thousand lines: progress, and the rows built so far written once there
        are enough of them."""
        if self.progress is not None and self.opened is not None:
            self.progress(self.opened.position(), self.opened.size)
        if len(self.lines) + len(self.refunds) + len(self.direct) >= CHUNK:
            self.flush()

    def read(self, opened: Opened) -> None:
        """Every line of the file, once. Per line only dictionary look-ups and integer
        arithmetic: timestamps and prices are parsed once each (``_moment``, ``_price``),
        and what belongs to the invoice is looked up when the invoice changes."""
        report, skipped, pricing = self.report, self.skipped, self.pricing
        partners_get, products_get = self.partners.get, self.products.get
        deals, kinds = self.deals, self.kinds
        lines, refunds, direct = self.lines, self.refunds, self.direct
        deals_present, lines_present = self.deals_present, self.lines_present
        line_ids = self.line_ids
        currency, program_id, now = self.currency, self.program_id, self.now
        moments: dict[str, _Moment] = {}
        prices: dict[str, _Price] = {}
        positions: dict[str, int] = {}
        width = len(COLUMNS)
        current, line_no, count, blank = "", 0, 0, 0
        deal: _Deal | None = None
        cancelled = numeric = False
        # The previous line's time, customer and territory, as written and as used.
        when_written = ""
        moment: _Moment = (datetime.min.replace(tzinfo=UTC), None, None)
        last_named = last_place = customer = country = ""
        partner_id: int | None = None
        for count, row in enumerate(opened.rows, start=1):  # noqa: B007
            try:
                (invoice, code, written, quantity_text, when, price_text, named,
                 place) = row
            except ValueError:
                if not row:
                    blank += 1
                    continue
                if len(row) < width:
                    raise RetailFormatError(opened.line_number(), "columns",
                                            ",".join(row)) from None
                (invoice, code, written, quantity_text, when, price_text, named,
                 place) = row[:width]
            if when != when_written:
                when_written = when
                found = moments.get(when)
                if found is None:
                    found = moments[when] = self._moment(when, opened.line_number())
                moment = found
            price = prices.get(price_text)
            if price is None:
                price = prices[price_text] = self._price(price_text, opened.line_number())
            try:
                quantity = int(quantity_text)
            except ValueError:
                raise RetailFormatError(opened.line_number(), "Quantity",
                                        quantity_text) from None
            if invoice != current:
                # A new invoice (its lines are usually together): its position count, its
                # deal if one was started, what kind of invoice it is.
                if current:
                    positions[current] = line_no
                current = invoice
                line_no = positions.get(invoice, 0)
                invoice = invoice.strip()
                if not invoice:
                    raise RetailFormatError(opened.line_number(), "InvoiceNo", current)
                deal = deals.get(invoice)
                first = invoice[0]
                cancelled = first == "C" or first == "c"
                numeric = first.isdigit()
            else:
                invoice = deal.invoice if deal is not None else invoice.strip()
            line_no += 1
            code = intern(code.strip())
            if not code:
                raise RetailFormatError(opened.line_number(), "StockCode", code)
            value, unit, exact, sign = price
            if not (sign > 0 and ((quantity > 0 and numeric) or (quantity < 0 and cancelled))):
                reason = skip_reason(invoice, quantity, value)
                if reason is not None:
                    skipped[reason] += 1
                    continue
            if exact:
                amount = quantity * unit
            else:
                amount = pricing.amount_minor(quantity, value)
                if not amount:
                    skipped["below_minor_unit"] += 1
                    continue
            description = intern(written.strip()) or None
            if named != last_named or place != last_place:
                last_named, last_place = named, place
                customer, country = named.strip(), place.strip()
                partner_id = partners_get(country) if customer else None
            if partner_id is None:
                ref = f"{PREFIX}{invoice}:{line_no}"
                if ref in lines_present:
                    report.already_present += 1
                    continue
                if cancelled:
                    kind = "refund"
                else:
                    kind = kinds.get((code, description)) or kinds.setdefault(
                        (code, description),
                        "sale" if is_product_code(code, description or "") else "fee")
                direct.append((program_id, ref, kind, moment[1], code, description, quantity,
                               amount, currency, country or None, now))
            elif cancelled:
                ref = f"{PREFIX}{invoice}:{line_no}"
                if ref in lines_present:
                    report.already_present += 1
                    continue
                refunded = -amount
                line_id = self._refunded_line(partner_id, customer, code, moment[0], refunded)
                refunds.append((partner_id, program_id, "refund", ref, moment[2], customer,
                                f"Customer {customer}", code, description, -quantity,
                                refunded, currency, line_id, f"Cancelled invoice {invoice}",
                                "import", now, now))
            else:
                if deal is None or deal.customer != customer or deal.partner_id != partner_id:
                    if invoice in deals_present:
                        report.already_present += 1
                        continue
                    deal = self._deal(invoice, partner_id, customer, moment,
                                      opened.line_number())
                line_id = next(line_ids)
                deal.amount_minor += amount
                won = (deal.id, "won", products_get(code), code, description, quantity, unit,
                       amount, currency, line_id)
                lines.append(won)
                deal.rows.append(won)
        if current:
            positions[current] = line_no
        report.rows_read = count - blank

    def _deal(self, invoice: str, partner_id: int, customer: str, moment: _Moment,
              line: int) -> _Deal:
        found = self.deals.get(invoice)
        if found is not None:
            # The same invoice number with another customer or territory: the file's
            # invoices have one customer each, so this is not a file of that format.
            if found.customer != customer or found.partner_id != partner_id:
                raise RetailFormatError(line, "CustomerID", customer)
            return found
        deal = self.deals[invoice] = _Deal(invoice, next(self.deal_ids), partner_id,
                                           customer, moment[0], moment[1])
        self.sold.setdefault((partner_id, customer), []).append(deal)
        self.unwritten.append(deal)
        return deal

    def _refunded_line(self, partner_id: int, customer: str, code: str, at: datetime,
                       refunded: int) -> int | None:
        """The latest earlier won line of this partner, customer and stock code with that
        much left to refund: what ``record_refund`` would accept."""
        if not self.stored_sold_loaded:
            self.load_stored_sold()
        for sold in reversed(self.sold.get((partner_id, customer), ())):
            if isinstance(sold, _Deal):
                if sold.at > at:
                    continue
                candidates = [(sold.at, row[9], row[3], row[7]) for row in reversed(sold.rows)
                              if row[3] == code]
            else:
                candidates = [sold] if sold[2] == code else []
            for sold_at, line_id, _sku, amount in candidates:
                if sold_at <= at and amount - self.refunded.get(line_id, 0) >= refunded:
                    self.refunded[line_id] = self.refunded.get(line_id, 0) + refunded
                    self.report.refunds_linked += 1
                    return int(line_id)
        return None

    def load_stored_sold(self) -> None:
        """Won lines of earlier imports, which this file's cancellations may refund, with
        what earlier refunds took from them; they come before this file's lines."""
        self.stored_sold_loaded = True
        refunded = self.session.execute(
            select(SalesTransaction.refund_of_deal_line_id,
                   func.sum(SalesTransaction.amount_minor))
            .where(SalesTransaction.kind == "refund",
                   SalesTransaction.refund_of_deal_line_id.is_not(None))
            .group_by(SalesTransaction.refund_of_deal_line_id)).all()
        for line_id, total in refunded:
            if line_id is not None:
                self.refunded[line_id] = self.refunded.get(line_id, 0) + int(total or 0)
        rows = self.session.execute(
            select(Deal.partner_id, Deal.customer_ref, DealLine.sku, Deal.closed_at,
                   DealLine.id, DealLine.amount_minor)
            .join(Deal, Deal.id == DealLine.deal_id)
            .where(Deal.external_ref.like(f"{PREFIX}%"), Deal.stage == "won",
                   DealLine.kind == "won", DealLine.amount_minor.is_not(None),
                   Deal.customer_ref.is_not(None), Deal.closed_at.is_not(None))
            .order_by(Deal.closed_at, DealLine.id))
        stored: dict[tuple[int, str], list[_Sold]] = {}
        for partner_id, customer, sku, closed, line_id, amount in rows:
            if customer is None or closed is None or amount is None:
                continue
            stored.setdefault((partner_id, customer), []).append(
                (clock.as_utc(closed), line_id, sku, amount))
        for key, earlier in stored.items():
            # In place: this file's deals hold these lists.
            self.sold.setdefault(key, [])[:0] = earlier

    # -- writing ---------------------------------------------------------------------------

    def run(self, path: Path) -> Amounts:
        """Reads the whole file, handing its rows to ``write`` chunk by chunk; returns the
        deals whose amount grew after their row was written (an invoice split across
        chunks, or across the file)."""
        with open_rows(path, self.between_blocks) as opened:
            self.opened = opened
            self.read(opened)
            self.flush()
            if self.progress is not None:
                self.progress(opened.size, opened.size)
        self.report.skipped = dict(sorted(self.skipped.items()))
        return [{"deal_id": d.id, "amount": d.amount_minor} for d in self.deals.values()
                if d.written_minor != d.amount_minor]

    def flush(self) -> None:
        deals = [(d.partner_id, self.program_id, f"Customer {d.customer}", d.customer,
                  d.amount_minor, self.currency, "won", "import", f"{PREFIX}{d.invoice}",
                  d.stored_at, d.stored_at, d.id, d.stored_at, d.stored_at)
                 for d in self.unwritten]
        for deal in self.unwritten:
            deal.written_minor = deal.amount_minor
        self.unwritten.clear()
        report, opened = self.report, self.opened
        read = report.deal_lines + report.direct_sales + len(self.lines) + len(self.direct)
        coming = read if opened is None else read * opened.size // max(1, opened.position())
        self.write(_Rows(deals, self.lines, self.refunds, self.direct, coming))
        report.deals += len(deals)
        report.deal_lines += len(self.lines)
        report.refunds += len(self.refunds)
        report.direct_sales += len(self.direct)
        # Cleared, not replaced: ``read`` holds these very lists.
        self.lines.clear()
        self.refunds.clear()
        self.direct.clear()


def _unset(_rows: _Rows) -> None:
    raise AssertionError("the importer was given nowhere to write")


class _Writer:
    """Writes chunks of rows in the session's transaction. At the first chunk, the rows
    still to come decide whether the tables' indexes are rebuilt rather than kept up
    (``db.bulk.sqlite_indexes_deferred``, entered on ``stack``). ``waits``: the rows come
    from a child process, and this one has time to spare while the child reads the next
    chunk, so the indexes that take the rows in their order are kept up rather than left
    for the end."""

    def __init__(self, session: Session, stack: ExitStack, *, waits: bool) -> None:
        self.session = session
        self.stack: ExitStack | None = stack
        self.waits = waits

    def __call__(self, rows: _Rows) -> None:
        session = self.session
        if self.stack is not None:
            stack, self.stack = self.stack, None
            lines, direct = cast(Table, DealLine.__table__), cast(Table, DirectSale.__table__)
            stack.enter_context(sqlite_indexes_deferred(
                session, [cast(Table, Deal.__table__), lines, direct], rows_coming=rows.coming,
                # The file's order: a deal's lines after it, sales by time, one program.
                in_order=[lines.c.deal_id, direct.c.occurred_at, direct.c.program_id]
                if self.waits else ()))
        for table, columns, chunk in (
                (Deal.__table__, DEAL_COLUMNS, rows.deals),
                (DealLine.__table__, LINE_COLUMNS, rows.lines),
                (SalesTransaction.__table__, REFUND_COLUMNS, rows.refunds),
                (DirectSale.__table__, DIRECT_COLUMNS, rows.direct)):
            if chunk:
                insert_many(session, cast(Table, table), columns, chunk, as_stored=True)


def _read(importer: _Importer, path: Path, progress: bool,
          emit: Callable[[_Rows | tuple[int, int]], None]) -> tuple[ImportReport, Amounts]:
    """In the child process: reads the file, sending rows and progress to the parent."""
    importer.write = emit
    importer.progress = (lambda done, total: emit((done, total))) if progress else None
    amounts = importer.run(path)
    return importer.report, amounts


def _take(write: _Writer, progress: Progress | None, item: _Rows | tuple[int, int]) -> None:
    """In the parent: what the child sent."""
    if isinstance(item, _Rows):
        write(item)
    elif progress is not None:
        progress(*item)


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """The import allocates hundreds of thousands of small tuples that live until their
    chunk is written and forms no reference cycles; the cycle collector, which would walk
    them again and again, waits until the import is done (as bulk loaders do)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_file(session: Session, path: Path, *, program_id: int, currency: str = "GBP",
                partners: Mapping[str, int], products: Mapping[str, int],
                progress: Progress | None = None, apart: bool | None = None) -> ImportReport:
    """Imports the file into the session's transaction; the caller commits.
    ``partners`` maps a country as the file writes it to its partner's id, ``products`` a
    stock code to its product's id. ``progress(done, total)`` is called every few thousand
    lines with the bytes of the file read so far and its size. ``apart``: whether the file
    is read in a second process. By default it is when it can be (SQLite, Linux), the file
    is large (``APART_BYTES``) and no earlier import wrote deals: the child could not read
    their lines when a cancellation needs them, so they would all be read first, and a
    file imported again writes little for a second process to overlap with."""
    importer = _Importer(session, program_id=program_id, currency=currency,
                         partners=partners, products=products)
    can = not importer.postgres and child_process.available()
    if apart is None:
        apart = (can and not importer.deals_present
                 and path.stat().st_size >= APART_BYTES)
    elif apart and not can:
        raise ValueError("A file is read in a second process only on SQLite, on Linux.")
    with _cycle_collector_paused(), ExitStack() as deferred:
        write = _Writer(session, deferred, waits=apart)
        if apart:
            # The child cannot read the database: what it may need from it is read first.
            if not importer.stored_sold_loaded:
                importer.load_stored_sold()
            importer.report, amounts = child_process.run_in_child(
                partial(_read, importer, path, progress is not None),
                partial(_take, write, progress))
        else:
            importer.write, importer.progress = write, progress
            amounts = importer.run(path)
        if amounts:
            table = cast(Table, Deal.__table__)
            session.connection().execute(
                update(table).where(table.c.id == bindparam("deal_id"))
                .values(amount_minor=bindparam("amount")), amounts)
    report = importer.report
    if report.deals or report.deal_lines or report.refunds or report.direct_sales:
        # A file already imported changes nothing, so it leaves no trace either.
        audit.record(session, action="retail.import", target_type="deal",
                     after={"file": path.name[:200], "program_id": program_id,
                            "currency": importer.currency, **asdict(report)})
    return report
