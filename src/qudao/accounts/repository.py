"""Every SELECT of users and API keys, scoped to what the caller may read."""

from __future__ import annotations

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from qudao.accounts.models import ApiKey, User
from qudao.accounts.subject import AuthSubject
from qudao.core.errors import NotFound
from qudao.core.i18n import N_
from qudao.db.paging import page_of


def readable_users(subject: AuthSubject) -> Select[User]:
    query = select(User)
    if subject.is_staff:
        return query
    if subject.partner_id is not None:
        return query.where(User.partner_id == subject.partner_id)
    return query.where(false())


def readable_keys(subject: AuthSubject) -> Select[ApiKey]:
    query = select(ApiKey)
    if subject.is_staff:
        return query
    if subject.partner_id is not None:
        return query.where(ApiKey.partner_id == subject.partner_id)
    return query.where(false())


def get_user(session: Session, subject: AuthSubject, user_id: int) -> User:
    user = session.scalar(readable_users(subject).where(User.id == user_id))
    if user is None:
        raise NotFound(N_("User %(id)s was not found."), id=user_id)
    return user


def get_key(session: Session, subject: AuthSubject, key_id: int) -> ApiKey:
    key = session.scalar(readable_keys(subject).where(ApiKey.id == key_id))
    if key is None:
        raise NotFound(N_("API key %(id)s was not found."), id=key_id)
    return key


def list_users(
    session: Session, subject: AuthSubject, *, partner_id: int | None, limit: int, offset: int
) -> tuple[list[User], int]:
    query = readable_users(subject)
    if partner_id is not None:
        query = query.where(User.partner_id == partner_id)
    return page_of(session, query, User.email, limit=limit, offset=offset)


def list_keys(
    session: Session, subject: AuthSubject, *, partner_id: int | None, limit: int, offset: int
) -> tuple[list[ApiKey], int]:
    query = readable_keys(subject)
    if partner_id is not None:
        query = query.where(ApiKey.partner_id == partner_id)
    return page_of(session, query, ApiKey.created_at.desc(), ApiKey.id.desc(), limit=limit,
                   offset=offset)


def staff_users(session: Session, subject: AuthSubject, limit: int = 500) -> list[User]:
    """Active staff, e.g. to choose an owner or an evaluator."""
    query = readable_users(subject).where(User.partner_id.is_(None), User.is_active.is_(True))
    return list(session.scalars(query.order_by(User.name, User.email).limit(limit)))


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def normalize_email(email: str) -> str:
    return email.strip().lower()


def has_partner_accounts(session: Session, partner_id: int) -> bool:
    user = session.scalar(select(User.id).where(User.partner_id == partner_id).limit(1))
    key = session.scalar(select(ApiKey.id).where(ApiKey.partner_id == partner_id).limit(1))
    return user is not None or key is not None
