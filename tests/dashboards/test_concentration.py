"""Shares, the HHI and the alert: the table cases the guide's numbers rest on, and
properties over any revenues."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qudao.core.money import money_context
from qudao.dashboards.concentration import concentration
from qudao.dashboards.revenue import PartnerRevenue


def _rows(*amounts: int) -> list[PartnerRevenue]:
    return [PartnerRevenue(i + 1, f"P{i + 1}", a) for i, a in enumerate(amounts)]


def test_one_partner_is_10000_and_alerts() -> None:
    found = concentration(_rows(12_345), 40)
    assert found.hhi == 10_000
    assert found.alert
    assert found.level == "high"
    assert found.largest is not None
    assert found.largest.percent == 100


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 10, 25])
def test_n_equal_partners_give_10000_over_n(n: int) -> None:
    found = concentration(_rows(*[999] * n), 100)
    with money_context():
        assert found.hhi == Decimal(10_000) / Decimal(n)
    assert sum(s.percent for s in found.shares) == pytest.approx(100)


@pytest.mark.parametrize(("amounts", "threshold", "alert"), [
    ((40, 60), 60, False),       # exactly met: no alert
    ((40, 60), 59, True),
    ((1, 2), 66, True),          # 66.67 % > 66
    ((1, 2), 67, False),         # 66.67 % < 67 though it shows as 66.7
    ((81, 19), 40, True),        # the gift-ware wholesaler's United Kingdom
    ((25, 25, 25, 25), 25, False),
    ((), 40, False),
])
def test_the_alert_is_strictly_above_the_threshold(amounts: tuple[int, ...], threshold: int,
                                                   alert: bool) -> None:
    assert concentration(_rows(*amounts), threshold).alert is alert


def test_partners_without_positive_revenue_take_no_share() -> None:
    found = concentration(_rows(300, -50, 0, 100), 40)
    assert [s.partner_id for s in found.shares] == [1, 4]
    assert found.total_minor == 400
    assert [s.shown() for s in found.shares] == [Decimal("75.0"), Decimal("25.0")]
    assert found.hhi == 75 * 75 + 25 * 25
    assert concentration(_rows(-5, 0), 40).level == "none"


@given(st.lists(st.integers(min_value=1, max_value=10**12), min_size=1, max_size=30),
       st.integers(min_value=1, max_value=100))
def test_properties(amounts: list[int], threshold: int) -> None:
    found = concentration(_rows(*amounts), threshold)
    n = len(amounts)
    # The HHI lies between 10,000/n (all equal) and 10,000 (one partner).
    with money_context():
        assert Decimal(10_000) / Decimal(n) - Decimal("1e-20") <= found.hhi
    assert found.hhi <= 10_000 + Decimal("1e-20")
    assert [s.net_minor for s in found.shares] == sorted(amounts, reverse=True)
    largest = max(amounts)
    assert found.alert is (largest * 100 > threshold * sum(amounts))
