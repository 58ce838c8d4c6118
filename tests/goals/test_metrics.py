"""The metric catalogue computed on fixture data, on SQLite and PostgreSQL: what counts,
what does not, a window's edges, and no data reading 0. ``series`` gives the same numbers
as ``measure`` at every instant, with one grouped query."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from qudao.db.session import Database
from qudao.goals.metrics import CATALOGUE, MetricKey, day_start, measure, series
from tests.fixtures.security import counting_queries
from tests.goals.builders import (
    at,
    make_program,
    partners,
    registered_deal,
    signed,
    won_deal,
)

START, END = at("2026-12-01"), at("2027-01-01")
KEYS: list[MetricKey] = list(CATALOGUE)


def _measure(db: Database, key: MetricKey, **options: object) -> Decimal:
    with db.unit_of_work(read_only=True) as session:
        return measure(session, key, start=options.pop("start", START),  # type: ignore[arg-type]
                       end=options.pop("end", END), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", KEYS)
def test_a_metric_over_no_data_reads_0(db: Database, key: MetricKey) -> None:
    alpha, = partners(db, "Alpha Distribution")
    options = {"currency": "CNY", "partner_id": alpha if key == "pilot_customers" else None}
    assert _measure(db, key, **options) == 0
    instants = [START + timedelta(days=d) for d in range(0, 32, 7)]
    with db.unit_of_work(read_only=True) as session:
        assert series(session, key, start=START, instants=instants,
                      **options) == [0] * len(instants)  # type: ignore[arg-type]


@pytest.fixture
def channel(db: Database) -> dict[str, int]:
    """Two partners' deals around December 2026."""
    alpha, beta, gamma = partners(db, "Alpha Distribution", "Beta Agency", "Gamma Systems")
    # Alpha: two new customers in December, one of them bought again; one customer won
    # before December (not new in December); a deal on the first instant after the window.
    won_deal(db, alpha, "Acme Retail", "2026-12-01 00:00", "1000.00", domain="acme.cn")
    won_deal(db, alpha, "ACME retail again", "2026-12-20 09:00", "500.00", domain="acme.cn")
    won_deal(db, alpha, "Bright Foods", "2026-12-31 23:59:59", "250.50")
    won_deal(db, alpha, "Old Customer", "2026-11-15", "700.00")
    won_deal(db, alpha, "Old Customer", "2026-12-05", "300.00")
    won_deal(db, alpha, "January Co", "2027-01-01 00:00", "999.00")
    # Beta: one new customer, paid in another currency (left out of CNY revenue).
    won_deal(db, beta, "Dollar Corp", "2026-12-10", "400.00", currency="USD")
    registered_deal(db, beta, "Pending Co", "2026-12-02")
    registered_deal(db, gamma, "Later Co", "2027-01-03")
    signed(db, alpha, "2026-11-20")
    signed(db, beta, "2026-12-03")
    signed(db, gamma, "2026-12-15")
    signed(db, gamma, "2026-12-16")  # signed twice: one partner
    return {"alpha": alpha, "beta": beta, "gamma": gamma}


def test_flow_metrics_count_what_happened_in_the_window(
    db: Database, channel: dict[str, int]
) -> None:
    # Acme (Dec 1, the first instant), Bright Foods (Dec 31 23:59:59), Dollar Corp.
    assert _measure(db, "new_customers") == 3
    assert _measure(db, "new_customers", partner_id=channel["alpha"]) == 2
    assert _measure(db, "pilot_customers", partner_id=channel["beta"]) == 1
    assert _measure(db, "channel_revenue", currency="CNY") == Decimal("2050.50")
    assert _measure(db, "channel_revenue", currency="USD") == Decimal("400.00")
    assert _measure(db, "channel_revenue") == 0  # no currency named: nothing to add up
    # Every deal created in December, won or not (created_at of the won ones = closed).
    assert _measure(db, "deals_registered") == 6
    assert _measure(db, "signed_partners") == 2
    assert _measure(db, "new_customers", start=at("2027-01-01"), end=at("2027-02-01")) == 1


def test_active_partners_is_read_at_the_end_of_the_window(
    db: Database, channel: dict[str, int]
) -> None:
    assert _measure(db, "active_partners", end=at("2026-12-01")) == 1  # Alpha, Nov 15
    assert _measure(db, "active_partners", end=at("2027-01-01")) == 2
    # The 90 days before an instant include their first instant: Beta's deal of Dec 10
    # 00:00 keeps it active until Mar 10 00:00; Alpha's of Jan 1 00:00 until Apr 1 00:00.
    assert _measure(db, "active_partners", end=at("2027-03-10")) == 2
    assert _measure(db, "active_partners", end=at("2027-03-10 00:00:01")) == 1
    assert _measure(db, "active_partners", end=at("2027-04-01")) == 1
    assert _measure(db, "active_partners", end=at("2027-04-01 00:00:01")) == 0


def test_a_program_counts_its_deals_and_those_of_no_program(db: Database) -> None:
    alpha, = partners(db, "Alpha Distribution")
    mine, other = make_program(db, "Mine"), make_program(db, "Other")
    won_deal(db, alpha, "Ours", "2026-12-02", "100.00", program_id=mine)
    won_deal(db, alpha, "Unassigned", "2026-12-03", "100.00")
    won_deal(db, alpha, "Theirs", "2026-12-04", "100.00", program_id=other)
    assert _measure(db, "new_customers") == 3
    assert _measure(db, "new_customers", program_id=mine) == 2
    assert _measure(db, "channel_revenue", currency="CNY", program_id=mine) == Decimal("200.00")


@pytest.mark.parametrize("key", KEYS)
def test_series_matches_measure_at_every_instant_with_one_query(
    db: Database, channel: dict[str, int], key: MetricKey
) -> None:
    options: dict[str, object] = {"currency": "CNY"}
    if key == "pilot_customers":
        options["partner_id"] = channel["alpha"]
    instants = [day_start((START + timedelta(days=d)).date()) for d in range(0, 32)]
    instants.append(at("2027-01-01 12:30"))  # "now", within a day
    with db.unit_of_work(read_only=True) as session, counting_queries(db.engine) as queries:
        values = series(session, key, start=START, instants=instants,
                        **options)  # type: ignore[arg-type]
    selects = [q for q in queries if q.lstrip().upper().startswith("SELECT")]
    # A level adds an exact reading at "now", which falls within a day.
    assert len(selects) == (2 if key == "active_partners" else 1), selects
    for instant, value in zip(instants, values, strict=True):
        if CATALOGUE[key].kind == "level":
            expected = _measure(db, key, start=instant, end=instant, **options)
        else:
            expected = _measure(db, key, end=instant, **options)
        assert value == expected, (key, instant)


def test_series_refuses_instants_out_of_order(db: Database) -> None:
    with db.unit_of_work(read_only=True) as session, pytest.raises(ValueError, match="order"):
        series(session, "new_customers", start=START, instants=[END, START])
    with db.unit_of_work(read_only=True) as session, pytest.raises(ValueError, match="last"):
        series(session, "new_customers", start=START,
               instants=[at("2026-12-02 10:00"), END])
