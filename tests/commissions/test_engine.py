"""C15, C20: the commission arithmetic on its own, without a database: the guide's tiers,
threshold boundaries, the rounding golden numbers, currencies of 0 and 3 decimals, the cap,
excluded products and uplifts; then properties of rounding and of marginal tiers."""

from __future__ import annotations

from decimal import Decimal
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qudao.commissions.engine import Line, Refund, Sale, Terms, Tier, compute, volume
from qudao.core.money import ROUNDING, RoundingMode, money_context

MODES: tuple[RoundingMode, ...] = get_args(RoundingMode)
LEVELS = ("line", "statement")
HALF_MODES: tuple[RoundingMode, ...] = ("half_up", "half_even")
GUIDE = (Tier(0, Decimal("0.15")), Tier(10_000_000, Decimal("0.20")))


def guide(tier_mode: str = "marginal", boundary: str = "inclusive",
          rounding_mode: RoundingMode = "half_up", rounding_level: str = "line",
          **extra: object) -> Terms:
    return Terms(currency="CNY", kind="tiered", tiers=GUIDE, tier_mode=tier_mode,
                 boundary=boundary, rounding_mode=rounding_mode,
                 rounding_level=rounding_level, **extra)  # type: ignore[arg-type]


def flat(rate: str, rounding_mode: RoundingMode = "half_up", rounding_level: str = "line",
         currency: str = "CNY", **extra: object) -> Terms:
    return Terms(currency=currency, kind="flat", tiers=(Tier(0, Decimal(rate)),),
                 rounding_mode=rounding_mode, rounding_level=rounding_level,
                 **extra)  # type: ignore[arg-type]


def sales(*amounts: int, sku: str = "A") -> list[Sale]:
    return [Sale(f"s{i}", amount, sku) for i, amount in enumerate(amounts)]


def total(lines: list[Line]) -> int:
    return sum(line.minor for line in lines)


def round_to(exact: Decimal, mode: RoundingMode) -> int:
    with money_context():
        return int(exact.quantize(Decimal(1), rounding=ROUNDING[mode]))


# --- the guide's example -------------------------------------------------------------------

def test_guide_150k_marginal_is_25k_and_whole_is_30k() -> None:
    assert total(compute(guide("marginal"), sales(15_000_000))) == 2_500_000
    assert total(compute(guide("whole"), sales(15_000_000))) == 3_000_000


@pytest.mark.parametrize("tier_mode", ["marginal", "whole"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("level", LEVELS)
def test_80k_plus_70k_earn_what_one_150k_line_earns(tier_mode: str, mode: RoundingMode,
                                                    level: str) -> None:
    terms = guide(tier_mode, rounding_mode=mode, rounding_level=level)
    split = compute(terms, sales(8_000_000, 7_000_000))
    whole = compute(terms, sales(15_000_000))
    expected = 2_500_000 if tier_mode == "marginal" else 3_000_000
    assert total(split) == total(whole) == expected
    assert sum((line.exact_minor for line in split), Decimal(0)) == whole[0].exact_minor
    if tier_mode == "marginal":
        # The second line crosses the threshold: 20,000 at 15% and 50,000 at 20%.
        assert [line.minor for line in split] == [1_200_000, 1_300_000]
        assert [line.tier for line in split] == [1, 2]
    else:
        assert [line.minor for line in split] == [1_600_000, 1_400_000]
        assert {line.rate for line in split} == {Decimal("0.20")}


# --- boundaries (C20) ----------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "boundary", "rate", "tier"), [
    (9_999_999, "inclusive", "0.15", 1), (10_000_000, "inclusive", "0.20", 2),
    (10_000_001, "inclusive", "0.20", 2), (9_999_999, "exclusive", "0.15", 1),
    (10_000_000, "exclusive", "0.15", 1), (10_000_001, "exclusive", "0.20", 2),
])
def test_whole_tier_boundaries(amount: int, boundary: str, rate: str, tier: int) -> None:
    [line] = compute(guide("whole", boundary), sales(amount))
    assert (line.rate, line.tier) == (Decimal(rate), tier)
    assert line.exact_minor == amount * Decimal(rate)


@pytest.mark.parametrize(("amount", "boundary", "exact", "tier"), [
    (9_999_999, "inclusive", "1499999.85", 1), (10_000_000, "inclusive", "1500000.00", 2),
    (10_000_001, "inclusive", "1500000.20", 2), (9_999_999, "exclusive", "1499999.85", 1),
    (10_000_000, "exclusive", "1500000.00", 1), (10_000_001, "exclusive", "1500000.20", 2),
])
def test_marginal_boundaries_pay_continuously_and_name_the_tier(
        amount: int, boundary: str, exact: str, tier: int) -> None:
    [line] = compute(guide("marginal", boundary), sales(amount))
    assert line.exact_minor == Decimal(exact)
    assert line.tier == tier
    assert line.minor == 1_500_000


def test_whole_tiers_jump_at_the_threshold_but_marginal_do_not() -> None:
    below = total(compute(guide("whole"), sales(9_999_999)))
    at = total(compute(guide("whole"), sales(10_000_000)))
    assert (below, at) == (1_500_000, 2_000_000)
    below = total(compute(guide("marginal"), sales(9_999_999)))
    at = total(compute(guide("marginal"), sales(10_000_000)))
    assert at - below == 0


# --- rounding (C15) ------------------------------------------------------------------------

@pytest.mark.parametrize(("mode", "level", "expected"), [
    ("half_up", "line", 153), ("half_even", "line", 150),
    ("half_up", "statement", 152), ("half_even", "statement", 152),
])
def test_golden_three_lines_of_10_10_at_5_percent(mode: RoundingMode, level: str,
                                                  expected: int) -> None:
    lines = compute(flat("0.05", mode, level), sales(1010, 1010, 1010))
    assert [line.exact_minor for line in lines] == [Decimal("50.50")] * 3
    assert total(lines) == expected
    for line in lines:
        assert line.rounding_minor == line.minor - line.exact_minor


def test_statement_level_lines_are_the_steps_of_the_rounded_running_total() -> None:
    lines = compute(flat("0.05", "half_up", "statement"), sales(1010, 1010, 1010))
    # Running exact totals 50.5, 101, 151.5 round to 51, 101, 152.
    assert [line.minor for line in lines] == [51, 50, 51]


def test_half_even_at_statement_level_can_put_a_line_one_full_unit_off() -> None:
    """Running totals 2.5 → 2 and 3.5 → 4: the second line's exact 1 becomes 2. The engine
    promises no more than one unit, which is the tight bound for half-even."""
    lines = compute(flat("0.5", "half_even", "statement"), sales(5, 2))
    assert [line.minor for line in lines] == [2, 2]
    assert lines[1].minor - lines[1].exact_minor == 1


# --- currencies of 0 and 3 decimals ---------------------------------------------------------

def test_jpy_amounts_are_whole_yen() -> None:
    terms = Terms(currency="JPY", kind="tiered",
                  tiers=(Tier(0, Decimal("0.15")), Tier(10_000_000, Decimal("0.20"))),
                  tier_mode="marginal")
    # 15,000,001 yen: 10,000,000 at 15% + 5,000,001 at 20% = 2,500,000.2 yen.
    [line] = compute(terms, sales(15_000_001))
    assert line.exact_minor == Decimal("2500000.20")
    assert line.minor == 2_500_000
    [line] = compute(flat("0.15", currency="JPY"), sales(333))
    assert (line.exact_minor, line.minor) == (Decimal("49.95"), 50)


def test_kwd_amounts_have_three_decimals() -> None:
    # 1,234.567 KWD at 10% = 123.4567 KWD = 123,456.7 fils → 123,457 fils.
    [line] = compute(flat("0.10", currency="KWD"), sales(1_234_567))
    assert line.exact_minor == Decimal("123456.70")
    assert line.minor == 123_457
    [line] = compute(flat("0.10", "down", currency="KWD"), sales(1_234_567))
    assert line.minor == 123_456


# --- cap, excluded products, uplift, refunds -----------------------------------------------

def test_a_cap_adds_a_negative_cap_line_down_to_the_cap() -> None:
    lines = compute(flat("0.10", cap_minor=500_000), sales(3_000_000, 4_000_000))
    assert [line.kind for line in lines] == ["sale", "sale", "cap"]
    assert lines[-1].minor == 500_000 - 700_000
    assert lines[-1].note == "cap"
    assert total(lines) == 500_000
    under = compute(flat("0.10", cap_minor=500_000), sales(4_000_000))
    assert [line.kind for line in under] == ["sale"]


def test_an_excluded_sku_earns_nothing_and_does_not_count_toward_the_tier() -> None:
    terms = guide("whole", excluded_skus=frozenset({"HW"}))
    lines = compute(terms, [Sale("a", 9_000_000, "SW"), Sale("b", 5_000_000, "HW")])
    assert [(line.minor, line.note) for line in lines] == [(1_350_000, None), (0, "excluded")]
    assert lines[0].rate == Decimal("0.15")
    assert volume(terms, [Sale("a", 9_000_000, "SW"), Sale("b", 5_000_000, "HW")]) == 9_000_000


def test_uplift_is_added_to_every_tier_rate_and_capped_at_100_percent() -> None:
    lines = compute(guide("marginal", uplift=Decimal("0.05")), sales(15_000_000))
    # 100,000 at 20% + 50,000 at 25%.
    assert total(lines) == 3_250_000
    [line] = compute(flat("0.90", uplift=Decimal("0.25")), sales(1_000))
    assert (line.rate, line.minor) == (Decimal(1), 1_000)


def test_a_refund_claws_back_its_fraction_of_what_the_line_earned() -> None:
    lines = compute(flat("0.10"), [], [Refund("r", -30_000, 10_000, Decimal("0.3"))])
    assert [(line.kind, line.minor, line.note) for line in lines] == [
        ("clawback", -3_000, None)]
    lines = compute(flat("0.10"), [], [Refund("r", -30_000, 0, Decimal("0.3"))])
    assert [(line.minor, line.note) for line in lines] == [(0, "not_commissioned")]


# --- properties ----------------------------------------------------------------------------

amounts = st.lists(st.integers(min_value=1, max_value=5_000_000), min_size=1, max_size=12)
rates = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("0.5"), places=4)


@st.composite
def tier_tables(draw: st.DrawFn) -> tuple[Tier, ...]:
    thresholds = draw(st.lists(st.integers(1, 20_000_000), min_size=0, max_size=3,
                               unique=True))
    tier_rates = draw(st.lists(rates, min_size=len(thresholds) + 1,
                               max_size=len(thresholds) + 1))
    return tuple(Tier(t, r) for t, r in zip([0, *sorted(thresholds)], tier_rates,
                                             strict=True))


@settings(max_examples=300, deadline=None)
@given(amounts=amounts, rate=rates, mode=st.sampled_from(MODES),
       level=st.sampled_from(LEVELS))
def test_lines_sum_to_the_rounding_levels_total(amounts: list[int], rate: Decimal,
                                                mode: RoundingMode, level: str) -> None:
    lines = compute(flat(str(rate), mode, level), sales(*amounts))
    exacts = [line.exact_minor for line in lines]
    if level == "line":
        assert total(lines) == sum(round_to(exact, mode) for exact in exacts)
        assert all(line.minor == round_to(line.exact_minor, mode) for line in lines)
    else:
        assert total(lines) == round_to(sum(exacts, Decimal(0)), mode)
    # No line is more than one unit off its exact value.
    assert all(abs(line.minor - line.exact_minor) <= 1 for line in lines)


@settings(max_examples=300, deadline=None)
@given(amounts=amounts, tiers=tier_tables(), mode=st.sampled_from(HALF_MODES),
       tier_mode=st.sampled_from(["whole", "marginal"]),
       boundary=st.sampled_from(["inclusive", "exclusive"]))
def test_half_modes_at_statement_level_keep_each_line_within_one_unit(
        amounts: list[int], tiers: tuple[Tier, ...], mode: RoundingMode, tier_mode: str,
        boundary: str) -> None:
    terms = Terms(currency="CNY", kind="tiered", tiers=tiers, tier_mode=tier_mode,
                  boundary=boundary, rounding_mode=mode, rounding_level="statement")
    lines = compute(terms, sales(*amounts))
    assert total(lines) == round_to(sum((ln.exact_minor for ln in lines), Decimal(0)), mode)
    for line in lines:
        off = abs(line.minor - line.exact_minor)
        # Sales only: half-up's running error lies in (-0.5, 0.5], so a step is off by < 1;
        # half-even's in [-0.5, 0.5], so by at most 1.
        assert off < 1 if mode == "half_up" else off <= 1


@settings(max_examples=300, deadline=None)
@given(amounts=amounts, tiers=tier_tables(), boundary=st.sampled_from(["inclusive",
                                                                       "exclusive"]))
def test_marginal_lines_in_any_split_earn_what_one_line_earns(
        amounts: list[int], tiers: tuple[Tier, ...], boundary: str) -> None:
    terms = Terms(currency="CNY", kind="tiered", tiers=tiers, tier_mode="marginal",
                  boundary=boundary)
    split = compute(terms, sales(*amounts))
    [one] = compute(terms, sales(sum(amounts)))
    assert sum((line.exact_minor for line in split), Decimal(0)) == one.exact_minor


def _marginal_exact(terms: Terms, amount: int) -> Decimal:
    return compute(terms, sales(amount))[0].exact_minor


@settings(max_examples=300, deadline=None)
@given(tiers=tier_tables(), amount=st.integers(1, 30_000_000),
       step=st.integers(0, 3_000_000), mode=st.sampled_from(MODES),
       boundary=st.sampled_from(["inclusive", "exclusive"]))
def test_marginal_commission_is_monotone_in_volume(tiers: tuple[Tier, ...], amount: int,
                                                   step: int, mode: RoundingMode,
                                                   boundary: str) -> None:
    terms = Terms(currency="CNY", kind="tiered", tiers=tiers, tier_mode="marginal",
                  boundary=boundary, rounding_mode=mode)
    lower, higher = compute(terms, sales(amount))[0], compute(terms, sales(amount + step))[0]
    assert lower.exact_minor <= higher.exact_minor
    assert lower.minor <= higher.minor


@settings(max_examples=300, deadline=None)
@given(tiers=tier_tables(), mode=st.sampled_from(MODES),
       boundary=st.sampled_from(["inclusive", "exclusive"]))
def test_marginal_commission_is_continuous_at_every_threshold(
        tiers: tuple[Tier, ...], mode: RoundingMode, boundary: str) -> None:
    terms = Terms(currency="CNY", kind="tiered", tiers=tiers, tier_mode="marginal",
                  boundary=boundary, rounding_mode=mode)
    top = max(tier.rate for tier in tiers)
    for tier in tiers[1:]:
        t = tier.threshold_minor
        for low, high in ((t - 1, t), (t, t + 1)):
            exact_step = _marginal_exact(terms, high) - _marginal_exact(terms, low)
            assert 0 <= exact_step <= top
            minor_step = compute(terms, sales(high))[0].minor - compute(terms, sales(low))[0].minor
            # Rounding may move each side by under one unit.
            assert 0 <= minor_step <= top + 1
