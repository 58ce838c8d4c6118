"""The meter: counts survive a failed write, and a product shown again to the same user on
the same day is not written again."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.recommendations.metering import Meter
from qudao.recommendations.models import ApiUsage, RecommendationShown
from tests.fixtures.accounts import make_partner

DAY = date(2026, 11, 20)


def test_repeats_of_the_same_day_are_counted_but_not_rewritten(
    db: Database, settings: Settings
) -> None:
    partner = make_partner(db, "Metered Ltd")
    meter = Meter(db)
    for _ in range(3):
        meter.record(day=DAY, partner_id=partner, endpoint="getRecommendations",
                     user_id="u1", item_ids=["A", "B"])
        meter.flush()
    assert meter.pending_shown() == set()
    meter.record(day=DAY, partner_id=partner, endpoint="getRecommendations", user_id="u1",
                 item_ids=["A", "C"])
    assert meter.pending_shown() == {(partner, "u1", "C")}
    meter.flush()
    with db.unit_of_work(read_only=True) as session:
        assert session.scalar(select(func.sum(ApiUsage.calls))) == 4
        assert session.scalar(select(func.count()).select_from(RecommendationShown)) == 3


def test_a_failed_flush_keeps_the_counts_for_the_next_one(db: Database) -> None:
    meter = Meter(db)
    # Partner 999 does not exist: the foreign key refuses the write.
    meter.record(day=DAY, partner_id=999, endpoint="getRecommendations", user_id="u1",
                 item_ids=["A"])
    meter.flush()
    assert meter.pending() == 1
