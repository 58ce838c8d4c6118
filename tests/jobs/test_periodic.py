"""The scheduler and the periodic jobs: each enqueued once per period however often
asked, each idempotent; protection expiry and expiring agreements become alerts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from qudao.accounts.subject import SYSTEM
from qudao.core import clock
from qudao.db.session import Database
from qudao.engagement.models import Alert
from qudao.jobs.models import Job
from qudao.jobs.schedule import period_key, schedule
from qudao.jobs.worker import run_due_once
from qudao.programs.models import Program
from tests.fixtures.accounts import make_partner

MONDAY = datetime(2026, 11, 23, 8, 15, tzinfo=UTC)
DAILY = ["agreements_activate", "agreements_expiring", "inactivity_alerts", "purge_jobs",
         "weekly_tasks"]


def _schedule(db: Database) -> list[str]:
    with db.unit_of_work() as session:
        return sorted(job.name for job in schedule(session))


def _alerts(db: Database) -> list[tuple[str, int | None, str, bool]]:
    with db.unit_of_work(read_only=True) as session:
        return [(a.kind, a.partner_id, a.dedupe_key, a.is_open) for a in
                session.scalars(select(Alert).order_by(Alert.id))]


def test_period_keys() -> None:
    assert period_key("hour", MONDAY) == "2026-11-23T08"
    assert period_key("day", MONDAY) == "2026-11-23"
    assert period_key("week", MONDAY) == "2026-W48"


def test_periodic_jobs_are_enqueued_once_per_period(db: Database) -> None:
    with clock.frozen(MONDAY):
        assert _schedule(db) == sorted([*DAILY, "protection_expiry"])
        assert _schedule(db) == []
        clock.advance(timedelta(minutes=50))  # 09:05: a new hour
        assert _schedule(db) == ["protection_expiry"]
        clock.advance(timedelta(days=1))
        assert _schedule(db) == sorted([*DAILY, "protection_expiry"])
    with db.unit_of_work(read_only=True) as session:
        keys = sorted(k for k in session.scalars(select(Job.dedupe_key)) if k)
    assert "protection_expiry:2026-11-23T08" in keys
    assert "weekly_tasks:2026-11-24" in keys


def test_run_due_twice_changes_nothing_more(db: Database) -> None:
    from tests.engagement.conftest import sign

    partner = make_partner(db, "Quiet Partner")
    with clock.frozen(MONDAY - timedelta(days=40)):
        sign(db, partner)
    with clock.frozen(MONDAY):
        first = run_due_once(db)
        assert all(o.ok for o in first), [o.error for o in first]
        assert {o.name for o in first} >= {"weekly_tasks", "inactivity_alerts"}
        snapshot = _alerts(db)
        assert [a[:2] for a in snapshot] == [("signed_then_nothing", partner)]
        assert run_due_once(db) == []
        # The same jobs queued by hand for the same period add nothing either.
        from qudao.jobs.queue import enqueue

        with db.unit_of_work() as session:
            enqueue(session, "weekly_tasks", {})
            enqueue(session, "inactivity_alerts", {})
        assert all(o.ok for o in run_due_once(db))
    assert _alerts(db) == snapshot
    from qudao.engagement.models import FollowUpTask

    with db.unit_of_work(read_only=True) as session:
        assert len(list(session.scalars(select(FollowUpTask)))) == 1


def test_an_expired_protection_becomes_an_alert(db: Database) -> None:
    from qudao.deals import service as deals
    from qudao.deals.schemas import DealCreate

    partner = make_partner(db, "Deal Partner")
    with clock.frozen(MONDAY):
        with db.unit_of_work() as session:
            deal = deals.register(session, SYSTEM, DealCreate(
                partner_id=partner, customer_name="Acme Retail",
                customer_website="https://acme-retail.example", amount="5000.00",
                currency="CNY"), source="staff")
            until = deal.protected_until
        assert until is not None
        clock.freeze(until + timedelta(minutes=1))
        outcomes = run_due_once(db)
        assert all(o.ok for o in outcomes), [o.error for o in outcomes]
        assert run_due_once(db) == []
        clock.advance(timedelta(hours=1))
        assert all(o.ok for o in run_due_once(db))  # the next hour finds nothing new
    assert [(k, p) for k, p, _key, _open in _alerts(db)] == [("protection_expired", partner)]
    with db.unit_of_work(read_only=True) as session:
        alert = session.scalars(select(Alert)).one()
        assert alert.message_params["customer"] == "Acme Retail"
        assert alert.message_params["until"] == until.date().isoformat()


def test_an_agreement_ending_within_90_days_becomes_an_alert(db: Database) -> None:
    from qudao.agreements.models import Agreement

    partner = make_partner(db, "Agreement Partner")
    with db.unit_of_work() as session:
        program = Program(name="Main", company_name="Us", currency="CNY")
        session.add(program)
        session.flush()
        session.add(Agreement(partner_id=partner, program_id=program.id, territory="华东",
                              starts_on=date(2026, 1, 1), ends_on=date(2027, 2, 15),
                              state="active", in_force=True))
    with clock.frozen(MONDAY):  # 84 days before the end
        assert all(o.ok for o in run_due_once(db))
        clock.advance(timedelta(days=1))
        assert all(o.ok for o in run_due_once(db))
    [alert] = _alerts(db)
    assert alert[:2] == ("agreement_expiring", partner)
    with db.unit_of_work(read_only=True) as session:
        found = session.scalars(select(Alert)).one()
        assert found.message_params["ends_on"] == "2027-02-15"


def test_a_signed_agreement_becomes_active_on_its_start(db: Database) -> None:
    from qudao.agreements.models import Agreement

    partner = make_partner(db, "Starting Partner")
    with db.unit_of_work() as session:
        program = Program(name="Main", company_name="Us", currency="CNY")
        session.add(program)
        session.flush()
        agreement = Agreement(partner_id=partner, program_id=program.id, territory="华南",
                              starts_on=date(2026, 11, 24), ends_on=date(2027, 11, 23),
                              state="signed", in_force=True)
        session.add(agreement)
        session.flush()
        agreement_id = agreement.id
    with clock.frozen(MONDAY):
        assert all(o.ok for o in run_due_once(db))
        clock.advance(timedelta(days=1))
        assert all(o.ok for o in run_due_once(db))
    with db.unit_of_work(read_only=True) as session:
        found = session.get(Agreement, agreement_id)
        assert found is not None
        assert found.state == "active"
