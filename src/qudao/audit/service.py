"""Writing to the audit log, in the same transaction as the change it records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from qudao.audit.chain import GENESIS, row_hash
from qudao.audit.models import AuditEntry, AuditHead
from qudao.audit.snapshot import dumps
from qudao.core import clock
from qudao.core.context import get_context

Result = Literal["success", "denied", "failed"]


def chain_name(partner_id: int | None) -> str:
    return f"partner:{partner_id}" if partner_id is not None else "global"


def neutralise(text: str | None, limit: int) -> str | None:
    """CR and LF would let a value forge extra lines in any text log built from this row."""
    if text is None:
        return None
    return text.replace("\r", "\\r").replace("\n", "\\n")[:limit]


def record(
    session: Session,
    *,
    action: str,
    target_type: str,
    target_id: object | None = None,
    partner_id: int | None = None,
    before: Mapping[str, object] | None = None,
    after: Mapping[str, object] | None = None,
    result: Result = "success",
    reason: str | None = None,
) -> AuditEntry:
    context = get_context(session)
    chain = chain_name(partner_id)
    head = _lock_head(session, chain)
    entry = AuditEntry(
        chain=chain,
        seq=head.seq + 1,
        occurred_at=clock.now(),
        actor_type=context.actor_type,
        actor_id=context.actor_id,
        actor_label=neutralise(context.actor_label, 320),
        partner_id=partner_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        before=dumps(before),
        after=dumps(after),
        request_id=context.request_id,
        ip=neutralise(context.ip, 64),
        user_agent=neutralise(context.user_agent, 300),
        result=result,
        reason=neutralise(reason, 2000),
        prev_hash=head.row_hash,
    )
    entry.row_hash = row_hash(entry)
    session.add(entry)
    head.seq = entry.seq
    head.row_hash = entry.row_hash
    session.flush()
    return entry


def _lock_head(session: Session, chain: str) -> AuditHead:
    """The chain's head row, locked until the transaction ends so that appends serialise."""
    dialect = session.get_bind().dialect.name
    values = {"chain": chain, "seq": 0, "row_hash": GENESIS}
    if dialect == "postgresql":
        session.execute(pg_insert(AuditHead).values(**values).on_conflict_do_nothing())
        query = select(AuditHead).where(AuditHead.chain == chain).with_for_update()
    else:
        # SQLite write transactions begin IMMEDIATE: the whole database is already ours.
        session.execute(sqlite_insert(AuditHead).values(**values).on_conflict_do_nothing())
        query = select(AuditHead).where(AuditHead.chain == chain)
    head = session.execute(query.execution_options(populate_existing=True)).scalar_one()
    return head
