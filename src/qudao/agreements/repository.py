"""Every SELECT of agreements. ``readable`` is the one place their rows are scoped: staff read
all; a partner's users and keys read their own partner's agreements once signed (a draft is
the company's own working copy)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, and_, false, func, not_, or_, select
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.agreements.models import Agreement, AgreementEvent, AgreementMilestone
from qudao.agreements.states import EXPIRING_DAYS, IN_FORCE
from qudao.core.errors import NotFound
from qudao.core.i18n import N_
from qudao.db.paging import page_of
from qudao.partners.models import Partner


def readable(subject: AuthSubject, query: Select[Agreement] | None = None
             ) -> Select[Agreement]:
    query = select(Agreement) if query is None else query
    if subject.is_staff:
        return query
    if subject.partner_id is not None:
        return query.where(Agreement.partner_id == subject.partner_id,
                           Agreement.state != "draft")
    return query.where(false())


def get(session: Session, subject: AuthSubject, agreement_id: int) -> Agreement:
    found = session.scalar(readable(subject).where(Agreement.id == agreement_id))
    if found is None:
        raise NotFound(N_("Agreement %(id)s was not found."), id=agreement_id)
    return found


def _expiring(today: date, within_days: int = EXPIRING_DAYS) -> ColumnElement[bool]:
    return and_(Agreement.state.in_(("active", "renewed")),
                Agreement.ends_on <= today + timedelta(days=within_days))


def search(
    session: Session, subject: AuthSubject, *, today: date, limit: int, offset: int,
    partner_id: int | None = None, program_id: int | None = None, state: str | None = None,
    q: str | None = None,
) -> tuple[list[Agreement], int]:
    """Newest first. ``state`` is a shown state: "expiring" is computed, and "active" and
    "renewed" then mean those that are not expiring yet."""
    query = readable(subject)
    if partner_id is not None:
        query = query.where(Agreement.partner_id == partner_id)
    if program_id is not None:
        query = query.where(Agreement.program_id == program_id)
    if state == "expiring":
        query = query.where(_expiring(today))
    elif state in ("active", "renewed"):
        query = query.where(Agreement.state == state, not_(_expiring(today)))
    elif state:
        query = query.where(Agreement.state == state)
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.join(Partner, Partner.id == Agreement.partner_id).where(or_(
            func.lower(Partner.name).like(pattern), func.lower(Agreement.territory)
            .like(pattern)))
    return page_of(session, query, Agreement.created_at.desc(), Agreement.id.desc(),
                   limit=limit, offset=offset)


def in_force_for(session: Session, partner_id: int, program_id: int,
                 exclude_id: int | None = None) -> Agreement | None:
    query = select(Agreement).where(Agreement.partner_id == partner_id,
                                    Agreement.program_id == program_id,
                                    Agreement.state.in_(IN_FORCE))
    if exclude_id is not None:
        query = query.where(Agreement.id != exclude_id)
    return session.scalar(query.order_by(Agreement.id).limit(1))


def current_for_partner(session: Session, subject: AuthSubject,
                        partner_id: int) -> Agreement | None:
    """The partner's agreement to show: the one in force, else the newest signed or ended
    one, else (staff only, drafts being unreadable to partners) the newest draft."""
    rows = list(session.scalars(readable(subject).where(Agreement.partner_id == partner_id)
                                .order_by(Agreement.id.desc()).limit(50)))
    for wanted in (IN_FORCE, {"terminated"}, {"draft"}):
        for agreement in rows:
            if agreement.state in wanted:
                return agreement
    return None


def expiring(session: Session, today: date, within_days: int) -> list[Agreement]:
    return list(session.scalars(select(Agreement).where(_expiring(today, within_days))
                                .order_by(Agreement.ends_on, Agreement.id)))


def due_for_activation(session: Session, today: date) -> list[Agreement]:
    return list(session.scalars(select(Agreement).where(Agreement.state == "signed",
                                                        Agreement.starts_on <= today)
                                .order_by(Agreement.id)))


def history(session: Session, agreement_id: int) -> list[AgreementEvent]:
    return list(session.scalars(select(AgreementEvent)
                                .where(AgreementEvent.agreement_id == agreement_id)
                                .order_by(AgreementEvent.occurred_at, AgreementEvent.id)))


def milestone(session: Session, agreement_id: int, milestone_id: int) -> AgreementMilestone:
    found = session.scalar(select(AgreementMilestone).where(
        AgreementMilestone.id == milestone_id, AgreementMilestone.agreement_id == agreement_id))
    if found is None:
        raise NotFound(N_("Milestone %(id)s was not found."), id=milestone_id)
    return found
