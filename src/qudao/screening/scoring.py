"""The arithmetic of a weighted rubric, exact: ratings are averaged per criterion over the
evaluators, weighted, and summed. Fractions keep 6.99 below 7.00 however the means fall."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

WHOLE_BP = 10_000


@dataclass(frozen=True)
class CriterionWeight:
    key: str
    weight_bp: int


@dataclass(frozen=True)
class CriterionResult:
    key: str
    weight_bp: int
    mean: Fraction | None
    count: int

    @property
    def contribution(self) -> Fraction:
        return Fraction(0) if self.mean is None else self.mean * self.weight_bp / WHOLE_BP


@dataclass(frozen=True)
class Score:
    criteria: list[CriterionResult]
    total: Fraction
    complete: bool


def check_weights(weights: Sequence[CriterionWeight]) -> None:
    if not weights:
        raise ValueError("a rubric needs at least one criterion")
    if any(w.weight_bp <= 0 for w in weights):
        raise ValueError("every weight must be above 0%")
    if sum(w.weight_bp for w in weights) != WHOLE_BP:
        raise ValueError("weights must sum to 100%")


def score(
    weights: Sequence[CriterionWeight], evaluations: Sequence[Mapping[str, Fraction]]
) -> Score:
    """Weighted total of the evaluators' mean per criterion. A criterion nobody rated
    counts as 0 and makes the score incomplete."""
    results = []
    for weight in weights:
        values = [e[weight.key] for e in evaluations if weight.key in e]
        mean = sum(values, Fraction(0)) / len(values) if values else None
        results.append(CriterionResult(weight.key, weight.weight_bp, mean, len(values)))
    total = sum((r.contribution for r in results), Fraction(0))
    return Score(results, total, all(r.mean is not None for r in results))


def to_decimal(value: Fraction, places: int) -> Decimal:
    """A fraction shown to a number of places, half up (what people expect on a scorecard)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def shown(value: Fraction, threshold: Fraction) -> Decimal:
    """One decimal, or two where one would put the score on the wrong side of the
    threshold: 6.99 must not read as 7.0 next to "excluded"."""
    one = to_decimal(value, 1)
    if (Fraction(one) >= threshold) != (value >= threshold):
        return to_decimal(value, 2)
    return one
