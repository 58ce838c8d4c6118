"""``qudao cadence …`` and ``qudao referrals …`` through Typer's CliRunner."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from qudao.core import clock
from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.engagement.models import FollowUpTask
from tests.engagement.conftest import sign
from tests.fixtures.accounts import TwoPartners
from tests.fixtures.security import run_cli

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_meetings_tasks_and_managers(
    db: Database, settings: Settings, world: TwoPartners, manager: int
) -> None:
    with clock.frozen(NOW):
        assigned = run_cli(settings, "cadence", "manager", "Alpha Distribution",
                           "mei@example.com")
        assert assigned.exit_code == 0, assigned.output
        added = run_cli(settings, "cadence", "meeting", "add", str(world.partner_a),
                        "--held-on", "2026-11-24", "--notes", "Kick-off",
                        "--action", "Send the deck|mei@example.com|2026-11-20",
                        "--action", "Plan the webinar")
        assert added.exit_code == 0, added.output
        assert "2 action items" in added.output
        mine = run_cli(settings, "cadence", "tasks", "--owner", "mei@example.com")
        assert "deck" in mine.output
        assert "overdue" in mine.output
        assert "webinar" in mine.output  # went to the channel manager
        assert "2 of 2 tasks." in mine.output
        with db.unit_of_work(read_only=True) as session:
            task_id = session.scalars(select(FollowUpTask.id).where(
                FollowUpTask.title == "Send the deck")).one()
        assert run_cli(settings, "cadence", "done", str(task_id)).exit_code == 0
        after = run_cli(settings, "cadence", "tasks", "--owner", "mei@example.com")
        assert "deck" not in after.output
        assert "1 of 1 tasks." in after.output
        listed = run_cli(settings, "cadence", "meeting", "list")
        assert "Kick-off" in listed.output
        assert "1/2" in listed.output


def test_bad_input_fails_with_a_message(settings: Settings, world: TwoPartners) -> None:
    unknown = run_cli(settings, "cadence", "manager", str(world.partner_a), "nobody@x.example")
    assert unknown.exit_code == 2
    assert "No staff user has the e-mail address nobody@x.example" in unknown.output
    future = run_cli(settings, "cadence", "meeting", "add", str(world.partner_a),
                     "--held-on", "2999-01-01")
    assert future.exit_code == 2
    mine = run_cli(settings, "cadence", "tasks", "--mine")
    assert mine.exit_code == 2
    assert "QUDAO_USER" in mine.output


def test_alerts_from_the_cli(db: Database, settings: Settings, world: TwoPartners) -> None:
    with clock.frozen(NOW - timedelta(days=31)):
        sign(db, world.partner_b)
    with clock.frozen(NOW):
        assert run_cli(settings, "jobs", "run-due").exit_code == 0
        listed = run_cli(settings, "cadence", "alerts")
        assert "Beta Agency signed, then nothing" in listed.output
        alert_id = listed.output.split()[0].lstrip("#")
        assert run_cli(settings, "cadence", "resolve", alert_id).exit_code == 0
        assert "No open alerts." in run_cli(settings, "cadence", "alerts").output


def test_referrals_from_the_cli(db: Database, settings: Settings, world: TwoPartners) -> None:
    created = run_cli(settings, "referrals", "create", "Beta Agency",
                      "https://shop.example/welcome", "--label", "Webinar",
                      "--base-url", "https://prm.example")
    assert created.exit_code == 0, created.output
    assert "https://prm.example/r/" in created.output
    code = created.output.split("/r/")[1].split()[0]
    bad = run_cli(settings, "referrals", "create", "Beta Agency", "javascript:alert(1)")
    assert bad.exit_code == 2
    visit = run_cli(settings, "referrals", "event", "visit", "--visitor", "cli-v",
                    "--ref", code)
    assert "credited to partner" in visit.output, visit.output
    paid = run_cli(settings, "referrals", "event", "paid", "--visitor", "cli-v", "--amount",
                   "99.00", "--currency", "CNY")
    assert paid.exit_code == 0
    assert f"partner {world.partner_b}" in paid.output
    shown = run_cli(settings, "referrals", "funnel", "Beta Agency", "--format", "json")
    body = json.loads(shown.output)
    assert [s["count"] for s in body["steps"]] == [1, 0, 0, 1]
    assert body["revenue"] == [{"currency": "CNY", "amount": "99.00"}]
    table = run_cli(settings, "referrals", "links")
    assert "Webinar" in table.output
    off = run_cli(settings, "referrals", "switch", "1", "--off")
    assert off.exit_code == 0
