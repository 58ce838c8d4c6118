"""``qudao jobs run-due`` (cron), ``jobs list --failed``, ``jobs retry`` and ``qudao
worker``, through Typer's CliRunner against the test database."""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from qudao.core import clock
from qudao.core.config import Settings
from qudao.db import key_changes
from qudao.db.session import Database
from qudao.jobs import registry
from qudao.jobs.queue import enqueue
from qudao.jobs.worker import work
from qudao.partners.models import Partner
from tests.engagement.conftest import sign
from tests.fixtures.accounts import make_partner
from tests.fixtures.security import run_cli
from tests.jobs.conftest import Calls

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def test_run_due_runs_the_periodic_jobs_once(db: Database, settings: Settings) -> None:
    partner = make_partner(db, "Cron Partner")
    with clock.frozen(NOW - timedelta(days=35)):
        sign(db, partner)
    with clock.frozen(NOW):
        first = run_cli(settings, "jobs", "run-due")
        assert first.exit_code == 0, first.output
        assert "weekly_tasks" in first.output
        assert "inactivity_alerts" in first.output
        second = run_cli(settings, "jobs", "run-due")
        assert second.exit_code == 0, second.output
        assert "0 jobs ran, 0 failed." in second.output
        alerts = run_cli(settings, "cadence", "alerts")
        tasks = run_cli(settings, "cadence", "tasks")
    assert "Cron Partner signed, then nothing" in alerts.output
    assert "Weekly" in tasks.output
    assert "1 of 1 tasks." in tasks.output


def test_failures_are_listed_with_their_error_and_retried(
    db: Database, settings: Settings, calls: Calls
) -> None:
    calls.failures_left = 3
    with clock.frozen(NOW):
        with db.unit_of_work() as session:
            job = enqueue(session, "test_note", {"n": 9})
            assert job is not None
            job_id = job.id
        for _attempt in range(3):
            result = run_cli(settings, "jobs", "run-due")
            assert result.exit_code == 1, result.output
            clock.advance(timedelta(hours=1))
        assert "failed for good: RuntimeError: boom 9" in result.output
        listed = run_cli(settings, "jobs", "list", "--failed")
        assert listed.exit_code == 0
        assert "test_note" in listed.output
        assert "RuntimeError: boom 9" in listed.output
        retried = run_cli(settings, "jobs", "retry", str(job_id))
        assert retried.exit_code == 0, retried.output
        again = run_cli(settings, "jobs", "retry", str(job_id))
        assert again.exit_code == 1
        assert "Only a failed job can be retried." in again.output
        done = run_cli(settings, "jobs", "run-due")
    assert done.exit_code == 0, done.output
    assert f"Job {job_id} (test_note) done." in done.output
    assert run_cli(settings, "jobs", "list", "--failed").output.count("test_note") == 0


def test_the_worker_loop_stops_when_asked(db: Database, calls: Calls) -> None:
    stop = threading.Event()
    seen: list[str] = []

    def report(outcome: object) -> None:
        seen.append(getattr(outcome, "name", ""))
        if "test_note" in seen:
            stop.set()  # as SIGTERM would: the job under way has finished

    with db.unit_of_work() as session:
        enqueue(session, "test_note", {"n": 1})
    ran = work(db, interval=0.05, stop=stop, report=report)
    assert "test_note" in seen
    assert ran == len(seen)
    assert calls.runs == [{"n": 1}]


def test_the_worker_command_is_there(settings: Settings) -> None:
    result = run_cli(settings, "worker", "--help")
    assert result.exit_code == 0
    assert "--interval" in result.output


def test_a_job_that_changes_a_partner_tells_the_running_servers(
        db: Database, settings: Settings) -> None:
    """The servers' key caches listen to the counter in the data directory; a job's change
    must move that counter, on either database, as any command's does."""
    partner_id = make_partner(db, "Renamed By A Job")

    @registry.job("test_rename", max_attempts=1, lease_seconds=60)
    def rename(session: Session, payload: Mapping[str, Any]) -> None:
        found = session.get(Partner, payload["id"])
        assert found is not None
        found.name = "Renamed"

    counter = settings.data_dir / key_changes.FILE_NAME
    before = int.from_bytes(counter.read_bytes()[:8], sys.byteorder) if counter.exists() else 0
    try:
        with db.unit_of_work() as session:
            enqueue(session, "test_rename", {"id": partner_id})
        result = run_cli(settings, "jobs", "run-due")
    finally:
        registry.forget("test_rename")
    assert result.exit_code == 0, result.output
    assert int.from_bytes(counter.read_bytes()[:8], sys.byteorder) > before
