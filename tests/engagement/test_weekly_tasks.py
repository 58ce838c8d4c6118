"""Weekly follow-up tasks: one per active (signed) partner and ISO week, for its channel
manager, due on the Friday; a second run adds nothing; a new week adds the next."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from qudao.core import clock
from qudao.db.session import Database
from qudao.engagement import followups
from qudao.engagement.models import FollowUpTask
from tests.engagement.conftest import sign
from tests.fixtures.accounts import TwoPartners, make_partner

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # ISO week 2026-W48


def _tasks(db: Database) -> list[tuple[int, str | None, int | None, date | None]]:
    with db.unit_of_work(read_only=True) as session:
        return [(t.partner_id, t.period_key, t.owner_user_id, t.due_on) for t in
                session.scalars(select(FollowUpTask).order_by(FollowUpTask.partner_id,
                                                              FollowUpTask.period_key))]


def _generate(db: Database) -> int:
    with db.unit_of_work() as session:
        return len(followups.generate_weekly(session))


def test_weekly_tasks_are_made_once_per_partner_and_week(
    db: Database, world: TwoPartners, manager: int
) -> None:
    sign(db, world.partner_a, owner_id=manager)
    sign(db, world.partner_b)
    make_partner(db, "Still a candidate")
    with clock.frozen(MONDAY):
        assert _generate(db) == 2
        clock.advance(timedelta(days=2))
        assert _generate(db) == 0  # the same week again: nothing new
        first_week = _tasks(db)
        assert first_week == [
            (world.partner_a, "2026-W48", manager, date(2026, 11, 27)),
            (world.partner_b, "2026-W48", None, date(2026, 11, 27)),
        ]
        clock.advance(timedelta(days=5))  # Monday of the next week
        assert _generate(db) == 2
        assert _generate(db) == 0
    assert [t[1] for t in _tasks(db)] == ["2026-W48", "2026-W49", "2026-W48", "2026-W49"]


def test_the_iso_week_spans_the_new_year() -> None:
    assert followups.week_key(date(2027, 1, 1)) == "2026-W53"
    assert followups.week_due(date(2027, 1, 1)) == date(2027, 1, 1)
    assert followups.week_key(date(2027, 1, 4)) == "2027-W01"
