"""Lines of an Online Retail file (.csv or .csv.gz), streamed and parsed once.

The file's InvoiceDate is the wholesaler's UK wall-clock time: it is read in Europe/London
(GMT in winter, BST in summer) and handed on as aware UTC, as the database stores time.
Prices are kept exactly as written (``Decimal``).

A line that cannot be read (a missing cell, a quantity that is not a whole number, a date or
price that does not parse) raises ``RetailFormatError`` naming the file's line number and
the column, at once: the importer writes in the caller's transaction, so the failure rolls
back everything it wrote and the file is taken whole or not at all.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, cast
from zoneinfo import ZoneInfo

from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_
from qudao.recommendations.transactions import is_product_code
from qudao.retail.rules import is_cancellation

LONDON = ZoneInfo("Europe/London")
COLUMNS = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
           "CustomerID", "Country")
GZIP_MAGIC = b"\x1f\x8b"
# About 3,000 lines of this data: the rhythm of progress reports.
READ_BLOCK = 256 * 1024


@dataclass(frozen=True, slots=True)
class RetailLine:
    invoice: str
    # 1-based position of the line inside its invoice, in file order.
    line_no: int
    stock_code: str
    description: str | None
    quantity: int
    # GBP, exactly as written.
    unit_price: Decimal
    # Aware UTC, from the file's Europe/London wall-clock time.
    occurred_at: datetime
    customer_ref: str | None
    country: str

    @property
    def cancellation(self) -> bool:
        """A leading "C" on the invoice number marks a cancellation."""
        return is_cancellation(self.invoice)

    @property
    def is_product(self) -> bool:
        """A sellable product, not postage, a fee, a discount or a manual adjustment."""
        return is_product_code(self.stock_code, self.description or "")


class RetailFormatError(Unprocessable):
    """A line of the file that cannot be read; nothing of the file is kept."""

    code = "retail_format"

    def __init__(self, line: int, column: str, value: str) -> None:
        super().__init__(N_("Line %(line)s of the file: %(column)s cannot be read "
                            "(\"%(value)s\")."), field=column, line=line, column=column,
                         value=value[:60])
        self.line = line


class RetailColumnsError(Unprocessable):
    code = "retail_columns"

    def __init__(self) -> None:
        super().__init__(N_("The file needs the columns %(columns)s."), field="file",
                         columns=", ".join(COLUMNS))


def london_to_utc(text: str) -> datetime:
    """``YYYY-MM-DD HH:MM[:SS]`` in UK wall-clock time, as aware UTC. A time that occurs
    twice when the clocks go back is taken as its first occurrence (BST); a time the
    clocks skip is read as GMT."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


class Parsing:
    """The caches of one pass over a file: invoices share their timestamp, and a few
    thousand price strings cover every line, so each is parsed once; London's offset from
    UTC is looked up once per hour of the file (it changes only on the hour)."""

    def __init__(self) -> None:
        self.moments: dict[str, datetime] = {}
        self.prices: dict[str, Decimal] = {}
        self._offsets: dict[tuple[date, int], timedelta] = {}

    def moment(self, text: str) -> datetime:
        found = self.moments.get(text)
        if found is None:
            found = self.moments[text] = self.london_to_utc(text)
        return found

    def london_to_utc(self, text: str) -> datetime:
        """As ``london_to_utc``."""
        local = datetime.fromisoformat(text)
        hour = (local.date(), local.hour)
        offset = self._offsets.get(hour)
        if offset is None:
            offset = self._offsets[hour] = LONDON.utcoffset(local) or timedelta(0)
        return (local.replace(tzinfo=None) - offset).replace(tzinfo=UTC)

    def price(self, text: str) -> Decimal:
        found = self.prices.get(text)
        if found is None:
            value = Decimal(text)
            if not value.is_finite():
                raise InvalidOperation(text)
            found = self.prices[text] = value
        return found


@dataclass(frozen=True, slots=True)
class Opened:
    """A file's rows, with how far through the file (bytes of the file on disk, compressed
    or not) the reading is: a progress measure that moves smoothly."""

    rows: Iterator[list[str]]
    position: Callable[[], int]
    size: int
    line_number: Callable[[], int]


class _Blocks:
    """The file as csv readers of ``READ_BLOCK`` bytes of whole lines each (UTF-8, a byte-order
    mark dropped), chained into one stream of rows: the rows are then read at the csv
    module's speed, with no Python step per line. A block never ends inside a quoted
    field, which may hold a line break."""

    def __init__(self, binary: IO[bytes], on_block: Callable[[], None] | None) -> None:
        self.binary = binary
        self.on_block = on_block
        # Lines of the blocks already read, and the reader of the current block.
        self.before = 0
        self.reader: Any = None

    def line_number(self) -> int:
        return self.before + (self.reader.line_num if self.reader is not None else 0)

    def readers(self) -> Iterator[Iterator[list[str]]]:
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        rest = ""
        while True:
            block = self.binary.read(READ_BLOCK)
            text = rest + decoder.decode(block, final=not block)
            cut = len(text)
            if block:
                # After the last line feed that is outside quotes (an even number of quote
                # characters before it; an escaped quote is a pair).
                cut = text.rfind("\n") + 1
                while cut and text.count('"', 0, cut) % 2:
                    cut = text.rfind("\n", 0, cut - 1) + 1
            rest = text[cut:]
            if cut:
                if self.on_block is not None and self.reader is not None:
                    self.on_block()
                if self.reader is not None:
                    self.before += self.reader.line_num
                self.reader = csv.reader(io.StringIO(text[:cut], newline=""))
                yield self.reader
            if not block:
                return


@contextmanager
def open_rows(path: Path, on_block: Callable[[], None] | None = None) -> Iterator[Opened]:
    """The data rows (the header checked and skipped) of a .csv or .csv.gz file; gzip is
    recognised by its magic bytes, not by the name. ``on_block`` is called between two
    blocks of ``READ_BLOCK`` bytes (some thousands of lines)."""
    raw = path.open("rb")
    try:
        size = os.fstat(raw.fileno()).st_size
        compressed = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        binary: IO[bytes] = (cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
                             if compressed else raw)
        blocks = _Blocks(binary, on_block)
        rows = itertools.chain.from_iterable(blocks.readers())
        header = next(rows, None)
        if header is None or [cell.strip() for cell in header[:len(COLUMNS)]] != list(
                COLUMNS):
            raise RetailColumnsError()
        yield Opened(rows, raw.tell, size, blocks.line_number)
    finally:
        raw.close()


def parse_row(row: list[str], parsing: Parsing, line_number: Callable[[], int],
              ) -> tuple[str, str, str | None, int, Decimal, datetime, str | None, str]:
    """One row's values: invoice, stock code, description, quantity, unit price, time (UTC),
    customer, country. Raises ``RetailFormatError`` for a row that cannot be read."""
    if len(row) < len(COLUMNS):
        raise RetailFormatError(line_number(), "columns", ",".join(row))
    invoice, code, description, quantity, when, price, customer, country = row[:8]
    column = "Quantity"
    try:
        amount = int(quantity)
        column = "InvoiceDate"
        moment = parsing.moment(when)
        column = "UnitPrice"
        unit_price = parsing.price(price)
    except (ValueError, InvalidOperation):
        raise RetailFormatError(line_number(), column, row[COLUMNS.index(column)]) from None
    invoice, code = invoice.strip(), code.strip()
    if not invoice:
        raise RetailFormatError(line_number(), "InvoiceNo", invoice)
    if not code:
        raise RetailFormatError(line_number(), "StockCode", code)
    return (invoice, code, description.strip() or None, amount, unit_price, moment,
            customer.strip() or None, country.strip())


def read_lines(path: Path) -> Iterator[RetailLine]:
    """Every line of the file in file order. Raises ``RetailColumnsError`` for a file
    without the expected header and ``RetailFormatError`` at the first unreadable line."""
    parsing = Parsing()
    positions: dict[str, int] = {}
    with open_rows(path) as opened:
        for row in opened.rows:
            if not row:
                continue
            (invoice, code, description, quantity, price, moment, customer,
             country) = parse_row(row, parsing, opened.line_number)
            line_no = positions[invoice] = positions.get(invoice, 0) + 1
            yield RetailLine(invoice, line_no, code, description, quantity, price, moment,
                             customer, country)
