"""One pass over a retail file for what must exist before its lines are imported: the
countries (one partner each), the products with a price list read from the prices the
wholesaler charged, and the months the file covers.

The price list is read from the lines with a customer (the wholesale trade); the lines
without one come from the company's own shop at retail prices, and are used only for a
product that never sold wholesale. The list price is the price most lines of small
quantities (up to ``SMALL_QUANTITY``) were sold at; a volume price is the lower price that
most lines of one larger quantity were sold at, from the smallest such quantity on, when
at least ``VOLUME_MIN_LINES`` lines show it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from qudao.core.money import exponent, from_minor
from qudao.recommendations.transactions import is_product_code
from qudao.retail.reader import Opened, Parsing, open_rows, parse_row
from qudao.retail.rules import Pricing, is_cancellation, skip_reason

Progress = Callable[[int, int], None]
SMALL_QUANTITY = 12
VOLUME_MIN_LINES = 5


@dataclass(frozen=True, slots=True)
class ProductFacts:
    sku: str
    # The latest non-empty description in the file (the SKU itself when there is none).
    name: str
    # GBP as written in the file; None when the product never sold at a positive price.
    list_price: Decimal | None
    volume_price: Decimal | None
    volume_min_quantity: int | None
    # Sale lines (positive quantity and price) and the units they sold.
    lines: int
    units: int


@dataclass
class FileSummary:
    rows: int
    # Net revenue (sales minus cancellations) of the lines with a customer, per country as
    # the file writes it; every country of the file is present, with 0 if it has none.
    countries: dict[str, Decimal]
    products: dict[str, ProductFacts]
    first_day: date | None
    last_day: date | None
    # The first day of each month with lines, in order.
    months: list[date]
    invoices: int = 0
    customers: int = 0
    # Stock codes that are no product (postage, fees, discounts, manual entries).
    fee_codes: set[str] = field(default_factory=set)


@dataclass
class _Code:
    name: str | None = None
    # (quantity, price) -> lines, for the lines with a customer and for the others.
    wholesale: Counter[tuple[int, Decimal]] = field(default_factory=Counter)
    retail: Counter[tuple[int, Decimal]] = field(default_factory=Counter)


def _modal(prices: Counter[Decimal]) -> tuple[Decimal, int]:
    """The price of most lines; on a tie, the higher price."""
    price, lines = max(prices.items(), key=lambda item: (item[1], item[0]))
    return price, lines


def price_list(sold: Counter[tuple[int, Decimal]],
               ) -> tuple[Decimal | None, Decimal | None, int | None]:
    """List price, volume price and the quantity the volume price starts at."""
    if not sold:
        return None, None, None
    small: Counter[Decimal] = Counter()
    every: Counter[Decimal] = Counter()
    by_quantity: dict[int, Counter[Decimal]] = defaultdict(Counter)
    for (quantity, price), lines in sold.items():
        every[price] += lines
        by_quantity[quantity][price] += lines
        if quantity <= SMALL_QUANTITY:
            small[price] += lines
    list_price, _ = _modal(small or every)
    for quantity in sorted(q for q in by_quantity if q > 1):
        price, lines = _modal(by_quantity[quantity])
        if price < list_price and lines >= VOLUME_MIN_LINES:
            return list_price, price, quantity
    return list_price, None, None


def summarise(path: Path, progress: Progress | None = None,
              currency: str = "GBP") -> FileSummary:
    """Reads the whole file once. Money figures use the import's rules (rules.py): the
    same lines count, each rounded once to minor units."""
    parsing = Parsing()
    pricing = Pricing(exponent(currency))
    countries: dict[str, int] = {}
    codes: dict[str, _Code] = {}
    days: set[date] = set()
    invoices: set[str] = set()
    customers: set[str] = set()
    rows = 0
    reading: list[Opened] = []

    def report() -> None:
        if progress is not None and reading:
            progress(reading[0].position(), reading[0].size)

    with open_rows(path, report) as opened:
        reading.append(opened)
        for row in opened.rows:
            if not row:
                continue
            rows += 1
            (invoice, code, description, quantity, price, moment, customer,
             country) = parse_row(row, parsing, opened.line_number)
            if country:
                countries.setdefault(country, 0)
            facts = codes.get(code)
            if facts is None:
                facts = codes[code] = _Code()
            if description:
                facts.name = description
            invoices.add(invoice)
            days.add(moment.date())
            if skip_reason(invoice, quantity, price) is not None:
                continue
            amount = pricing.amount_minor(quantity, price)
            if not amount:
                continue
            if customer is not None:
                customers.add(customer)
                if country:
                    countries[country] += amount
            if not is_cancellation(invoice):
                (facts.wholesale if customer is not None else facts.retail)[
                    (quantity, price)] += 1
        if progress is not None:
            progress(opened.size, opened.size)
    products: dict[str, ProductFacts] = {}
    fees: set[str] = set()
    for code, facts in codes.items():
        if not is_product_code(code, facts.name or ""):
            fees.add(code)
            continue
        sold = facts.wholesale or facts.retail
        list_price, volume_price, volume_from = price_list(sold)
        products[code] = ProductFacts(
            sku=code, name=facts.name or code, list_price=list_price,
            volume_price=volume_price, volume_min_quantity=volume_from,
            lines=sum(facts.wholesale.values()) + sum(facts.retail.values()),
            units=sum(q * n for (q, _), n in (facts.wholesale + facts.retail).items()))
    ordered = sorted(days)
    return FileSummary(
        rows=rows,
        countries={c: from_minor(minor, currency) for c, minor in sorted(countries.items())},
        products=dict(sorted(products.items())),
        first_day=ordered[0] if ordered else None,
        last_day=ordered[-1] if ordered else None,
        months=sorted({day.replace(day=1) for day in ordered}),
        invoices=len(invoices), customers=len(customers), fee_codes=fees)
