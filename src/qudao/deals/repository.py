"""Every SELECT of deals. ``readable`` is the one place deal rows are scoped: a partner's
users and keys read their own partner's deals only."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVarTuple

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from qudao.accounts.models import User
from qudao.accounts.subject import AuthSubject
from qudao.core.errors import NotFound
from qudao.core.i18n import N_
from qudao.db.paging import page_of
from qudao.deals.models import CustomerClaim, Deal, DealConflict
from qudao.partners.models import Partner
from qudao.programs.models import Product, Program

Ts = TypeVarTuple("Ts")
OPEN_STAGES = ("registered", "approved")


def readable(subject: AuthSubject, query: Select[Deal] | None = None) -> Select[Deal]:
    return scoped(subject, select(Deal) if query is None else query)


def scoped(subject: AuthSubject, query: Select[*Ts]) -> Select[*Ts]:
    """Restricts any query over deals to the rows the caller may read."""
    if subject.is_staff:
        return query
    if subject.partner_id is not None:
        return query.where(Deal.partner_id == subject.partner_id)
    return query.where(false())


def get(session: Session, subject: AuthSubject, deal_id: int) -> Deal:
    deal = session.scalar(readable(subject).where(Deal.id == deal_id)
                          .options(selectinload(Deal.lines)))
    if deal is None:
        raise NotFound(N_("Deal %(id)s was not found."), id=deal_id)
    return deal


def search(
    session: Session, subject: AuthSubject, *, limit: int, offset: int,
    stage: str | None = None, partner_id: int | None = None, q: str | None = None,
) -> tuple[list[Deal], int]:
    query = readable(subject).options(selectinload(Deal.lines))
    if stage:
        query = query.where(Deal.stage == stage)
    if partner_id is not None and subject.is_staff:
        query = query.where(Deal.partner_id == partner_id)
    if q and q.strip():
        pattern = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(Deal.customer_name).like(pattern),
                                Deal.customer_domain.like(pattern),
                                func.lower(Deal.customer_email).like(pattern),
                                func.lower(Deal.customer_tax_id).like(pattern),
                                func.lower(Deal.customer_ref).like(pattern)))
    return page_of(session, query, Deal.created_at.desc(), Deal.id.desc(),
                   limit=limit, offset=offset)


def stage_counts(session: Session, subject: AuthSubject) -> dict[str, int]:
    query = scoped(subject, select(Deal.stage, func.count()).select_from(Deal))
    return {str(stage): int(count) for stage, count in session.execute(
        query.group_by(Deal.stage))}


def claim(session: Session, key: str) -> CustomerClaim | None:
    """The claim on a key as it is now committed (re-read, never the session's copy)."""
    return session.scalar(select(CustomerClaim).where(CustomerClaim.key == key)
                          .execution_options(populate_existing=True))


def claims_of(session: Session, deal_id: int) -> list[CustomerClaim]:
    return list(session.scalars(select(CustomerClaim).where(CustomerClaim.deal_id == deal_id)
                                .order_by(CustomerClaim.key)))


def conflicts_of(session: Session, deal_id: int) -> list[tuple[DealConflict, str]]:
    """The refused registrations of a deal's customer, newest first, with the name of the
    partner who tried. Staff only: callers check."""
    query = (select(DealConflict, Partner.name)
             .join(Partner, Partner.id == DealConflict.claimant_partner_id)
             .where(DealConflict.holder_deal_id == deal_id)
             .order_by(DealConflict.attempted_at.desc(), DealConflict.id.desc()))
    return [(conflict, str(name)) for conflict, name in session.execute(query)]


def conflict_counts(session: Session, deal_ids: list[int]) -> dict[int, int]:
    if not deal_ids:
        return {}
    query = (select(DealConflict.holder_deal_id, func.count())
             .where(DealConflict.holder_deal_id.in_(deal_ids))
             .group_by(DealConflict.holder_deal_id))
    return {int(deal_id): int(count) for deal_id, count in session.execute(query)}


def refused_of(session: Session, partner_id: int) -> int:
    """How many of a partner's registrations were refused for a protected customer."""
    return int(session.scalar(select(func.count()).select_from(DealConflict).where(
        DealConflict.claimant_partner_id == partner_id)) or 0)


def partner_names(session: Session, partner_ids: set[int]) -> dict[int, str]:
    if not partner_ids:
        return {}
    rows = session.execute(select(Partner.id, Partner.name).where(Partner.id.in_(partner_ids)))
    return {int(i): str(n) for i, n in rows}


def users(session: Session, user_ids: set[int]) -> list[User]:
    if not user_ids:
        return []
    return list(session.scalars(select(User).where(User.id.in_(user_ids))))


def default_program(session: Session) -> Program | None:
    """The program a deal belongs to when none is named: the first one created."""
    return session.scalar(select(Program).order_by(Program.id).limit(1))


def program(session: Session, program_id: int) -> Program:
    found = session.get(Program, program_id)
    if found is None:
        raise NotFound(N_("Program %(id)s was not found."), id=program_id)
    return found


def programs(session: Session) -> list[Program]:
    return list(session.scalars(select(Program).order_by(Program.id)))


def catalogue(session: Session) -> list[Product]:
    """The active products, for pickers."""
    return list(session.scalars(select(Product).where(Product.active.is_(True))
                                .order_by(Product.sku)))


def has_catalogue(session: Session) -> bool:
    return session.scalar(select(Product.id).limit(1)) is not None


def products_by_sku(session: Session, skus: set[str]) -> dict[str, Product]:
    if not skus:
        return {}
    return {p.sku: p for p in session.scalars(select(Product).where(Product.sku.in_(skus)))}


def protections_ending(session: Session, now: datetime, within_days: int) -> list[Deal]:
    """Open deals whose protection ends within the next ``within_days`` days (and has not
    ended yet), soonest first: for reminders to their partners and channel managers."""
    horizon = now + timedelta(days=within_days)
    held = select(CustomerClaim.deal_id).where(CustomerClaim.protected_until > now)
    query = (select(Deal).where(Deal.stage.in_(OPEN_STAGES), Deal.protected_until > now,
                                Deal.protected_until <= horizon, Deal.id.in_(held))
             .order_by(Deal.protected_until, Deal.id))
    return list(session.scalars(query))


def expired_claims(session: Session, now: datetime) -> list[CustomerClaim]:
    return list(session.scalars(select(CustomerClaim).where(CustomerClaim.protected_until <= now)
                                .order_by(CustomerClaim.deal_id, CustomerClaim.key)))


def deals_by_id(session: Session, deal_ids: set[int]) -> list[Deal]:
    if not deal_ids:
        return []
    return list(session.scalars(select(Deal).where(Deal.id.in_(deal_ids)).order_by(Deal.id)))


def partner_deals(session: Session, partner_id: int, limit: int) -> tuple[list[Deal], int]:
    query = select(Deal).where(Deal.partner_id == partner_id)
    return page_of(session, query, Deal.created_at.desc(), Deal.id.desc(), limit=limit,
                   offset=0)
