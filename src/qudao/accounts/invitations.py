"""Inviting people of a partner to the portal by a link.

Staff, or a partner's administrator for its own company, invite an e-mail address with a
role. The link carries a random token; only its SHA-256 digest is stored, so the link is
shown once, to be copied and sent (qudao sends no mail itself). The invitee chooses a name
and a password and becomes an active partner user. A link works once, for 7 days, and not
after it was withdrawn; a new invitation to the same address replaces the earlier one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar, Literal

from sqlalchemy import Select, false, select, update
from sqlalchemy.orm import Session

from qudao.accounts import repository as accounts
from qudao.accounts import tokens
from qudao.accounts.invitation_models import Invitation
from qudao.accounts.models import User
from qudao.accounts.passwords import hash_password
from qudao.accounts.roles import Role
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.audit.snapshot import changes, snapshot
from qudao.core import clock
from qudao.core.context import get_context
from qudao.core.errors import Conflict, Forbidden, NotFound, QudaoError, Unprocessable
from qudao.core.i18n import N_
from qudao.partners import repository as partners

VALID_DAYS = 7
LINK_PREFIX = "/invite/"
INVITABLE_ROLES = (Role.PARTNER_MEMBER, Role.PARTNER_ADMIN)
Status = Literal["pending", "accepted", "expired", "revoked"]
STATUS_LABELS: dict[str, str] = {
    "pending": N_("Waiting for acceptance"),
    "accepted": N_("Accepted"),
    "expired": N_("Expired"),
    "revoked": N_("Link withdrawn"),
}
NO_MAIL = N_("qudao does not send e-mail: copy this link and send it to the person yourself. "
             "It works once, for 7 days.")
# Never stored in the audit log: a digest of a live link.
_HIDDEN = frozenset({"token_digest"})


class InvitationGone(QudaoError):
    """A link that existed but no longer works (used, expired or withdrawn)."""

    status: ClassVar[int] = 410
    code: ClassVar[str] = "gone"


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str

    @property
    def link(self) -> str:
        return f"{LINK_PREFIX}{self.token}"


def status(invitation: Invitation, at: datetime | None = None) -> Status:
    at = at or clock.now()
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= at:
        return "expired"
    return "pending"


def readable(subject: AuthSubject) -> Select[Invitation]:
    query = select(Invitation)
    if subject.is_staff:
        return query
    if subject.partner_id is not None:
        return query.where(Invitation.partner_id == subject.partner_id)
    return query.where(false())


def _refuse_key_callers(subject: AuthSubject) -> None:
    """A partner's key serves its systems, not its people: it invites no one. A staff
    automation key acts as its staff user and may."""
    if subject.kind == "api_key" and subject.partner_id is not None:
        raise Forbidden(N_("A partner's API key cannot invite people; sign in as a "
                           "person."))


def require_inviter(subject: AuthSubject, partner_id: int) -> None:
    """Staff who may change data invite anyone's people; a partner's administrator its own."""
    if subject.is_staff and subject.can_write:
        return
    if subject.is_partner_admin and subject.partner_id == partner_id:
        return
    raise Forbidden(N_("Only staff, or the partner's administrator, can invite the partner's "
                       "people."))


def invite(session: Session, subject: AuthSubject, partner_id: int, email: str,
           role: str = Role.PARTNER_MEMBER.value) -> IssuedInvitation:
    # The scoped lookup comes first: another partner's id answers 404, never 403.
    partner = partners.get(session, subject, partner_id)
    _refuse_key_callers(subject)
    require_inviter(subject, partner.id)
    if role not in {r.value for r in INVITABLE_ROLES}:
        raise Unprocessable(N_("Invite a partner administrator or a partner member."),
                            field="role")
    if partner.merged_into_id is not None:
        raise Unprocessable(N_("%(name)s was merged into another partner; invite people to "
                               "that one."), field="partner_id", name=partner.name)
    address = accounts.normalize_email(email)
    if not address or "@" not in address:
        raise Unprocessable(N_("Enter a valid e-mail address, such as name@example.com."),
                            field="email")
    if accounts.user_by_email(session, address) is not None:
        raise Conflict(N_("A user with the e-mail %(email)s already exists."), field="email",
                       email=address)
    now = clock.now()
    # A new link replaces any earlier one to the same address.
    session.execute(update(Invitation).where(
        Invitation.email == address, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None)).values(revoked_at=now))
    token = tokens.session_token()
    invitation = Invitation(partner_id=partner.id, email=address, role=role,
                            token_digest=tokens.sha256(token), created_at=now,
                            expires_at=now + timedelta(days=VALID_DAYS),
                            invited_by_id=subject.user_id, invited_by_label=subject.label)
    session.add(invitation)
    session.flush()
    audit.record(session, action="invitation.create", target_type="invitation",
                 target_id=invitation.id, partner_id=partner.id,
                 after=snapshot(invitation, exclude=_HIDDEN))
    return IssuedInvitation(invitation, token)


def list_for_partner(session: Session, subject: AuthSubject, partner_id: int,
                     limit: int = 100) -> list[Invitation]:
    partner = partners.get(session, subject, partner_id)
    require_inviter(subject, partner.id)
    return list(session.scalars(readable(subject).where(Invitation.partner_id == partner.id)
                                .order_by(Invitation.created_at.desc(), Invitation.id.desc())
                                .limit(limit)))


def get(session: Session, subject: AuthSubject, invitation_id: int) -> Invitation:
    found = session.scalar(readable(subject).where(Invitation.id == invitation_id))
    if found is None:
        raise NotFound(N_("Invitation %(id)s was not found."), id=invitation_id)
    return found


def revoke(session: Session, subject: AuthSubject, invitation_id: int, *,
           partner_id: int | None = None) -> Invitation:
    """Withdraws an invitation; with ``partner_id``, only one of that partner's."""
    invitation = get(session, subject, invitation_id)
    if partner_id is not None and invitation.partner_id != partner_id:
        raise NotFound(N_("Invitation %(id)s was not found."), id=invitation_id)
    _refuse_key_callers(subject)
    require_inviter(subject, invitation.partner_id)
    current = status(invitation)
    if current == "accepted":
        raise Conflict(N_("This invitation was already accepted; deactivate the user "
                          "instead."), field="invitation")
    if current == "revoked":
        return invitation
    before = snapshot(invitation, exclude=_HIDDEN)
    invitation.revoked_at = clock.now()
    session.flush()
    old, new = changes(before, snapshot(invitation, exclude=_HIDDEN))
    audit.record(session, action="invitation.revoke", target_type="invitation",
                 target_id=invitation.id, partner_id=invitation.partner_id, before=old,
                 after=new)
    return invitation


def by_token(session: Session, token: str) -> Invitation:
    """The invitation a link names, if it still works; otherwise why it does not."""
    invitation = None
    if 20 <= len(token) <= 100:
        invitation = session.scalar(select(Invitation).where(
            Invitation.token_digest == tokens.sha256(token)))
    if invitation is None:
        raise NotFound(N_("This invitation link is not valid. Check that it was copied whole, "
                          "or ask for a new one."))
    current = status(invitation)
    if current == "accepted":
        raise InvitationGone(N_("This invitation was already used. Sign in with the e-mail "
                                "address it was sent to."))
    if current == "revoked":
        raise InvitationGone(N_("This invitation was withdrawn. Ask your contact for a new "
                                "link."))
    if current == "expired":
        raise InvitationGone(N_("This invitation expired on %(date)s. Ask your contact for a "
                                "new link."), date=invitation.expires_at.date().isoformat())
    return invitation


def accept(session: Session, token: str, *, name: str, password: str) -> User:
    """The invitee becomes an active partner user with the invited role."""
    invitation = by_token(session, token)
    name = name.strip()
    if not name:
        raise Unprocessable(N_("Tell us your name."), field="name")
    if accounts.user_by_email(session, invitation.email) is not None:
        raise Conflict(N_("A user with the e-mail %(email)s already exists."), field="email",
                       email=invitation.email)
    user = User(email=invitation.email, name=name[:200], role=Role(invitation.role),
                partner_id=invitation.partner_id, password_hash=hash_password(password),
                is_active=True)
    session.add(user)
    before = snapshot(invitation, exclude=_HIDDEN)
    invitation.accepted_at, invitation.accepted_user_id = clock.now(), None
    session.flush()
    invitation.accepted_user_id = user.id
    session.flush()
    context = get_context(session)
    if context.actor_type == "anonymous":
        # The invitee acts through the link: the log names the person, not "anonymous".
        context.actor_type, context.actor_id = "user", str(user.id)
        context.actor_label = user.email
    audit.record(session, action="user.create", target_type="user", target_id=user.id,
                 partner_id=user.partner_id, after=snapshot(user))
    old, new = changes(before, snapshot(invitation, exclude=_HIDDEN))
    audit.record(session, action="invitation.accept", target_type="invitation",
                 target_id=invitation.id, partner_id=invitation.partner_id, before=old,
                 after=new)
    # The partner now has portal access: its onboarding records it.
    from qudao.agreements import onboarding

    onboarding.sync_partner(session, invitation.partner_id)
    return user
