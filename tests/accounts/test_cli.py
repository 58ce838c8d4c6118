"""The account and partner commands, against the test database, as an operator runs them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qudao.accounts import tokens
from qudao.core.config import Settings
from qudao.db.session import Database
from tests.fixtures.accounts import bearer, make_partner
from tests.fixtures.security import count, post_login, run_cli, text_dump


def _last_line(output: str) -> str:
    return output.strip().splitlines()[-1].strip()


def test_partner_add_prints_the_id(db: Database, settings: Settings) -> None:
    result = run_cli(settings, "partner", "add", "Gamma Reseller")
    assert result.exit_code == 0, result.output
    partner_id = int(_last_line(result.stdout))
    assert count(db, "partners", "id = :id AND name = 'Gamma Reseller'", id=partner_id) == 1
    assert count(db, "audit_log", "action = 'partner.create' AND actor_type = 'cli'") == 1


def test_user_add_with_a_password_from_stdin_can_sign_in(
    client: TestClient, db: Database, settings: Settings
) -> None:
    partner = make_partner(db, "Delta Partners")
    result = run_cli(settings, "user", "add", "dee@delta.example", "--role", "partner_admin",
                     "--partner", str(partner), "--password-stdin",
                     input="a long stdin password\n")
    assert result.exit_code == 0, result.output
    assert "dee@delta.example" in result.output
    assert "a long stdin password" not in result.output
    assert post_login(client, "dee@delta.example", "a long stdin password").status_code == 303


def test_apikey_create_list_revoke(
    client: TestClient, db: Database, settings: Settings
) -> None:
    partner = make_partner(db, "Epsilon Co")
    created = run_cli(settings, "apikey", "create", "--partner", str(partner))
    assert created.exit_code == 0, created.output
    key = _last_line(created.stdout)
    assert tokens.well_formed(key)
    assert key not in text_dump(db)
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 200

    listed = run_cli(settings, "apikey", "list")
    assert listed.exit_code == 0, listed.output
    assert key not in listed.output
    assert key[:13] in listed.output
    assert "active" in listed.output

    key_id = count(db, "api_keys")
    revoked = run_cli(settings, "apikey", "revoke", str(key_id))
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 401
    assert "revoked" in run_cli(settings, "apikey", "list").output
    assert count(db, "audit_log", "action = 'api_key.revoke'") == 1


BAD_INPUT: list[tuple[str, ...]] = [
    ("partner", "add", ""),
    ("apikey", "create", "--partner", "999999"),
    ("apikey", "revoke", "999999"),
    ("user", "add", "not-an-email", "--role", "admin"),
    ("user", "add", "x@example.com", "--role", "emperor"),
    ("user", "add", "y@example.com", "--role", "partner_member"),
    ("user", "set-password", "nobody@example.com"),
]


def test_bad_input_exits_non_zero_with_a_message(db: Database, settings: Settings) -> None:
    before = count(db, "audit_log")
    for args in BAD_INPUT:
        result = run_cli(settings, *args, input="a long enough password\n")
        assert result.exit_code != 0, args
        assert result.output.strip(), f"no message for {args}"
        assert "Traceback" not in result.output, args
        assert result.exception is None or isinstance(result.exception, SystemExit), args
    assert count(db, "audit_log") == before


def test_a_duplicate_partner_is_refused_cleanly(db: Database, settings: Settings) -> None:
    assert run_cli(settings, "partner", "add", "Zeta Ltd").exit_code == 0
    again = run_cli(settings, "partner", "add", "  zeta   LTD ")
    assert again.exit_code != 0
    assert "Zeta Ltd" in again.output
    assert count(db, "partners") == 1
