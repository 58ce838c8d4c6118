"""The rubric's arithmetic, exact."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from qudao.screening.scoring import CriterionWeight, score, shown

GUIDE = [CriterionWeight("market_coverage", 3000), CriterionWeight("resource_match", 3000),
         CriterionWeight("reputation", 2000), CriterionWeight("culture_fit", 2000)]
SEVEN = Fraction(7)


def rated(*values: str) -> dict[str, Fraction]:
    return {w.key: Fraction(Decimal(v)) for w, v in zip(GUIDE, values, strict=True)}


def test_the_guides_example_scores_7_5_and_passes() -> None:
    result = score(GUIDE, [rated("8", "7", "9", "6")])
    assert result.total == Fraction(15, 2)
    assert result.total >= SEVEN
    assert shown(result.total, SEVEN) == Decimal("7.5")


def test_threshold_boundary_6_99_fails_and_7_00_passes() -> None:
    below = score(GUIDE, [rated("6.99", "6.99", "6.99", "6.99")]).total
    at = score(GUIDE, [rated("7", "7", "7", "7")]).total
    assert below < SEVEN <= at
    # One decimal would show 6.99 as "7.0" next to "excluded": two are shown instead.
    assert shown(below, SEVEN) == Decimal("6.99")
    assert shown(at, SEVEN) == Decimal("7.0")


def test_two_evaluators_are_averaged_per_criterion() -> None:
    result = score(GUIDE, [rated("8", "7", "9", "6"), rated("6", "9", "7", "8")])
    means = {r.key: r.mean for r in result.criteria}
    assert means == {"market_coverage": 7, "resource_match": 8, "reputation": 8,
                     "culture_fit": 7}
    assert result.total == Fraction(3 * 7 + 3 * 8 + 2 * 8 + 2 * 7, 10)


def test_means_that_repeat_do_not_drift_across_the_threshold() -> None:
    # 20/3 and 22/3 at 50/50 are exactly 7: a float or a 28-digit decimal could say 6.999…
    weights = [CriterionWeight("a", 5000), CriterionWeight("b", 5000)]
    evaluations = [{"a": Fraction(6), "b": Fraction(8)}, {"a": Fraction(7), "b": Fraction(7)},
                   {"a": Fraction(7), "b": Fraction(7)}]
    result = score(weights, evaluations)
    assert result.criteria[0].mean == Fraction(20, 3)
    assert result.total == SEVEN


def test_a_criterion_nobody_rated_makes_the_score_incomplete() -> None:
    result = score(GUIDE, [{"market_coverage": Fraction(8)}])
    assert not result.complete
    assert result.total == Fraction(24, 10)


ratings = st.integers(min_value=0, max_value=1000).map(lambda c: Fraction(c, 100))


@given(st.lists(st.tuples(ratings, ratings, ratings, ratings), min_size=1, max_size=4),
       st.integers(min_value=0, max_value=3), st.integers(min_value=0, max_value=3),
       st.integers(min_value=1, max_value=1000))
def test_raising_a_rating_never_lowers_the_score(
    rows: list[tuple[Fraction, ...]], who: int, which: int, step: int
) -> None:
    evaluations = [{w.key: v for w, v in zip(GUIDE, row, strict=True)} for row in rows]
    before = score(GUIDE, evaluations).total
    target = evaluations[who % len(evaluations)]
    key = GUIDE[which].key
    target[key] = min(Fraction(10), target[key] + Fraction(step, 100))
    assert score(GUIDE, evaluations).total >= before
