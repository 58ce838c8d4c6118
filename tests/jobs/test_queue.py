"""The job queue: a job is enqueued in the caller's transaction and seen only once that
commits; it runs in its own transaction and is marked done there; a failure rolls the
job's work back, is recorded with its error and retried with a delay until the attempts
run out; a job whose worker died is claimed again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from qudao.core import clock
from qudao.db.session import Database
from qudao.jobs import runner
from qudao.jobs.models import Job
from qudao.jobs.queue import enqueue
from tests.jobs.conftest import Calls

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _jobs(db: Database) -> list[Job]:
    with db.unit_of_work(read_only=True) as session:
        rows = list(session.scalars(select(Job).order_by(Job.id)))
        session.expunge_all()
        return rows


def _chains(db: Database) -> int:
    with db.reader.connect() as connection:
        return int(connection.execute(text(
            "SELECT count(*) FROM audit_heads WHERE chain LIKE 'test:%'")).scalar_one())


def _failing_request(db: Database) -> None:
    """A unit of work that enqueues a job and then fails."""
    with db.unit_of_work() as session:
        enqueue(session, "test_note", {"n": 1})
        # Another connection does not see the job before the commit.
        with db.reader.connect() as other:
            assert other.execute(select(func.count()).select_from(Job)).scalar_one() == 0
        raise RuntimeError("the request failed")


def test_a_rolled_back_transaction_leaves_no_job(db: Database, calls: Calls) -> None:
    with pytest.raises(RuntimeError, match="the request failed"):
        _failing_request(db)
    assert _jobs(db) == []
    assert runner.run_due(db) == []
    assert calls.runs == []


def test_a_committed_job_runs_once_and_is_done(db: Database, calls: Calls) -> None:
    with clock.frozen(START):
        with db.unit_of_work() as session:
            enqueue(session, "test_note", {"n": 1})
        outcomes = runner.run_due(db)
    assert [(o.ok, o.attempt) for o in outcomes] == [(True, 1)]
    assert calls.runs == [{"n": 1}]
    [job] = _jobs(db)
    assert (job.state, job.attempts, job.finished_at, job.locked_until) == ("done", 1, START,
                                                                            None)
    assert _chains(db) == 1
    assert runner.run_due(db) == []


def test_a_job_later_than_now_waits(db: Database, calls: Calls) -> None:
    with clock.frozen(START):
        with db.unit_of_work() as session:
            enqueue(session, "test_note", {"n": 1}, run_after=START + timedelta(hours=1))
        assert runner.run_due(db) == []
        clock.advance(timedelta(hours=1))
        assert [o.ok for o in runner.run_due(db)] == [True]


def test_failures_roll_back_are_retried_with_delay_then_fail_for_good(
    db: Database, calls: Calls
) -> None:
    calls.failures_left = 5
    with clock.frozen(START):
        with db.unit_of_work() as session:
            enqueue(session, "test_note", {"n": 7})
        first = runner.run_due(db)
        assert [(o.ok, o.final, o.attempt) for o in first] == [(False, False, 1)]
        [job] = _jobs(db)
        assert job.state == "queued"
        assert job.run_after == START + runner.retry_delay(1) == START + timedelta(seconds=30)
        assert "RuntimeError: boom 7" in (job.last_error or "")
        # The job's own write was rolled back with it.
        assert _chains(db) == 0
        # Not due again until its delay has passed.
        assert runner.run_due(db) == []
        clock.advance(timedelta(seconds=30))
        assert [(o.ok, o.final) for o in runner.run_due(db)] == [(False, False)]
        [job] = _jobs(db)
        assert job.run_after == clock.now() + timedelta(seconds=120)
        clock.advance(timedelta(seconds=120))
        last = runner.run_due(db)
    assert [(o.ok, o.final, o.attempt) for o in last] == [(False, True, 3)]
    [job] = _jobs(db)
    assert (job.state, job.attempts) == ("failed", 3)
    assert "boom 7" in (job.last_error or "")
    assert len(calls.runs) == 3
    assert _chains(db) == 0


def test_a_retry_after_a_failure_succeeds(db: Database, calls: Calls) -> None:
    calls.failures_left = 1
    with clock.frozen(START):
        with db.unit_of_work() as session:
            enqueue(session, "test_note", {"n": 2})
        assert [o.ok for o in runner.run_due(db)] == [False]
        clock.advance(timedelta(minutes=1))
        assert [o.ok for o in runner.run_due(db)] == [True]
    [job] = _jobs(db)
    assert (job.state, job.attempts, job.last_error) == ("done", 2, None)
    assert _chains(db) == 1


def test_a_crashed_workers_job_is_claimed_again(db: Database, calls: Calls) -> None:
    with clock.frozen(START):
        with db.unit_of_work() as session:
            enqueue(session, "test_note", {"n": 3})
        claimed = runner.claim(db)  # the worker dies before running it
        assert claimed is not None
        assert claimed.attempt == 1
        # While its lock holds, nobody else takes it.
        assert runner.claim(db) is None
        clock.advance(timedelta(seconds=61))
        outcomes = runner.run_due(db)
    assert [(o.ok, o.attempt) for o in outcomes] == [(True, 2)]
    assert calls.runs == [{"n": 3}]


def test_a_lost_last_attempt_fails_with_the_reason(db: Database, calls: Calls) -> None:
    with clock.frozen(START):
        with db.unit_of_work() as session:
            job = enqueue(session, "test_note", {"n": 4})
            assert job is not None
            job.max_attempts = 1
        assert runner.claim(db) is not None
        clock.advance(timedelta(minutes=5))
        assert runner.run_due(db) == []
    [job] = _jobs(db)
    assert job.state == "failed"
    assert job.last_error == runner.LOST_WORKER
    assert calls.runs == []


def test_a_dedupe_key_enqueues_once(db: Database, calls: Calls) -> None:
    with db.unit_of_work() as session:
        first = enqueue(session, "test_note", {"n": 5}, dedupe_key="once")
        second = enqueue(session, "test_note", {"n": 6}, dedupe_key="once")
    assert first is not None
    assert second is None
    assert len(_jobs(db)) == 1


def test_an_unknown_job_name_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="no job is named"), db.unit_of_work() as session:
        enqueue(session, "no_such_job", {})
