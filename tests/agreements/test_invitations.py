"""Invitations of partner users: a link shown once, stored as a digest; accepted once,
within 7 days, unless withdrawn; audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from qudao.accounts import invitations, tokens
from qudao.accounts.invitation_models import Invitation
from qudao.accounts.models import User
from qudao.accounts.passwords import verify_password
from qudao.accounts.roles import Role
from qudao.accounts.service import subject_for_user
from qudao.accounts.subject import SYSTEM
from qudao.audit.models import AuditEntry
from qudao.core import clock
from qudao.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from qudao.db.session import Database
from tests.agreements.builders import utc
from tests.fixtures.accounts import make_partner, make_user
from tests.fixtures.security import text_dump


def _invite(db: Database, partner: int, email: str = "new@partner.example",
            role: str = "partner_member") -> invitations.IssuedInvitation:
    with db.unit_of_work() as session:
        return invitations.invite(session, SYSTEM, partner, email, role)


def test_the_link_is_stored_only_as_a_digest(db: Database) -> None:
    partner = make_partner(db, "Digest Partner")
    issued = _invite(db, partner)
    assert issued.link == f"/invite/{issued.token}"
    assert len(issued.token) >= 40
    dump = text_dump(db)
    assert issued.token not in dump
    with db.unit_of_work(read_only=True) as session:
        row = session.scalar(select(Invitation))
        assert row is not None
        assert row.token_digest == tokens.sha256(issued.token)
        audit = session.scalar(select(AuditEntry).where(
            AuditEntry.action == "invitation.create"))
        assert audit is not None
        assert "token_digest" not in (audit.after or "")


def test_accepting_makes_an_active_partner_user_once(db: Database) -> None:
    partner = make_partner(db, "Welcoming Partner")
    issued = _invite(db, partner, "Lin@Welcoming.example", "partner_admin")
    with db.unit_of_work() as session, pytest.raises(Unprocessable) as short:
        invitations.accept(session, issued.token, name="Lin", password="short")
    assert short.value.field == "password"
    with db.unit_of_work() as session:
        user = invitations.accept(session, issued.token, name=" Lin Wei ",
                                  password="a long enough password")
        user_id = user.id
    with db.unit_of_work(read_only=True) as session:
        user = session.get(User, user_id)
        assert user is not None
        assert (user.email, user.name, user.role, user.partner_id, user.is_active) == (
            "lin@welcoming.example", "Lin Wei", Role.PARTNER_ADMIN, partner, True)
        assert verify_password(user.password_hash, "a long enough password")
        accepted = session.scalar(select(Invitation))
        assert accepted is not None
        assert accepted.accepted_user_id == user_id
        assert {"invitation.accept", "user.create"} <= set(session.scalars(
            select(AuditEntry.action)))
    with db.unit_of_work() as session, pytest.raises(invitations.InvitationGone) as used:
        invitations.accept(session, issued.token, name="Mole", password="another password!")
    assert used.value.status == 410
    assert "already used" in used.value.render("en")


def test_an_expired_link_is_refused(db: Database) -> None:
    partner = make_partner(db, "Slow Partner")
    clock.freeze(utc(2026, 3, 1))
    issued = _invite(db, partner)
    clock.freeze(utc(2026, 3, 1) + timedelta(days=7, seconds=-1))
    with db.unit_of_work(read_only=True) as session:
        assert invitations.by_token(session, issued.token).id
    clock.freeze(utc(2026, 3, 8))
    with db.unit_of_work() as session, pytest.raises(invitations.InvitationGone) as late:
        invitations.accept(session, issued.token, name="Late", password="a long enough one")
    assert late.value.render("en") == ("This invitation expired on 2026-03-08. Ask your "
                                       "contact for a new link.")


def test_withdrawn_replaced_and_unknown_links(db: Database) -> None:
    partner = make_partner(db, "Changing Partner")
    first = _invite(db, partner)
    second = _invite(db, partner)  # the same address: the first link stops working
    with db.unit_of_work() as session, pytest.raises(invitations.InvitationGone) as replaced:
        invitations.by_token(session, first.token)
    assert "withdrawn" in replaced.value.render("en")
    with db.unit_of_work() as session:
        invitations.revoke(session, SYSTEM, second.invitation.id)
    with db.unit_of_work() as session, pytest.raises(invitations.InvitationGone):
        invitations.by_token(session, second.token)
    with db.unit_of_work() as session, pytest.raises(NotFound):
        invitations.by_token(session, "x" * 43)


def test_who_may_invite(db: Database) -> None:
    partner = make_partner(db, "Our Partner")
    other = make_partner(db, "Their Partner")
    make_user(db, "taken@example.com", Role.ANALYST)
    admin_id = make_user(db, "lin@our.example", Role.PARTNER_ADMIN, partner)
    member_id = make_user(db, "bo@our.example", Role.PARTNER_MEMBER, partner)
    with db.unit_of_work(read_only=True) as session:
        admin = subject_for_user(session.get(User, admin_id))  # type: ignore[arg-type]
        member = subject_for_user(session.get(User, member_id))  # type: ignore[arg-type]
    with db.unit_of_work() as session:
        assert invitations.invite(session, admin, partner, "colleague@our.example").token
    with db.unit_of_work() as session, pytest.raises(Forbidden):
        invitations.invite(session, member, partner, "friend@our.example")
    with db.unit_of_work() as session, pytest.raises(NotFound):
        invitations.invite(session, admin, other, "mole@their.example")
    with db.unit_of_work() as session, pytest.raises(Conflict):
        invitations.invite(session, SYSTEM, partner, "Taken@example.com")
    with db.unit_of_work() as session, pytest.raises(Unprocessable):
        invitations.invite(session, SYSTEM, partner, "boss@our.example", "admin")
