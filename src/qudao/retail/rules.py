"""What a line of the file is worth and which lines are no sale at all: one place, so that
the file's summary and the import count the same money.

A line's amount is quantity x unit price, rounded once, half-even, to the currency's minor
unit (a few prices have three decimals, such as 0.001). Lines skipped, with the reason
counted in the import's report:

- ``adjustment``: an accounting entry rather than a sale (an invoice number that is neither
  a number nor a "C" cancellation, such as "A563185 Adjust bad debt"), a negative quantity
  on an invoice that is not a cancellation (stock written off, damages), or a positive
  quantity on a cancellation;
- ``zero_price``: a free line (samples, gifts, stock corrections);
- ``negative_price``: a price below zero;
- ``zero_quantity``: nothing moved;
- ``below_minor_unit``: a line worth less than half a minor unit (1 x 0.001), which rounds
  to nothing: amounts are whole minor units, and a refund of nothing is no refund.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from qudao.core.money import money_context

SKIP_REASONS = ("adjustment", "zero_price", "negative_price", "zero_quantity",
                "below_minor_unit")
_ZERO = Decimal(0)


def is_cancellation(invoice: str) -> bool:
    return invoice[:1] in ("C", "c")


def skip_reason(invoice: str, quantity: int, unit_price: Decimal) -> str | None:
    """Why the line is no sale and no refund, or None for a line that counts."""
    first = invoice[:1]
    cancellation = first in ("C", "c")
    if not (cancellation or first.isdigit()):
        return "adjustment"
    if unit_price == _ZERO:
        return "zero_price"
    if unit_price < _ZERO:
        return "negative_price"
    if quantity == 0:
        return "zero_quantity"
    if (quantity < 0) != cancellation:
        return "adjustment"
    return None


class Pricing:
    """Unit prices in minor units, and line amounts rounded once, with a cache per price:
    a price exact in minor units (nearly all) gives integer arithmetic only."""

    def __init__(self, places: int) -> None:
        self.places = places
        self._units: dict[Decimal, tuple[int, bool]] = {}

    def unit_minor(self, price: Decimal) -> tuple[int, bool]:
        """The unit price in minor units (rounded half-even) and whether that is exact."""
        found = self._units.get(price)
        if found is None:
            with money_context():
                scaled = price.scaleb(self.places)
                rounded = scaled.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
            found = self._units[price] = (int(rounded), rounded == scaled)
        return found

    def amount_minor(self, quantity: int, price: Decimal) -> int:
        """quantity x price in minor units, rounded once, half-even."""
        unit, exact = self.unit_minor(price)
        if exact:
            return quantity * unit
        with money_context():
            return int((price * quantity).scaleb(self.places).quantize(
                Decimal(1), rounding=ROUND_HALF_EVEN))
