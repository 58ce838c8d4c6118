"""A hash-chained audit log of about 100 rows in two chains, and raw-SQL tampering with the
append-only triggers switched off (as an attacker with database access would)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, text

from qudao.audit import service as audit
from qudao.core.context import RequestContext, set_context
from qudao.db.session import Database

HASHED_COLUMNS = ("chain", "seq", "occurred_at", "actor_type", "actor_id", "actor_label",
                  "partner_id", "action", "target_type", "target_id", "before", "after",
                  "request_id", "ip", "user_agent", "result", "reason", "prev_hash",
                  "row_hash")
BUSINESS_COLUMNS = ("actor_type", "actor_id", "actor_label", "action", "target_type",
                    "target_id", "before", "after", "request_id", "reason")


@dataclass
class Chains:
    """Row ids of each chain, oldest first."""

    by_chain: dict[str, list[int]]

    @property
    def total(self) -> int:
        return sum(len(ids) for ids in self.by_chain.values())


def build_chains(db: Database, rows: int = 100) -> Chains:
    """Rows alternate between the global chain and one partner's, in a few transactions."""
    by_chain: dict[str, list[int]] = {"global": [], "partner:7": []}
    written = 0
    while written < rows:
        with db.unit_of_work() as session:
            set_context(session, RequestContext(request_id=f"chain-build-{written:04d}",
                                                actor_type="system"))
            for _ in range(min(25, rows - written)):
                partner = 7 if written % 2 else None
                entry = audit.record(session, action="test.event", target_type="thing",
                                     target_id=written, partner_id=partner,
                                     before={"n": written}, after={"n": written + 1})
                by_chain[entry.chain].append(entry.id)
                written += 1
    return Chains(by_chain)


@contextmanager
def tampering(db: Database) -> Iterator[Connection]:
    """A connection that may UPDATE and DELETE audit rows: the triggers are off inside it."""
    with db.engine.begin() as connection:
        if db.dialect == "postgresql":
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
            connection.execute(text("DROP TRIGGER audit_log_no_delete"))
        yield connection
        if db.dialect == "postgresql":
            connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
        else:
            for verb in ("UPDATE", "DELETE"):
                connection.execute(text(
                    f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                    "BEGIN SELECT RAISE(ABORT, 'table audit_log is append-only'); END"))


def row_values(
    connection: Connection, entry_id: int, columns: tuple[str, ...]
) -> dict[str, object]:
    query = f"SELECT {', '.join(columns)} FROM audit_log WHERE id = :id"
    return dict(connection.execute(text(query), {"id": entry_id}).one()._mapping)


def overwrite(connection: Connection, entry_id: int, values: dict[str, object]) -> None:
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    connection.execute(text(f"UPDATE audit_log SET {assignments} WHERE id = :entry_id"),
                       {**values, "entry_id": entry_id})


def swap(connection: Connection, first: int, second: int, columns: tuple[str, ...]) -> None:
    a, b = row_values(connection, first, columns), row_values(connection, second, columns)
    if "seq" in columns:
        # (chain, seq) is unique: park one row out of the way first.
        overwrite(connection, first, {"seq": -1})
    overwrite(connection, second, a)
    overwrite(connection, first, b)
