"""Every SELECT of generated documents. ``readable`` is the one place they are scoped: staff
read all, a partner's users and keys read the documents made for that partner."""

from __future__ import annotations

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session, undefer

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import NotFound
from qudao.core.i18n import N_
from qudao.db.paging import page_of
from qudao.documents.models import GeneratedDocument
from qudao.partners.models import Partner
from qudao.programs.models import CommissionPlan


def readable(subject: AuthSubject) -> Select[GeneratedDocument]:
    query = select(GeneratedDocument)
    if subject.is_staff:
        return query
    if subject.partner_id is not None:
        return query.where(GeneratedDocument.partner_id == subject.partner_id)
    return query.where(false())


def get(session: Session, subject: AuthSubject, document_id: int, *,
        with_content: bool = False) -> GeneratedDocument:
    query = readable(subject).where(GeneratedDocument.id == document_id)
    if with_content:
        query = query.options(undefer(GeneratedDocument.content))
    document = session.scalar(query)
    if document is None:
        raise NotFound(N_("Document %(id)s was not found."), id=document_id)
    return document


def search(
    session: Session, subject: AuthSubject, *, limit: int, offset: int,
    kind: str | None = None, partner_id: int | None = None, program_id: int | None = None,
    agreement_id: int | None = None,
) -> tuple[list[GeneratedDocument], int]:
    query = readable(subject)
    if kind:
        query = query.where(GeneratedDocument.kind == kind)
    if partner_id is not None:
        query = query.where(GeneratedDocument.partner_id == partner_id)
    if program_id is not None:
        query = query.where(GeneratedDocument.program_id == program_id)
    if agreement_id is not None:
        query = query.where(GeneratedDocument.agreement_id == agreement_id)
    return page_of(session, query, GeneratedDocument.created_at.desc(),
                   GeneratedDocument.id.desc(), limit=limit, offset=offset)


def by_inputs(session: Session, digest: str) -> GeneratedDocument | None:
    return session.scalar(select(GeneratedDocument)
                          .where(GeneratedDocument.inputs_sha256 == digest))


def partner_choices(session: Session, limit: int = 1000) -> list[tuple[int, str]]:
    """Partners a document may be made for, by name (merged records left out)."""
    rows = session.execute(select(Partner.id, Partner.name)
                           .where(Partner.merged_into_id.is_(None))
                           .order_by(Partner.name, Partner.id).limit(limit))
    return [(int(i), str(n)) for i, n in rows]


def plan_choices(session: Session) -> list[CommissionPlan]:
    return list(session.scalars(select(CommissionPlan)
                                .order_by(CommissionPlan.program_id, CommissionPlan.name)))
