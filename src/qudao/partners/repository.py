"""Every SELECT of partners. ``readable`` is the one place partner rows are scoped."""

from __future__ import annotations

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import NotFound
from qudao.core.i18n import N_
from qudao.partners.models import Partner


def readable(subject: AuthSubject, query: Select[Partner] | None = None) -> Select[Partner]:
    query = select(Partner) if query is None else query
    if subject.is_staff:
        return query
    if subject.partner_id is not None:
        return query.where(Partner.id == subject.partner_id)
    return query.where(false())


def get(session: Session, subject: AuthSubject, partner_id: int) -> Partner:
    partner = session.scalar(readable(subject).where(Partner.id == partner_id))
    if partner is None:
        raise NotFound(N_("Partner %(id)s was not found."), id=partner_id)
    return partner


def search(
    session: Session, subject: AuthSubject, *, q: str | None, limit: int, offset: int
) -> tuple[list[Partner], int]:
    query = readable(subject)
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(or_(Partner.normalized_name.like(pattern),
                                func.lower(Partner.website).like(pattern)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Partner.name, Partner.id).limit(limit).offset(offset))
    return list(rows), total


def by_normalized_name(session: Session, normalized: str) -> Partner | None:
    return session.scalar(select(Partner).where(Partner.normalized_name == normalized))
