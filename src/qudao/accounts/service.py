"""Users: creation, passwords, preferences."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from qudao.accounts import repository
from qudao.accounts.models import User, UserSession
from qudao.accounts.passwords import hash_password, verify_password
from qudao.accounts.policy import require_people_manager, require_writer
from qudao.accounts.roles import Role
from qudao.accounts.schemas import UserCreate
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.audit.snapshot import changes, snapshot
from qudao.core import clock
from qudao.core.errors import Conflict, Unprocessable
from qudao.core.i18n import N_, LocaleCode
from qudao.partners import repository as partners


def create_user(session: Session, subject: AuthSubject, data: UserCreate) -> User:
    partner_id = data.partner_id
    if subject.is_partner and not subject.is_staff:
        # A partner administrator adds people to its own company only.
        partner_id = subject.partner_id if partner_id is None else partner_id
        if data.role.is_staff:
            raise Unprocessable(N_("A partner can only add partner users."), field="role")
    require_people_manager(subject, partner_id)
    require_writer(subject)
    if data.role.is_partner and partner_id is None:
        raise Unprocessable(N_("Choose the partner this user belongs to."), field="partner_id")
    if data.role.is_staff and partner_id is not None:
        raise Unprocessable(N_("A staff user does not belong to a partner."), field="partner_id")
    if partner_id is not None:
        partners.get(session, subject, partner_id)
    email = repository.normalize_email(str(data.email))
    if repository.user_by_email(session, email) is not None:
        raise Conflict(N_("A user with the e-mail %(email)s already exists."), field="email",
                       email=email)
    user = User(
        email=email,
        name=data.name.strip(),
        role=data.role,
        partner_id=partner_id,
        locale=data.locale,
        password_hash=hash_password(data.password) if data.password else None,
    )
    session.add(user)
    session.flush()
    audit.record(session, action="user.create", target_type="user", target_id=user.id,
                 partner_id=partner_id, after=snapshot(user))
    return user


def set_locale(session: Session, subject: AuthSubject, locale: LocaleCode) -> User:
    if subject.user_id is None:
        raise Unprocessable(N_("Only a signed-in user has preferences."))
    user = repository.get_user(session, subject, subject.user_id)
    before = snapshot(user)
    user.locale = locale
    session.flush()
    old, new = changes(before, snapshot(user))
    if new:
        audit.record(session, action="user.preferences", target_type="user", target_id=user.id,
                     partner_id=user.partner_id, before=old, after=new)
    return user


def change_password(
    session: Session, subject: AuthSubject, *, current: str, new: str
) -> User:
    if subject.user_id is None:
        raise Unprocessable(N_("Only a signed-in user has a password."))
    user = repository.get_user(session, subject, subject.user_id)
    if not verify_password(user.password_hash, current):
        raise Unprocessable(N_("The current password is not correct."), field="current_password")
    user.password_hash = hash_password(new)
    end_other_sessions(session, user.id, keep=subject.session_id)
    session.flush()
    audit.record(session, action="user.password_change", target_type="user", target_id=user.id,
                 partner_id=user.partner_id)
    return user


def end_other_sessions(session: Session, user_id: int, keep: str | None) -> None:
    """A changed password signs out every other browser: a thief's session ends too."""
    query = update(UserSession).where(UserSession.user_id == user_id,
                                      UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep)
    session.execute(query.values(ended_at=clock.now()))


def set_password(session: Session, subject: AuthSubject, user_id: int, password: str) -> User:
    user = repository.get_user(session, subject, user_id)
    require_people_manager(subject, user.partner_id)
    user.password_hash = hash_password(password)
    end_other_sessions(session, user.id, keep=None)
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    audit.record(session, action="user.password_set", target_type="user", target_id=user.id,
                 partner_id=user.partner_id)
    return user


def subject_for_user(user: User, *, session_id: str | None = None,
                     csrf_token: str | None = None) -> AuthSubject:
    return AuthSubject(
        kind="partner_user" if user.role.is_partner else "staff",
        role=user.role,
        user_id=user.id,
        partner_id=user.partner_id,
        read_only=user.role is Role.ANALYST,
        label=user.email,
        session_id=session_id,
        csrf_token=csrf_token,
    )
