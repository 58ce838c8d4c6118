"""The demo's referral traffic: synthetic, plausible (each step at most the one before),
and added once."""

from __future__ import annotations

from sqlalchemy import func, select

from qudao.accounts.subject import SYSTEM
from qudao.db.session import Database
from qudao.referrals import funnel
from qudao.referrals.demo import ensure_demo_traffic
from qudao.referrals.models import ReferralEvent
from tests.engagement.conftest import sign
from tests.fixtures.accounts import TwoPartners


def test_demo_traffic_is_synthetic_and_added_once(db: Database, world: TwoPartners) -> None:
    sign(db, world.partner_a)
    with db.unit_of_work() as session:
        added = ensure_demo_traffic(session)
    assert added > 40
    with db.unit_of_work() as session:
        assert ensure_demo_traffic(session) == 0
        assert session.scalar(select(func.count()).select_from(ReferralEvent)
                              .where(ReferralEvent.synthetic.is_(False))) == 0
        assert session.scalar(select(func.count()).select_from(ReferralEvent).where(
            ReferralEvent.partner_id == world.partner_b)) == 0
        found = funnel.funnel(session, SYSTEM, world.partner_a)
    counts = [step.count for step in found.steps]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] > 0
    assert found.synthetic_events == added
