"""C13–C16: Decimal money with FloatOperation trapped, ISO 4217 exponents, explicit
rounding, and largest-remainder allocation."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qudao.core.errors import Unprocessable
from qudao.core.money import (
    Money,
    allocate,
    exponent,
    from_minor,
    money_context,
    parse_amount,
    round_amount,
    to_minor,
)


def test_mixing_a_float_into_money_raises() -> None:
    with money_context(), pytest.raises(decimal.FloatOperation):
        _ = Decimal("1.00") < 1.5  # type: ignore[operator]
    with money_context(), pytest.raises(decimal.FloatOperation):
        sorted([Decimal("2.00"), 0.5])  # type: ignore[list-item]


def test_the_money_context_does_not_leak_into_the_default_one() -> None:
    with money_context():
        pass
    assert not decimal.getcontext().traps[decimal.FloatOperation]


@pytest.mark.parametrize("value", [10.1, 10.0, 1e3, True])
def test_parse_amount_refuses_floats(value: object) -> None:
    with pytest.raises(Unprocessable) as raised:
        parse_amount(value, "EUR")
    assert raised.value.field == "amount"


@pytest.mark.parametrize(("value", "currency", "expected"), [
    ("10.10", "EUR", Decimal("10.10")), (" 7 ", "EUR", Decimal(7)), (1000, "JPY", Decimal(1000)),
    ("0.125", "KWD", Decimal("0.125")), ("-3.5", "EUR", Decimal("-3.5")),
])
def test_parse_amount_accepts_exact_amounts(
    value: object, currency: str, expected: Decimal
) -> None:
    assert parse_amount(value, currency) == expected


@pytest.mark.parametrize(("value", "currency"), [
    ("10.101", "EUR"), ("1.5", "JPY"), ("0.1234", "KWD"), ("abc", "EUR"), ("NaN", "EUR"),
    ("Infinity", "EUR"), ("", "EUR"), (None, "EUR"), ("1", "XYZ"),
])
def test_parse_amount_refuses_inexact_or_invalid(value: object, currency: str) -> None:
    with pytest.raises(Unprocessable):
        parse_amount(value, currency)


@pytest.mark.parametrize(("currency", "places"), [
    ("JPY", 0), ("KRW", 0), ("EUR", 2), ("USD", 2), ("CNY", 2), ("KWD", 3), ("BHD", 3),
    ("JOD", 3), ("OMR", 3), ("TND", 3),
])
def test_iso_4217_exponents(currency: str, places: int) -> None:
    assert exponent(currency) == places


@pytest.mark.parametrize(("amount", "currency", "minor"), [
    ("1234", "JPY", 1234), ("12.34", "EUR", 1234), ("1.234", "KWD", 1234),
    ("12345678901234567.89", "EUR", 1234567890123456789),
])
def test_minor_unit_round_trips(amount: str, currency: str, minor: int) -> None:
    assert to_minor(Decimal(amount), currency) == minor
    assert from_minor(minor, currency) == Decimal(amount)
    assert Money.of_minor(minor, currency).minor == minor
    assert str(Money.of_minor(minor, currency)) == f"{Decimal(amount):f} {currency}"


def test_commission_rounding_golden_numbers() -> None:
    """C15 measured: 3 lines × 10.10 at 5%."""
    rate = Decimal("0.05")
    lines = [Decimal("10.10")] * 3
    with money_context():
        per_line_up = sum((round_amount(x * rate, "EUR", "half_up") for x in lines), Decimal(0))
        per_line_even = sum((round_amount(x * rate, "EUR", "half_even") for x in lines),
                            Decimal(0))
        total = sum(lines, Decimal(0)) * rate
    assert per_line_up == Decimal("1.53")
    assert per_line_even == Decimal("1.50")
    assert round_amount(total, "EUR", "half_up") == Decimal("1.52")
    assert round_amount(total, "EUR", "half_even") == Decimal("1.52")


@settings(max_examples=100, deadline=None)
@given(lines=st.lists(st.integers(min_value=0, max_value=10**8), min_size=1, max_size=20),
       rate_bp=st.integers(min_value=0, max_value=10_000),
       mode=st.sampled_from(["half_up", "half_even"]))
def test_per_line_rounding_stays_within_half_a_unit_per_line(
    lines: list[int], rate_bp: int, mode: str
) -> None:
    rate = Decimal(rate_bp).scaleb(-4)
    amounts = [from_minor(m, "EUR") for m in lines]
    with money_context():
        per_line = sum((round_amount(a * rate, "EUR", mode) for a in amounts),  # type: ignore[arg-type]
                       Decimal(0))
        on_total = round_amount(sum(amounts, Decimal(0)) * rate, "EUR", mode)  # type: ignore[arg-type]
        assert abs(per_line - on_total) <= Decimal("0.005") * len(lines) + Decimal("0.005")


def test_allocation_golden_numbers() -> None:
    assert allocate(5, [30, 70]) == [2, 3]
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]
    assert allocate(0, [1, 2]) == [0, 0]
    assert allocate(7, [Decimal("0.5"), Decimal("0.5")]) == [4, 3]


@pytest.mark.parametrize("ratios", [[], [0, 0], [1, -1]])
def test_allocation_refuses_impossible_ratios(ratios: list[int]) -> None:
    with pytest.raises(ValueError, match="ratio"):
        allocate(10, ratios)


@settings(max_examples=200, deadline=None)
@given(total=st.integers(min_value=-(10**12), max_value=10**12),
       ratios=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12)
       .filter(lambda r: sum(r) > 0))
def test_allocation_sums_to_the_whole_and_stays_near_each_share(
    total: int, ratios: list[int]
) -> None:
    parts = allocate(total, ratios)
    assert len(parts) == len(ratios)
    assert sum(parts) == total
    whole = sum(ratios)
    with money_context():
        for part, ratio in zip(parts, ratios, strict=True):
            exact = Decimal(total) * Decimal(ratio) / Decimal(whole)
            assert abs(Decimal(part) - exact) < 1
            if total >= 0:
                assert part >= 0
            if ratio == 0:
                assert part == 0
