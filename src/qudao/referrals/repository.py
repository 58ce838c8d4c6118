"""Every SELECT of referral links and events. ``scoped`` is the one place their rows are
limited to the caller: staff read all, a partner's users and keys their own partner's."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVarTuple

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import NotFound
from qudao.core.i18n import N_
from qudao.db.paging import page_of
from qudao.referrals.models import ReferralEvent, ReferralLink

Ts = TypeVarTuple("Ts")


def scoped(subject: AuthSubject, query: Select[*Ts], partner_column: object) -> Select[*Ts]:
    if subject.is_staff:
        return query
    if subject.partner_id is not None:
        return query.where(partner_column == subject.partner_id)  # type: ignore[arg-type]
    return query.where(false())


def readable_links(subject: AuthSubject) -> Select[ReferralLink]:
    return scoped(subject, select(ReferralLink), ReferralLink.partner_id)


def readable_events(subject: AuthSubject) -> Select[ReferralEvent]:
    return scoped(subject, select(ReferralEvent), ReferralEvent.partner_id)


def get_link(session: Session, subject: AuthSubject, link_id: int) -> ReferralLink:
    link = session.scalar(readable_links(subject).where(ReferralLink.id == link_id))
    if link is None:
        raise NotFound(N_("Referral link %(id)s was not found."), id=link_id)
    return link


def by_code(session: Session, code: str) -> ReferralLink | None:
    return session.scalar(select(ReferralLink).where(ReferralLink.code == code))


def search_links(
    session: Session, subject: AuthSubject, *, partner_id: int | None, limit: int, offset: int,
    active: bool | None = None,
) -> tuple[list[ReferralLink], int]:
    query = readable_links(subject)
    if partner_id is not None:
        query = query.where(ReferralLink.partner_id == partner_id)
    if active is not None:
        query = query.where(ReferralLink.active.is_(active))
    return page_of(session, query, ReferralLink.created_at.desc(), ReferralLink.id.desc(),
                   limit=limit, offset=offset)


def search_events(
    session: Session, subject: AuthSubject, *, partner_id: int | None, kind: str | None,
    since: datetime | None, limit: int, offset: int,
) -> tuple[list[ReferralEvent], int]:
    query = readable_events(subject)
    if partner_id is not None:
        query = query.where(ReferralEvent.partner_id == partner_id)
    if kind is not None:
        query = query.where(ReferralEvent.kind == kind)
    if since is not None:
        query = query.where(ReferralEvent.occurred_at >= since)
    return page_of(session, query, ReferralEvent.occurred_at.desc(), ReferralEvent.id.desc(),
                   limit=limit, offset=offset)


def visitors_of_customer(session: Session, customer_id: str, until: datetime) -> set[str]:
    """Visitor ids that earlier events tied to this customer."""
    rows = session.scalars(select(ReferralEvent.visitor_id).distinct().where(
        ReferralEvent.customer_id == customer_id, ReferralEvent.visitor_id.is_not(None),
        ReferralEvent.occurred_at <= until))
    return {v for v in rows if v is not None}


def last_click(
    session: Session, visitor_ids: set[str], *, since: datetime, until: datetime
) -> ReferralEvent | None:
    """The newest attributed visit of these visitors within [since, until]."""
    if not visitor_ids:
        return None
    return session.scalar(select(ReferralEvent).where(
        ReferralEvent.kind == "visit", ReferralEvent.partner_id.is_not(None),
        ReferralEvent.visitor_id.in_(sorted(visitor_ids)),
        ReferralEvent.occurred_at >= since, ReferralEvent.occurred_at <= until,
    ).order_by(ReferralEvent.occurred_at.desc(), ReferralEvent.id.desc()).limit(1))
