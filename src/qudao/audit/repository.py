"""Reading the audit log: staff only, newest first."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_admin
from qudao.accounts.subject import AuthSubject
from qudao.audit.models import AuditEntry
from qudao.db.paging import page_of


def recent(
    session: Session, subject: AuthSubject, *, action: str | None, partner_id: int | None,
    limit: int, offset: int,
) -> tuple[list[AuditEntry], int]:
    require_admin(subject)
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    if partner_id is not None:
        query = query.where(AuditEntry.partner_id == partner_id)
    return page_of(session, query, AuditEntry.id.desc(), limit=limit, offset=offset)
