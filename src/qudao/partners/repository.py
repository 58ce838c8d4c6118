"""Every SELECT of partners. ``readable`` is the one place partner rows are scoped."""

from __future__ import annotations

from typing import Literal, TypeVarTuple

from sqlalchemy import Select, case, false, func, or_, select
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import NotFound
from qudao.core.i18n import N_
from qudao.db.paging import page_of
from qudao.partners import pipeline
from qudao.partners.dedupe import Known
from qudao.partners.models import Contact, Partner, StageEvent

Ts = TypeVarTuple("Ts")
SortKey = Literal["name", "-name", "created", "-created", "stage", "employees", "-employees"]
# Stages in pipeline order, not alphabetical; unknown sizes last on both databases.
_STAGE_ORDER = case({s: i for i, s in enumerate(pipeline.STAGES)}, value=Partner.stage)
_ORDER = {
    "name": (Partner.name, Partner.id),
    "-name": (Partner.name.desc(), Partner.id.desc()),
    "created": (Partner.created_at, Partner.id),
    "-created": (Partner.created_at.desc(), Partner.id.desc()),
    "stage": (_STAGE_ORDER, Partner.name),
    "employees": (Partner.employees.asc().nulls_last(), Partner.name),
    "-employees": (Partner.employees.desc().nulls_last(), Partner.name),
}


def readable(subject: AuthSubject, query: Select[Partner] | None = None) -> Select[Partner]:
    return scoped(subject, select(Partner) if query is None else query)


def scoped(subject: AuthSubject, query: Select[*Ts]) -> Select[*Ts]:
    """Restricts any query over partners to the rows the caller may read."""
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
    session: Session, subject: AuthSubject, *, q: str | None, limit: int, offset: int,
    stage: str | None = None, partner_type: str | None = None, owner_id: int | None = None,
    sort: SortKey = "name",
) -> tuple[list[Partner], int]:
    query = readable(subject).where(Partner.merged_into_id.is_(None))
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(Partner.name).like(pattern),
                                Partner.normalized_name.like(pattern),
                                func.lower(Partner.website).like(pattern),
                                func.lower(Partner.industry).like(pattern),
                                func.lower(Partner.region).like(pattern)))
    if stage:
        query = query.where(Partner.stage == stage)
    if partner_type:
        query = query.where(Partner.partner_type == partner_type)
    if owner_id is not None:
        query = query.where(Partner.owner_id == owner_id)
    return page_of(session, query, *_ORDER[sort], limit=limit, offset=offset)


def stage_counts(session: Session, subject: AuthSubject) -> dict[str, int]:
    query = scoped(subject, select(Partner.stage, func.count()).select_from(Partner))
    query = query.where(Partner.merged_into_id.is_(None)).group_by(Partner.stage)
    return {str(stage): int(count) for stage, count in session.execute(query)}


def by_normalized_name(session: Session, normalized: str) -> Partner | None:
    return session.scalar(select(Partner).where(Partner.normalized_name == normalized))


def by_domain(session: Session, domain: str) -> Partner | None:
    return session.scalar(select(Partner).where(Partner.domain == domain,
                                                Partner.merged_into_id.is_(None))
                          .order_by(Partner.id).limit(1))


def known_names(session: Session) -> list[Known]:
    rows = session.execute(select(Partner.id, Partner.name, Partner.normalized_name,
                                  Partner.domain).where(Partner.merged_into_id.is_(None)))
    return [Known(id=i, name=n, normalized=k, domain=d) for i, n, k, d in rows]


def history(session: Session, partner_id: int) -> list[StageEvent]:
    return list(session.scalars(select(StageEvent).where(StageEvent.partner_id == partner_id)
                                .order_by(StageEvent.occurred_at, StageEvent.id)))


def contact(session: Session, partner_id: int, contact_id: int) -> Contact:
    found = session.scalar(select(Contact).where(Contact.id == contact_id,
                                                 Contact.partner_id == partner_id))
    if found is None:
        raise NotFound(N_("Contact %(id)s was not found."), id=contact_id)
    return found
