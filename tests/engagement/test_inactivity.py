""""Signed, then nothing": after N quiet days (the program's, 30 without one) a signed
partner raises one alert; activity resolves it; a new quiet stretch raises a new one; an
acknowledged alert stays quiet."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from qudao.accounts.subject import SYSTEM
from qudao.core import clock
from qudao.db.session import Database
from qudao.deals.models import Deal
from qudao.engagement import alerts, inactivity, meetings
from qudao.engagement.models import Alert
from qudao.engagement.schemas import MeetingCreate
from qudao.programs.models import Program
from qudao.recommendations.models import ApiUsage
from qudao.referrals.models import ReferralEvent
from tests.engagement.conftest import sign
from tests.fixtures.accounts import TwoPartners

SIGNED = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


def _check(db: Database) -> inactivity.Check:
    with db.unit_of_work() as session:
        return inactivity.check(session)


def _alerts(db: Database) -> list[tuple[int | None, bool, str | None]]:
    with db.unit_of_work(read_only=True) as session:
        return [(a.partner_id, a.is_open, a.resolution) for a in
                session.scalars(select(Alert).order_by(Alert.id))]


def _deal(db: Database, partner_id: int) -> None:
    with db.unit_of_work() as session:
        session.add(Deal(partner_id=partner_id, customer_name="Acme", amount_minor=100_00,
                         currency="CNY", stage="registered"))


def test_the_alert_comes_after_n_days_and_goes_with_a_deal(
    db: Database, world: TwoPartners
) -> None:
    with clock.frozen(SIGNED):
        sign(db, world.partner_a)
        clock.advance(timedelta(days=29, hours=23))
        assert _check(db).raised == []
        clock.advance(timedelta(hours=1))
        raised = _check(db).raised
        assert [a.partner_id for a in raised] == [world.partner_a]
        assert _check(db).raised == []  # once only
        with db.unit_of_work(read_only=True) as session:
            alert = session.scalars(select(Alert)).one()
            assert alert.message_params == {"partner": "Alpha Distribution", "days": 30,
                                            "since": "2026-09-01"}
            assert alerts.message(alert, "en") == (
                "Alpha Distribution signed, then nothing: no deal, meeting, referral or API "
                "call for 30 days (quiet since 2026-09-01).")
        clock.advance(timedelta(days=2))
        _deal(db, world.partner_a)
        resolved = _check(db).resolved
        assert [a.partner_id for a in resolved] == [world.partner_a]
        assert _alerts(db) == [(world.partner_a, False, "auto")]
        # Quiet again for N days after the deal: a new alert.
        clock.advance(timedelta(days=30))
        assert len(_check(db).raised) == 1
    assert _alerts(db) == [(world.partner_a, False, "auto"), (world.partner_a, True, None)]


def test_every_kind_of_activity_counts(db: Database, world: TwoPartners) -> None:
    with clock.frozen(SIGNED):
        sign(db, world.partner_a)
        sign(db, world.partner_b)
        clock.advance(timedelta(days=20))
        with db.unit_of_work() as session:
            session.add(ReferralEvent(kind="visit", partner_id=world.partner_a,
                                      visitor_id="v", occurred_at=clock.now(), source="link",
                                      synthetic=False))
            session.add(ApiUsage(day=clock.now().date(), partner_id=world.partner_b,
                                 endpoint="/getRecommendations", calls=3))
        clock.advance(timedelta(days=15))
        assert _check(db).raised == []
        clock.advance(timedelta(days=15))
        assert {a.partner_id for a in _check(db).raised} == {world.partner_a, world.partner_b}


def test_a_meeting_resolves_the_alert_at_once(db: Database, world: TwoPartners) -> None:
    with clock.frozen(SIGNED):
        sign(db, world.partner_a)
        clock.advance(timedelta(days=31))
        _check(db)
        with db.unit_of_work() as session:
            meetings.add_meeting(session, SYSTEM, MeetingCreate(
                partner_id=world.partner_a, held_on=clock.now().date(), notes="Call"))
    assert _alerts(db) == [(world.partner_a, False, "auto")]


def test_an_acknowledged_alert_stays_quiet(db: Database, world: TwoPartners) -> None:
    with clock.frozen(SIGNED):
        sign(db, world.partner_a)
        clock.advance(timedelta(days=30))
        [alert] = _check(db).raised
        with db.unit_of_work() as session:
            alerts.resolve(session, SYSTEM, alert.id)
        clock.advance(timedelta(days=5))
        assert _check(db).raised == []
    assert _alerts(db) == [(world.partner_a, False, "manual")]


def test_the_program_sets_n_and_unsigning_resolves(db: Database, world: TwoPartners) -> None:
    from qudao.partners import service as partners

    with db.unit_of_work() as session:
        session.add(Program(name="Main", company_name="Us", currency="CNY", inactivity_days=10))
    with clock.frozen(SIGNED):
        sign(db, world.partner_a)
        clock.advance(timedelta(days=10))
        assert len(_check(db).raised) == 1
        with db.unit_of_work() as session:
            partners.move_stage(session, SYSTEM, world.partner_a, "on_hold", "Paused")
        assert len(_check(db).resolved) == 1


def test_a_meeting_in_the_past_counts_from_its_day(db: Database, world: TwoPartners) -> None:
    with clock.frozen(SIGNED):
        sign(db, world.partner_a)
        clock.advance(timedelta(days=40))
        with db.unit_of_work() as session:
            meetings.add_meeting(session, SYSTEM, MeetingCreate(
                partner_id=world.partner_a, held_on=date(2026, 9, 5)))
        _check(db)
    # Quiet since the meeting on 5 September: more than 30 days, so still one alert.
    with db.unit_of_work(read_only=True) as session:
        alert = session.scalars(select(Alert)).one()
        assert alert.is_open
        assert alert.message_params["since"] == "2026-09-05"
