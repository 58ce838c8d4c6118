"""C22: the database itself refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE) of audit
rows, through the same engine the application uses."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from qudao.db.session import Database
from tests.audit.chain_builder import build_chains

STATEMENTS = (
    "UPDATE audit_log SET reason = 'tampered'",
    "UPDATE audit_log SET reason = 'tampered' WHERE id = (SELECT max(id) FROM audit_log)",
    "DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)",
    # PostgreSQL's TRUNCATE; on SQLite an unqualified DELETE is its truncate optimisation.
    "DELETE FROM audit_log",
)


def test_update_delete_and_truncate_fail(db: Database) -> None:
    build_chains(db, rows=4)
    with db.engine.connect() as connection:
        before = connection.execute(text("SELECT * FROM audit_log ORDER BY id")).all()
    statements = [*STATEMENTS, *(["TRUNCATE audit_log"] if db.dialect == "postgresql" else [])]
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(statement))
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT * FROM audit_log ORDER BY id")).all() == before
    # Appending still works.
    assert build_chains(db, rows=2).total == 2
