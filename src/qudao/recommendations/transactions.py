"""Load and clean retail transactions into compact numpy arrays for the recommender.

Only what a recommender needs is kept: who bought what, how many and when. Prices are read
with ``Decimal`` solely to drop free lines; no money figure is stored, so no float ever holds
an amount of money.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO

import numpy as np
from numpy.typing import NDArray

# Real products are a 5-digit number, optionally followed by letters (variants: 85123A).
# Everything else in this data is postage, fees, manual adjustments, vouchers or samples.
_PRODUCT_CODE = re.compile(r"^\d{5}[A-Za-z]*$")
# A few service lines hide behind product-shaped codes (23444 "Next Day Carriage"), while
# real products may carry the same words ("BLACK BAROQUE CARRIAGE CLOCK"): a service is
# named by the words alone.
_SERVICE = re.compile(r"^\s*(NEXT DAY\s+)?(CARRIAGE|POSTAGE)\s*$")
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def is_product_code(stock_code: str, description: str = "") -> bool:
    """True for codes that name a sellable product rather than a fee or an adjustment."""
    if not _PRODUCT_CODE.match(stock_code):
        return False
    return _SERVICE.match(description.upper()) is None


def parse_timestamp(text: str) -> int:
    """Seconds since the epoch; the file's UK wall-clock time is read as UTC (DST is noise)."""
    return int(datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC).timestamp())


def to_timestamp(moment: datetime) -> int:
    """Seconds since the epoch of a naive-as-UTC or aware datetime."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


@dataclass
class CleaningReport:
    """How many input lines were dropped, and why (first matching reason wins)."""

    rows_read: int = 0
    rows_kept: int = 0
    cancellations: int = 0
    non_positive_quantity: int = 0
    non_positive_price: int = 0
    non_product_code: int = 0
    missing_customer: int = 0
    malformed: int = 0


@dataclass(frozen=True)
class Transactions:
    """Purchase lines as parallel arrays; indices point into ``user_ids`` / ``item_ids``.

    Splits share the id maps of the set they come from, so indices stay comparable.
    """

    user_index: NDArray[np.int32]
    item_index: NDArray[np.int32]
    quantity: NDArray[np.float32]
    timestamp: NDArray[np.int64]
    invoice_index: NDArray[np.int32]
    user_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    item_names: tuple[str, ...]
    report: CleaningReport = field(default_factory=CleaningReport)

    def __len__(self) -> int:
        return int(self.user_index.shape[0])

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def select(self, mask: NDArray[np.bool_]) -> Transactions:
        """The lines where ``mask`` is true, with the same id maps."""
        return Transactions(
            user_index=self.user_index[mask],
            item_index=self.item_index[mask],
            quantity=self.quantity[mask],
            timestamp=self.timestamp[mask],
            invoice_index=self.invoice_index[mask],
            user_ids=self.user_ids,
            item_ids=self.item_ids,
            item_names=self.item_names,
            report=self.report,
        )

    def fingerprint(self) -> str:
        """SHA-256 of the content, so a saved model can name exactly what it learnt from."""
        digest = hashlib.sha256()
        for array in (
            self.user_index,
            self.item_index,
            self.quantity,
            self.timestamp,
            self.invoice_index,
        ):
            digest.update(np.ascontiguousarray(array).tobytes())
        for names in (self.user_ids, self.item_ids):
            digest.update("\x1f".join(names).encode())
        return digest.hexdigest()


def _clean_rows(
    rows: Iterable[Mapping[str, str]], report: CleaningReport
) -> tuple[list[tuple[str, str, int, int, str]], dict[str, str]]:
    """Kept lines as (customer, code, quantity, timestamp, invoice) and latest descriptions."""
    kept: list[tuple[str, str, int, int, str]] = []
    latest_name: dict[str, str] = {}
    stamp_cache: dict[str, int] = {}
    for row in rows:
        report.rows_read += 1
        try:
            invoice = row["InvoiceNo"].strip()
            code = row["StockCode"].strip()
            description = (row["Description"] or "").strip()
            quantity = int(row["Quantity"])
            price = Decimal(row["UnitPrice"])
            when = row["InvoiceDate"].strip()
            customer = (row["CustomerID"] or "").strip()
            stamp = stamp_cache.get(when)
            if stamp is None:
                stamp = stamp_cache[when] = parse_timestamp(when)
        except (KeyError, ValueError, InvalidOperation, TypeError):
            report.malformed += 1
            continue
        if invoice.upper().startswith("C"):
            report.cancellations += 1
            continue
        if quantity <= 0:
            report.non_positive_quantity += 1
            continue
        if price <= 0:
            report.non_positive_price += 1
            continue
        if not is_product_code(code, description):
            report.non_product_code += 1
            continue
        # The name is learnt before the customer check: anonymous sales still name products.
        if description:
            latest_name[code] = description
        if not customer:
            report.missing_customer += 1
            continue
        # Customer ids come as "17850" or, from some exports, "17850.0".
        if customer.endswith(".0"):
            customer = customer[:-2]
        kept.append((customer, code, quantity, stamp, invoice))
    report.rows_kept = len(kept)
    return kept, latest_name


def parse_transactions(rows: Iterable[Mapping[str, str]]) -> Transactions:
    """Clean dict rows (as from ``csv.DictReader``) into a time-sorted ``Transactions``."""
    report = CleaningReport()
    kept, latest_name = _clean_rows(rows, report)
    user_ids = tuple(sorted({line[0] for line in kept}))
    item_ids = tuple(sorted({line[1] for line in kept}))
    user_pos = {uid: i for i, uid in enumerate(user_ids)}
    item_pos = {iid: i for i, iid in enumerate(item_ids)}
    invoice_pos: dict[str, int] = {}
    n = len(kept)
    user_index = np.empty(n, dtype=np.int32)
    item_index = np.empty(n, dtype=np.int32)
    quantity = np.empty(n, dtype=np.float32)
    timestamp = np.empty(n, dtype=np.int64)
    invoice_index = np.empty(n, dtype=np.int32)
    for i, (customer, code, qty, stamp, invoice) in enumerate(kept):
        user_index[i] = user_pos[customer]
        item_index[i] = item_pos[code]
        quantity[i] = qty
        timestamp[i] = stamp
        invoice_index[i] = invoice_pos.setdefault(invoice, len(invoice_pos))
    # A stable sort keeps file order within the same minute.
    order = np.argsort(timestamp, kind="stable")
    return Transactions(
        user_index=user_index[order],
        item_index=item_index[order],
        quantity=quantity[order],
        timestamp=timestamp[order],
        invoice_index=invoice_index[order],
        user_ids=user_ids,
        item_ids=item_ids,
        item_names=tuple(latest_name.get(code, code) for code in item_ids),
        report=report,
    )


def read_csv_text(text: str) -> Transactions:
    """Clean transactions given as CSV text with the UCI Online Retail header."""
    return parse_transactions(csv.DictReader(io.StringIO(text)))


def open_text(path: str | Path) -> TextIO:
    source = Path(path)
    if source.suffix == ".gz":
        return gzip.open(source, "rt", encoding="utf-8", newline="")
    return source.open(encoding="utf-8", newline="")


def load_transactions(path: str | Path) -> Transactions:
    """Load and clean a CSV file, gzip-compressed when its name ends in ``.gz``."""
    with open_text(path) as handle:
        return parse_transactions(csv.DictReader(handle))


def split_by_date(
    transactions: Transactions, boundary: datetime, end: datetime | None = None
) -> tuple[Transactions, Transactions]:
    """Lines before ``boundary``, and lines from ``boundary`` up to (not including) ``end``."""
    start = to_timestamp(boundary)
    before = transactions.timestamp < start
    after = transactions.timestamp >= start
    if end is not None:
        after &= transactions.timestamp < to_timestamp(end)
    return transactions.select(before), transactions.select(after)



def load_train_test(
    train_path: str | Path, test_path: str | Path
) -> tuple[Transactions, Transactions]:
    """Two files, one id space: the test file's purchases must come after the training
    file's (a temporal split); the split is at the test file's first purchase."""
    with open_text(test_path) as handle:
        test_rows = list(csv.DictReader(handle))
    stamps = [parse_timestamp(r["InvoiceDate"].strip()) for r in test_rows
              if (r.get("InvoiceDate") or "").strip()]
    if not stamps:
        raise ValueError(f"{test_path} holds no dated purchases")
    with open_text(train_path) as handle:
        both = parse_transactions(itertools.chain(csv.DictReader(handle), test_rows))
    return split_by_date(both, datetime.fromtimestamp(min(stamps), tz=UTC))
