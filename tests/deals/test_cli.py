"""``qudao deals …`` as a channel manager runs it: register, refuse a protected customer
with its date (and keep the attempt for staff), approve, win with lines, assign, extend."""

from __future__ import annotations

import json

from qudao.accounts.roles import Role
from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import TwoPartners, make_user
from tests.fixtures.security import count, run_cli


def _register(settings: Settings, partner: int, *extra: str) -> tuple[int, str]:
    result = run_cli(settings, "deals", "register", "--partner", str(partner), "--customer",
                     "Acme Retail", "--amount", "12500.00", "--currency", "CNY", *extra)
    # Rich wraps long messages; the words are what matter.
    return result.exit_code, " ".join(result.output.split())


def test_the_deal_commands(settings: Settings, db: Database, world: TwoPartners) -> None:
    make_user(db, "rep@example.com", Role.CHANNEL_MANAGER)
    code, output = _register(settings, world.partner_a, "--domain", "acme-retail.cn",
                             "--product", "QD-CLOUD:2", "--tax-id", "9131 0000")
    assert code == 0, output
    deal_id = int(output.strip().splitlines()[-1])
    code, output = _register(settings, world.partner_b, "--domain", "www.acme-retail.cn")
    assert code == 1
    assert "protected until" in output
    assert "Alpha" not in output
    assert count(db, "deal_conflicts") == 1
    code, output = _register(settings, world.partner_b)
    assert code == 2
    assert "one of them is needed" in output
    code, output = _register(settings, world.partner_b, "--domain", "b.cn", "--product", "X")
    assert code == 2
    assert "SKU:QUANTITY" in output

    listed = run_cli(settings, "deals", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    (item,) = json.loads(listed.output.strip().splitlines()[-1])
    assert (item["id"], item["partner_name"], item["conflict_count"]) == (
        deal_id, "Alpha Distribution", 1)
    shown = run_cli(settings, "deals", "show", str(deal_id))
    assert "Beta Agency" in shown.output
    assert "domain:acme-retail.cn" in shown.output

    assert run_cli(settings, "deals", "win", str(deal_id), "--line",
                   "QD-CLOUD:2:10.00").exit_code == 1  # not approved yet
    assert run_cli(settings, "deals", "approve", str(deal_id)).exit_code == 0
    won = run_cli(settings, "deals", "win", str(deal_id), "--line", "QD-CLOUD:2:4999.00",
                  "--line", "QD-SEAT:10:120.50")
    assert won.exit_code == 0, won.output
    assert "¥11,203.00" in won.output
    assigned = run_cli(settings, "deals", "assign", str(deal_id), "--rep", "rep@example.com")
    assert assigned.exit_code == 0, assigned.output
    assert run_cli(settings, "deals", "assign", str(deal_id), "--rep",
                   "nobody@example.com").exit_code == 2
    assert run_cli(settings, "deals", "list", "--stage", "won").output.count("Acme") == 1

    code, output = _register(settings, world.partner_b, "--domain", "other.cn")
    other = int(output.strip().splitlines()[-1])
    assert run_cli(settings, "deals", "extend", str(other)).exit_code == 2
    asked = run_cli(settings, "deals", "extend", str(other), "--request", "Long cycle")
    assert asked.exit_code == 0
    assert "Extension requested" in asked.output
    granted = run_cli(settings, "deals", "extend", str(other), "--grant")
    assert granted.exit_code == 0
    assert "Extension granted" in granted.output
    rejected = run_cli(settings, "deals", "reject", str(other), "--reason", "Duplicate")
    assert rejected.exit_code == 0
    assert "Rejected" in rejected.output
    assert run_cli(settings, "deals", "expire").exit_code == 0
