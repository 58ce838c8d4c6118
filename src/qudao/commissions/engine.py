"""The arithmetic of commissions, apart from the database: a plan's terms applied to one
partner's sales and refunds of one period give the lines of its statement.

Amounts are integer minor units of the plan's currency; exact commissions are ``Decimal``
minor units, unrounded until the plan's one rounding point:
- ``line``: each line is rounded on its own, and the statement is their sum;
- ``statement``: the running total is rounded and each line gets the step of the rounded
  running total, so the lines sum exactly to the rounded total of the exact commissions and
  no line is off its exact value by more than one minor unit.

Tiers are measured on the period volume (excluded products left out):
- ``whole``: the rate of the tier the volume reaches applies to every line;
- ``marginal``: each band of the volume is paid at its band's rate. Lines fill the bands in
  date order, so a line that crosses a threshold is paid partly at each rate, and 80,000 +
  70,000 earn exactly what one line of 150,000 earns.
A boundary is inclusive (a volume equal to a threshold reaches its tier) or exclusive (it
must exceed it). Under marginal tiers the boundary decides only which tier is named: the
pay is continuous across it.

A refund claws back the same fraction of what the refunded line earned as the fraction of
its amount refunded."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from qudao.core.money import ROUNDING, RoundingMode, money_context
from qudao.programs.models import CommissionPlan

LineKind = Literal["sale", "clawback", "cap"]
RATE_SHOWN = Decimal("0.000001")
# A clawback's exact value is a fraction of what the line earned and may not terminate
# (a third refunded): it is kept to 10 decimal places of a minor unit.
EXACT = Decimal("1e-10")
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Tier:
    threshold_minor: int
    rate: Decimal


@dataclass(frozen=True, slots=True)
class Terms:
    """What a plan says, as plain values; ``uplift`` is added to every rate (the partner
    tier's bonus) and a rate never goes above 100%."""

    currency: str
    kind: str
    tiers: tuple[Tier, ...]
    tier_mode: str = "whole"
    boundary: str = "inclusive"
    rounding_mode: RoundingMode = "half_up"
    rounding_level: str = "line"
    cap_minor: int | None = None
    excluded_skus: frozenset[str] = field(default_factory=frozenset)
    uplift: Decimal = Decimal(0)

    @classmethod
    def of_plan(cls, plan: CommissionPlan, uplift: Decimal = Decimal(0)) -> Terms:
        if plan.kind == "flat":
            assert plan.flat_rate is not None
            tiers: tuple[Tier, ...] = (Tier(0, plan.flat_rate),)
        else:
            tiers = tuple(Tier(t.threshold_minor, t.rate) for t in plan.tiers)
        mode: RoundingMode = plan.rounding_mode  # type: ignore[assignment]
        return cls(currency=plan.currency, kind=plan.kind, tiers=tiers,
                   tier_mode=plan.tier_mode, boundary=plan.boundary, rounding_mode=mode,
                   rounding_level=plan.rounding_level, cap_minor=plan.cap_minor,
                   excluded_skus=frozenset(plan.excluded_skus or ()), uplift=uplift)

    def with_uplift(self, uplift: Decimal) -> Terms:
        return replace(self, uplift=uplift)

    def reached(self, volume_minor: int) -> int:
        """The index of the tier a period volume reaches."""
        index = 0
        for position, tier in enumerate(self.tiers[1:], start=1):
            if volume_minor > tier.threshold_minor or (
                    self.boundary == "inclusive" and volume_minor == tier.threshold_minor):
                index = position
        return index

    def rate(self, index: int) -> Decimal:
        with money_context():
            return min(self.tiers[index].rate + self.uplift, ONE)

    def round(self, exact_minor: Decimal) -> int:
        with money_context():
            return int(exact_minor.quantize(ONE, rounding=ROUNDING[self.rounding_mode]))


@dataclass(frozen=True, slots=True)
class Sale:
    key: str
    base_minor: int
    sku: str


@dataclass(frozen=True, slots=True)
class Refund:
    """``earned_minor`` is what the refunded line earned in all (0 if it was never
    commissioned); ``fraction`` the part of its amount refunded."""

    key: str
    base_minor: int
    earned_minor: int
    fraction: Decimal


@dataclass(frozen=True, slots=True)
class Line:
    key: str
    kind: LineKind
    base_minor: int
    rate: Decimal
    tier: int | None
    exact_minor: Decimal
    minor: int
    note: str | None = None

    @property
    def rounding_minor(self) -> Decimal:
        with money_context():
            return self.minor - self.exact_minor


def _whole(terms: Terms, sales: Sequence[Sale], volume: int) -> list[tuple[Decimal, int,
                                                                             Decimal]]:
    index = terms.reached(volume)
    rate = terms.rate(index)
    with money_context():
        return [(rate, index + 1, sale.base_minor * rate) for sale in sales]


def _marginal(terms: Terms, sales: Sequence[Sale]) -> list[tuple[Decimal, int, Decimal]]:
    bands = [(tier.threshold_minor,
              terms.tiers[i + 1].threshold_minor if i + 1 < len(terms.tiers) else None,
              terms.rate(i)) for i, tier in enumerate(terms.tiers)]
    filled = 0
    out: list[tuple[Decimal, int, Decimal]] = []
    with money_context():
        for sale in sales:
            low, high = filled, filled + sale.base_minor
            exact = Decimal(0)
            for start, end, rate in bands:
                top = high if end is None else min(high, end)
                if top > max(low, start):
                    exact += (top - max(low, start)) * rate
            filled = high
            index = terms.reached(filled)
            shown = (exact / sale.base_minor).quantize(RATE_SHOWN, rounding=ROUND_HALF_EVEN) \
                if sale.base_minor else terms.rate(index)
            out.append((shown.normalize(), index + 1, exact))
    return out


def _rounded(terms: Terms, exacts: Iterable[Decimal]) -> list[int]:
    if terms.rounding_level == "line":
        return [terms.round(exact) for exact in exacts]
    running, before, out = Decimal(0), 0, []
    with money_context():
        for exact in exacts:
            running += exact
            after = terms.round(running)
            out.append(after - before)
            before = after
    return out


def compute(terms: Terms, sales: Sequence[Sale], refunds: Sequence[Refund] = ()) -> list[Line]:
    """The statement lines of one partner's period, in the order given (sales by date, then
    refunds), and a cap line when the sales earn more than the plan's cap."""
    eligible = [sale for sale in sales if sale.sku not in terms.excluded_skus]
    if terms.tier_mode == "marginal" and len(terms.tiers) > 1:
        priced = iter(_marginal(terms, eligible))
    else:
        priced = iter(_whole(terms, eligible, sum(sale.base_minor for sale in eligible)))
    staged: list[tuple[str, LineKind, int, Decimal, int | None, Decimal, str | None]] = []
    for sale in sales:
        if sale.sku in terms.excluded_skus:
            staged.append((sale.key, "sale", sale.base_minor, Decimal(0), None, Decimal(0),
                           "excluded"))
            continue
        rate, tier, exact = next(priced)
        staged.append((sale.key, "sale", sale.base_minor, rate, tier, exact, None))
    with money_context():
        for refund in refunds:
            exact = (-refund.earned_minor * refund.fraction).quantize(
                EXACT, rounding=ROUND_HALF_EVEN)
            rate = Decimal(0) if not refund.base_minor else (
                exact / refund.base_minor).quantize(RATE_SHOWN).normalize()
            staged.append((refund.key, "clawback", refund.base_minor, rate, None, exact,
                           None if refund.earned_minor else "not_commissioned"))
    minors = _rounded(terms, (item[5] for item in staged))
    lines = [Line(key, kind, base, rate, tier, exact, minor, note)
             for (key, kind, base, rate, tier, exact, note), minor in zip(staged, minors,
                                                                          strict=True)]
    earned = sum(line.minor for line in lines if line.kind == "sale")
    if terms.cap_minor is not None and earned > terms.cap_minor:
        over = terms.cap_minor - earned
        lines.append(Line("cap", "cap", 0, Decimal(0), None, Decimal(over), over, "cap"))
    return lines


def volume(terms: Terms, sales: Iterable[Sale]) -> int:
    return sum(sale.base_minor for sale in sales if sale.sku not in terms.excluded_skus)
