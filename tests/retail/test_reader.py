"""Reading the Online Retail format: UK wall-clock time to UTC, positions inside invoices,
gzip or plain text, unreadable lines named by number; the money rules of a line."""

from __future__ import annotations

import gzip
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from qudao.retail import reader
from qudao.retail.reader import RetailColumnsError, RetailFormatError, read_lines
from qudao.retail.rules import Pricing, skip_reason
from qudao.retail.summary import price_list

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def _write(path: Path, body: str, *, compressed: bool) -> Path:
    text = HEADER + body
    if compressed:
        with gzip.open(path, "wt", encoding="utf-8", newline="") as out:
            out.write(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


BODY = (
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER ,6,2010-12-01 08:26:00,2.55,17850,"
    "United Kingdom\n"
    "536365,POST,POSTAGE,1,2010-12-01 08:26:00,18,17850,United Kingdom\n"
    "C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527,United Kingdom\n"
    '558000,"22423","REGENCY CAKESTAND, 3 TIER",2,2011-06-26 10:30:00,12.75,,EIRE\n'
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom\n"
)


@pytest.mark.parametrize("compressed", [True, False])
def test_lines_in_utc_with_their_place_in_the_invoice(tmp_path: Path,
                                                       compressed: bool) -> None:
    path = _write(tmp_path / ("lines.csv.gz" if compressed else "lines.csv"), BODY,
                  compressed=compressed)
    lines = list(read_lines(path))
    assert [(line.invoice, line.line_no) for line in lines] == [
        ("536365", 1), ("536365", 2), ("C536379", 1), ("558000", 1), ("536365", 3)]
    first = lines[0]
    # GMT in December: the wall-clock time is UTC.
    assert first.occurred_at == datetime(2010, 12, 1, 8, 26, tzinfo=UTC)
    assert first.description == "WHITE HANGING HEART T-LIGHT HOLDER"
    assert first.unit_price == Decimal("2.55")
    assert first.quantity == 6
    assert first.customer_ref == "17850"
    assert first.is_product
    assert not first.cancellation
    assert not lines[1].is_product
    assert lines[2].cancellation
    assert lines[2].quantity == -1
    summer = lines[3]
    # BST in June: 10:30 in London is 09:30 UTC.
    assert summer.occurred_at == datetime(2011, 6, 26, 9, 30, tzinfo=UTC)
    assert summer.occurred_at.utcoffset() is not None
    assert summer.customer_ref is None
    assert summer.country == "EIRE"
    assert summer.description == "REGENCY CAKESTAND, 3 TIER"


def test_a_gzip_file_is_known_by_its_content_not_its_name(tmp_path: Path) -> None:
    path = _write(tmp_path / "lines.csv", BODY, compressed=True)
    assert len(list(read_lines(path))) == 5


@pytest.mark.parametrize(("row", "column"), [
    ("536366,22633,HAND WARMER,six,2010-12-01 08:28:00,1.85,17850,United Kingdom", "Quantity"),
    ("536366,22633,HAND WARMER,6,yesterday,1.85,17850,United Kingdom", "InvoiceDate"),
    ("536366,22633,HAND WARMER,6,2010-12-01 08:28:00,cheap,17850,United Kingdom", "UnitPrice"),
    ("536366,22633,HAND WARMER,6", "columns"),
])
def test_an_unreadable_line_is_named_by_its_line_number(tmp_path: Path, row: str,
                                                        column: str) -> None:
    path = _write(tmp_path / "bad.csv", BODY[:BODY.index("\n") + 1] + row + "\n",
                  compressed=False)
    with pytest.raises(RetailFormatError) as raised:
        list(read_lines(path))
    assert raised.value.line == 3
    assert raised.value.field == column
    assert "Line 3" in str(raised.value)


def test_a_file_without_the_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Invoice,Code\n1,2\n", encoding="utf-8")
    with pytest.raises(RetailColumnsError):
        list(read_lines(path))


def test_amounts_are_rounded_once_half_even() -> None:
    pricing = Pricing(2)
    assert pricing.unit_minor(Decimal("2.55")) == (255, True)
    assert pricing.unit_minor(Decimal("0.125")) == (12, False)
    # 0.375 and 0.125 are halves: half-even gives 38 and 12 (half-up would give 38 and 13).
    assert pricing.amount_minor(3, Decimal("0.125")) == 38
    assert pricing.amount_minor(1, Decimal("0.125")) == 12
    assert pricing.amount_minor(-3, Decimal("0.125")) == -38
    assert pricing.amount_minor(1, Decimal("0.001")) == 0
    assert pricing.amount_minor(7, Decimal("3.39")) == 2373


@pytest.mark.parametrize(("invoice", "quantity", "price", "reason"), [
    ("536365", 6, "2.55", None),
    ("C536379", -1, "27.50", None),
    ("536365", 1, "0", "zero_price"),
    ("A563186", 1, "-11062.06", "adjustment"),
    ("A563185", 1, "11062.06", "adjustment"),
    ("536365", -5, "2.55", "adjustment"),
    ("C536379", 2, "2.55", "adjustment"),
    ("536365", 1, "-1", "negative_price"),
    ("536365", 0, "1", "zero_quantity"),
])
def test_what_is_no_sale(invoice: str, quantity: int, price: str, reason: str | None) -> None:
    assert skip_reason(invoice, quantity, Decimal(price)) == reason


def test_price_list_from_small_and_large_quantities() -> None:
    sold: Counter[tuple[int, Decimal]] = Counter({
        (1, Decimal("12.75")): 362, (2, Decimal("12.75")): 326, (6, Decimal("10.95")): 1,
        (16, Decimal("10.95")): 179, (32, Decimal("10.95")): 40, (48, Decimal("12.75")): 2,
    })
    assert price_list(sold) == (Decimal("12.75"), Decimal("10.95"), 16)
    # A lower price on a handful of lines is no volume price.
    few: Counter[tuple[int, Decimal]] = Counter({
        (6, Decimal("2.95")): 435, (6, Decimal("2.55")): 13, (24, Decimal("2.55")): 4})
    assert price_list(few) == (Decimal("2.95"), None, None)
    assert price_list(Counter()) == (None, None, None)


def test_small_blocks_read_the_same_lines_and_line_numbers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A quoted description holding a line break and a doubled quote, then a bad line.
    body = BODY + ('536370,22728,"ALARM CLOCK ""BAKELIKE""\nPINK",24,2010-12-01 08:45:00,'
                   "3.75,12583,France\n") * 3
    path = _write(tmp_path / "lines.csv.gz", body, compressed=True)
    whole = list(read_lines(path))
    monkeypatch.setattr(reader, "READ_BLOCK", 7)
    assert list(read_lines(path)) == whole
    assert whole[-1].description == 'ALARM CLOCK "BAKELIKE"\nPINK'
    assert [line.line_no for line in whole[-3:]] == [1, 2, 3]
    bad = _write(tmp_path / "bad.csv", body + "536371,22728,CLOCK,x,2010-12-01 08:45:00,3.75,,"
                 "France\n", compressed=False)
    with pytest.raises(RetailFormatError) as raised:
        list(read_lines(bad))
    # The header, five lines, three lines of two physical lines each: the bad one is 13th.
    assert raised.value.line == 13
