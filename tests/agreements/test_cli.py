"""``qudao agreements …``: draft, sign (blocked, then allowed), onboarding, tick, invite,
renew, terminate, and the contract file."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from qudao.accounts.invitation_models import Invitation
from qudao.accounts.roles import Role
from qudao.agreements.cli import parse_kpi, parse_milestone
from qudao.audit.models import AuditEntry
from qudao.core.config import Settings
from qudao.db.session import Database
from tests.agreements.builders import complete_diligence, make_program
from tests.fixtures.accounts import make_partner, make_user
from tests.fixtures.security import run_cli


def test_parsing_kpis_and_milestones() -> None:
    assert parse_kpi("channel_revenue:100000.00:quarter").model_dump() == {
        "metric": "channel_revenue", "target": "100000.00", "period": "quarter"}
    hand = parse_milestone("Kick-off: workshop held:2026-02-01")
    assert (hand.title, hand.due_on.isoformat(), hand.metric) == (
        "Kick-off: workshop held", "2026-02-01", None)
    measured = parse_milestone("First quarter: 10 pilot customers:2026-03-31:"
                               "pilot_customers:10")
    assert (measured.title, measured.metric, measured.target) == (
        "First quarter: 10 pilot customers", "pilot_customers", "10")


def test_the_agreement_commands(db: Database, settings: Settings, tmp_path: Path) -> None:
    manager = make_user(db, "mei@example.com", Role.CHANNEL_MANAGER)
    partner = make_partner(db, "Cli Partner", owner_id=str(manager))
    program_id, plan_id = make_program(db)
    created = run_cli(settings, "agreements", "create", "--partner", str(partner),
                      "--program", str(program_id), "--plan", str(plan_id),
                      "--territory", "East China", "--start", "2026-01-01",
                      "--end", "2026-12-31", "--exclusive",
                      "--kpi", "channel_revenue:100000.00:quarter",
                      "--milestone", "First quarter: 10 pilot customers:2026-03-31:"
                      "pilot_customers:10",
                      "--milestone", "Kick-off:2026-02-01")
    assert created.exit_code == 0, created.output
    assert "Drafted agreement 1." in created.output
    bad = run_cli(settings, "agreements", "create", "--partner", str(partner),
                  "--program", str(program_id), "--territory", "X", "--start", "2026-01-01",
                  "--end", "2026-12-31", "--kpi", "revenue=100")
    assert bad.exit_code == 2
    assert "METRIC:TARGET:PERIOD" in bad.output

    blocked = run_cli(settings, "agreements", "sign", "1")
    assert blocked.exit_code == 1
    assert "Signing is blocked until the required due-diligence checks are done" in \
        blocked.output
    complete_diligence(db, partner)
    signed = run_cli(settings, "agreements", "sign", "1", "--lang", "en")
    assert signed.exit_code == 0, signed.output
    assert "Agreement 1 is signed." in signed.output
    assert "Onboarding: 1 of 6 steps done (17%)" in signed.output

    refused = run_cli(settings, "agreements", "tick", "1", "api_key")
    assert refused.exit_code == 2
    assert "ticks itself from the data" in refused.output
    ticked = run_cli(settings, "agreements", "tick", "1", "training")
    assert ticked.exit_code == 0, ticked.output
    assert "2 of 6 steps done" in ticked.output

    invited = run_cli(settings, "agreements", "invite", "--partner", str(partner),
                      "--email", "lin@cli.example", "--role", "partner_admin",
                      "--base-url", "https://prm.example.com")
    assert invited.exit_code == 0, invited.output
    link = next(line for line in invited.output.splitlines()
                if line.startswith("https://prm.example.com/invite/"))
    token = link.rsplit("/", 1)[1]
    with db.unit_of_work(read_only=True) as session:
        invitation = session.scalar(select(Invitation))
        assert invitation is not None
        assert invitation.role == "partner_admin"
        assert token not in (invitation.token_digest or "")

    early = run_cli(settings, "agreements", "renew", "1", "--until", "2027-12-31")
    assert early.exit_code == 1
    assert "activate it first" in early.output
    assert run_cli(settings, "agreements", "activate", "1").exit_code == 0
    renewed = run_cli(settings, "agreements", "renew", "1", "--until", "2027-12-31")
    assert "renewed until 2027-12-31" in renewed.output
    listed = run_cli(settings, "agreements", "list", "--format", "json")
    rows = json.loads(listed.output.strip().splitlines()[-1])
    assert [(r["id"], r["state"], r["partner"]) for r in rows] == [(1, "renewed",
                                                                     "Cli Partner")]
    output = tmp_path / "contract.docx"
    written = run_cli(settings, "agreements", "contract", "1", "--format", "docx",
                      "-o", str(output))
    assert written.exit_code == 0, written.output
    assert output.read_bytes().startswith(b"PK")
    ended = run_cli(settings, "agreements", "terminate", "1", "--reason", "Merged away")
    assert "Agreement 1 is terminated." in ended.output
    shown = run_cli(settings, "agreements", "show", "1")
    assert "Terminated" in shown.output
    with db.unit_of_work(read_only=True) as session:
        actors = set(session.scalars(select(AuditEntry.actor_type).where(
            AuditEntry.action == "agreement.terminate")))
    assert actors == {"cli"}
