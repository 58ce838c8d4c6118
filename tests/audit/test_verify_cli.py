"""``qudao audit verify``: 0 on an intact log; 1 and the first bad row's id otherwise."""

from __future__ import annotations

import re

from qudao.core.config import Settings
from qudao.db.session import Database
from tests.audit.chain_builder import build_chains, overwrite, tampering
from tests.fixtures.security import run_cli


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_verify_passes_an_intact_log(db: Database, settings: Settings) -> None:
    build_chains(db, rows=20)
    result = run_cli(settings, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "20 rows checked" in _flat(result.output)


def test_verify_exits_1_and_names_the_edited_row(db: Database, settings: Settings) -> None:
    chains = build_chains(db, rows=20)
    victim = chains.by_chain["global"][4]
    with tampering(db) as connection:
        overwrite(connection, victim, {"action": "user.nothing_happened"})
    result = run_cli(settings, "audit", "verify")
    assert result.exit_code == 1
    assert f"Row {victim} of chain global was edited" in _flat(result.output)
    assert "Traceback" not in result.output


def test_verify_names_a_truncated_chain(db: Database, settings: Settings) -> None:
    chains = build_chains(db, rows=10)
    newest = chains.by_chain["partner:7"][-1]
    with tampering(db) as connection:
        from sqlalchemy import text

        connection.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": newest})
    result = run_cli(settings, "audit", "verify")
    assert result.exit_code == 1
    assert "partner:7" in result.output
    assert "deleted" in _flat(result.output)
