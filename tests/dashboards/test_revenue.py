"""Channel revenue by month and by partner, sales credited to no partner and deals by stage,
on SQLite and PostgreSQL: months at their UTC edges, refunds netted in the month they
occur, other programs and currencies left out, zeros for quiet months, grouped queries."""

from __future__ import annotations

from datetime import date

import pytest

from qudao.dashboards.revenue import (
    MonthRevenue,
    PartnerRevenue,
    StageTotal,
    deals_by_stage,
    monthly_direct_sales,
    monthly_revenue,
    revenue_by_partner,
)
from qudao.dashboards.window import Window, latest_month, window_for
from qudao.db.session import Database
from tests.dashboards.builders import deal, direct_sale, partners, program, refund
from tests.fixtures.security import counting_queries

Q3 = Window(date(2011, 7, 1), date(2011, 9, 1))


@pytest.fixture
def shop(db: Database) -> dict[str, int]:
    """Two partners of a GBP program from July to September 2011, and noise around it."""
    gift = program(db)
    other = program(db, name="Older program", currency="CNY")
    uk, fr = partners(db, "United Kingdom", "France")
    # July: UK sells 100.00 on the first instant and 50.00; a refund of 20.00 in July.
    deal(db, uk, gift, 10_000, closed="2011-07-01 00:00")
    deal(db, uk, gift, 5_000, closed="2011-07-31 23:59:59")
    refund(db, uk, gift, "2011-07-15", 2_000)
    # August: nothing at all. September: France 30.00; UK refunds 5.00 of a July sale.
    deal(db, fr, gift, 3_000, closed="2011-09-10 12:00")
    refund(db, uk, gift, "2011-09-02", 500)
    # Outside: June and October, another currency, another program, not won.
    deal(db, uk, gift, 99_900, closed="2011-06-30 23:59:59")
    deal(db, uk, gift, 88_800, closed="2011-10-01 00:00")
    deal(db, fr, gift, 77_700, closed="2011-07-05", currency="USD")
    deal(db, fr, other, 66_600, closed="2011-07-05", currency="CNY")
    deal(db, fr, gift, 55_500, stage="lost", closed="2011-08-03")
    deal(db, fr, gift, 44_400, stage="registered", created="2011-08-20")
    refund(db, fr, gift, "2011-10-01", 1_100)
    # Sales credited to no partner: 12.00 in July, a cancellation of 2.00 in September.
    direct_sale(db, gift, "2011-07-04 10:00", 1_200)
    direct_sale(db, gift, "2011-09-30 23:59:59", -200)
    direct_sale(db, gift, "2011-10-01 00:00", 9_999)
    direct_sale(db, other, "2011-07-04 10:00", 7_777, currency="CNY")
    return {"gift": gift, "other": other, "uk": uk, "fr": fr}


def test_monthly_revenue_nets_refunds_in_their_month_and_keeps_quiet_months(
        db: Database, shop: dict[str, int]) -> None:
    with db.unit_of_work(read_only=True) as session:
        rows = monthly_revenue(session, shop["gift"], Q3)
        uk = monthly_revenue(session, shop["gift"], Q3, partner_id=shop["uk"])
        direct = monthly_direct_sales(session, shop["gift"], Q3)
    assert rows == [MonthRevenue(date(2011, 7, 1), 15_000, 2_000),
                    MonthRevenue(date(2011, 8, 1), 0, 0),
                    MonthRevenue(date(2011, 9, 1), 3_000, 500)]
    assert [r.net_minor for r in rows] == [13_000, 0, 2_500]
    assert [r.net_minor for r in uk] == [13_000, 0, -500]
    assert direct == [(date(2011, 7, 1), 1_200), (date(2011, 8, 1), 0),
                      (date(2011, 9, 1), -200)]


def test_revenue_by_partner_is_largest_first_and_counts_refunds(
        db: Database, shop: dict[str, int]) -> None:
    with db.unit_of_work(read_only=True) as session:
        rows = revenue_by_partner(session, shop["gift"], Q3)
        july = revenue_by_partner(session, shop["gift"], Window(date(2011, 9, 1),
                                                               date(2011, 9, 1)))
    assert rows == [PartnerRevenue(shop["uk"], "United Kingdom", 12_500),
                    PartnerRevenue(shop["fr"], "France", 3_000)]
    # A partner with only a refund in the window has a negative revenue, last.
    assert july == [PartnerRevenue(shop["fr"], "France", 3_000),
                    PartnerRevenue(shop["uk"], "United Kingdom", -500)]


def test_deals_by_stage_counts_deals_registered_or_closed_in_the_window(
        db: Database, shop: dict[str, int]) -> None:
    with db.unit_of_work(read_only=True) as session:
        rows = deals_by_stage(session, shop["gift"], Q3)
        france = deals_by_stage(session, shop["gift"], Q3, partner_id=shop["fr"])
    by_stage = {row.stage: row for row in rows}
    # Won: UK's two July deals, France's September deal, and the USD deal (counted, but
    # its amount is not in GBP).
    assert by_stage["won"] == StageTotal("won", 4, 18_000)
    assert by_stage["lost"] == StageTotal("lost", 1, 55_500)
    assert by_stage["registered"] == StageTotal("registered", 1, 44_400)
    assert by_stage["approved"] == StageTotal("approved", 0, 0)
    assert [row.stage for row in rows] == ["registered", "approved", "rejected", "won", "lost"]
    assert {r.stage: r.count for r in france}["won"] == 2


def test_latest_month_and_the_default_window(db: Database, shop: dict[str, int]) -> None:
    with db.unit_of_work(read_only=True) as session:
        # The October direct sale is the program's latest activity; UK's is its October deal.
        assert latest_month(session, shop["gift"]) == date(2011, 10, 1)
        assert latest_month(session, shop["gift"], shop["uk"]) == date(2011, 10, 1)
        assert latest_month(session, shop["other"], shop["uk"]) is None
        window = window_for(session, shop["gift"], months=4)
        chosen = window_for(session, shop["gift"], end=date(2011, 8, 17), months=2)
    assert (window.first_month, window.last_month) == (date(2011, 7, 1), date(2011, 10, 1))
    assert (chosen.first_month, chosen.last_month) == (date(2011, 7, 1), date(2011, 8, 1))


def test_a_program_without_data_reads_zeros(db: Database) -> None:
    empty = program(db, name="Empty")
    with db.unit_of_work(read_only=True) as session:
        assert latest_month(session, empty) is None
        assert [r.net_minor for r in monthly_revenue(session, empty, Q3)] == [0, 0, 0]
        assert revenue_by_partner(session, empty, Q3) == []
        assert all(r.count == 0 for r in deals_by_stage(session, empty, Q3))


def test_the_figures_take_a_fixed_number_of_queries(db: Database,
                                                    shop: dict[str, int]) -> None:
    """Grouped in SQL: more deals and months add no statements."""
    for month in range(1, 10):
        deal(db, shop["fr"], shop["gift"], 100, closed=f"2011-0{month}-15")
    year = Window(date(2010, 12, 1), date(2011, 11, 1))
    with (db.unit_of_work(read_only=True) as session,
          counting_queries(db.engine) as statements):
        monthly_revenue(session, shop["gift"], year)
        monthly_direct_sales(session, shop["gift"], year)
        revenue_by_partner(session, shop["gift"], year)
        deals_by_stage(session, shop["gift"], year)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 12
