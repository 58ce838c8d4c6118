"""C23: the verifier names the exact first bad row of an edited, deleted, truncated or
reordered chain, and passes an untouched one."""

from __future__ import annotations

import pytest

from qudao.audit.verify import Verification, verify
from qudao.db.session import Database
from tests.audit.chain_builder import (
    BUSINESS_COLUMNS,
    HASHED_COLUMNS,
    Chains,
    build_chains,
    overwrite,
    row_values,
    swap,
    tampering,
)


@pytest.fixture
def chains(db: Database) -> Chains:
    return build_chains(db)


def _verify(db: Database) -> Verification:
    with db.unit_of_work(read_only=True) as session:
        return verify(session)


def test_an_untouched_log_verifies(db: Database, chains: Chains) -> None:
    result = _verify(db)
    assert result.ok, result.breaks
    assert result.checked == chains.total == 100
    assert {len(ids) for ids in chains.by_chain.values()} == {50}


EDITS: tuple[tuple[str, object], ...] = (
    ("reason", "nothing to see"), ("after", '{"n":1000}'), ("actor_id", "42"),
    ("partner_id", None), ("occurred_at", "2001-01-01 00:00:00"), ("request_id", "other"),
)


def test_an_edited_field_is_named(db: Database, chains: Chains) -> None:
    victim = chains.by_chain["partner:7"][17]
    for column, value in EDITS:
        with tampering(db) as connection:
            original = row_values(connection, victim, (column,))
            overwrite(connection, victim, {column: value})
        result = _verify(db)
        assert result.first is not None, column
        assert result.first.entry_id == victim, column
        assert "edited" in result.first.message
        # Put back as it was, the row verifies again: the hash covers exactly the content.
        with tampering(db) as connection:
            overwrite(connection, victim, original)
        assert _verify(db).ok, column


def test_an_edit_that_recomputes_its_own_hash_is_still_caught(
    db: Database, chains: Chains
) -> None:
    """Fixing up row_hash moves the break to the next row, which no longer follows."""
    from qudao.audit.chain import row_hash
    from qudao.audit.models import AuditEntry

    ids = chains.by_chain["global"]
    victim, successor = ids[10], ids[11]
    with db.unit_of_work(read_only=True) as session:
        entry = session.get(AuditEntry, victim)
        assert entry is not None
        entry.reason = "rewritten"
        forged = row_hash(entry)
        session.rollback()
    with tampering(db) as connection:
        overwrite(connection, victim, {"reason": "rewritten", "row_hash": forged})
    result = _verify(db)
    assert result.first is not None
    assert result.first.entry_id == successor


def test_a_deleted_middle_row_is_named_by_its_successor(db: Database, chains: Chains) -> None:
    ids = chains.by_chain["global"]
    with tampering(db) as connection:
        from sqlalchemy import text

        connection.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[20]})
    result = _verify(db)
    assert result.first is not None
    assert result.first.entry_id == ids[21]
    assert result.first.chain == "global"


def test_a_deleted_newest_row_is_named_by_chain_and_sequence(
    db: Database, chains: Chains
) -> None:
    ids = chains.by_chain["partner:7"]
    with tampering(db) as connection:
        from sqlalchemy import text

        connection.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[-1]})
    result = _verify(db)
    assert len(result.breaks) == 1
    found = result.breaks[0]
    # No row is left to point at: the break names the chain and where it now ends.
    assert found.entry_id is None
    assert found.chain == "partner:7"
    assert found.params["seq"] == len(ids) - 1
    assert found.params["head"] == len(ids)


@pytest.mark.parametrize("columns", [BUSINESS_COLUMNS, HASHED_COLUMNS],
                         ids=["contents", "whole-rows"])
def test_two_swapped_rows_are_named_at_the_first(
    columns: tuple[str, ...], db: Database, chains: Chains
) -> None:
    ids = chains.by_chain["global"]
    with tampering(db) as connection:
        swap(connection, ids[30], ids[35], columns)
    result = _verify(db)
    assert not result.ok
    assert result.first is not None
    assert result.first.entry_id == ids[30]


def test_breaks_in_both_chains_are_reported_lowest_id_first(
    db: Database, chains: Chains
) -> None:
    first, second = chains.by_chain["global"][5], chains.by_chain["partner:7"][40]
    with tampering(db) as connection:
        overwrite(connection, second, {"reason": "x"})
        overwrite(connection, first, {"reason": "y"})
    result = _verify(db)
    assert [b.entry_id for b in result.breaks] == sorted([first, second])
