"""The onboarding checklist: applied at signing with owners and due dates; computed steps
tick themselves when a partner user accepts an invitation, when a key is issued and when
the partner has a channel manager; manual steps are ticked by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from qudao.accounts.roles import Role
from qudao.accounts.subject import SYSTEM
from qudao.agreements import onboarding, repository
from qudao.agreements.models import Agreement, OnboardingItem
from qudao.audit.models import AuditEntry
from qudao.core import clock
from qudao.core.config import Settings
from qudao.core.errors import NotFound, Unprocessable
from qudao.db.session import Database
from tests.agreements.builders import draft, set_owner, signed, utc
from tests.fixtures.accounts import make_key, make_partner, make_user

TEMPLATE_KEYS = ["training", "portal_access", "api_key", "materials", "channel_manager",
                 "first_joint_call"]


# Read in a unit of work that ends with a commit (of nothing): the rows stay loaded.
def _checklist(db: Database, agreement_id: int) -> onboarding.Checklist:
    with db.unit_of_work() as session:
        agreement = session.get(Agreement, agreement_id)
        assert agreement is not None
        return onboarding.checklist(session, agreement)


def _items(db: Database, agreement_id: int) -> dict[str, OnboardingItem]:
    with db.unit_of_work() as session:
        return {i.key: i for i in onboarding.items_of(session, agreement_id)}


def test_the_template_is_applied_at_signing_with_owners_and_due_dates(db: Database) -> None:
    manager = make_user(db, "mei@example.com", Role.CHANNEL_MANAGER)
    partner = make_partner(db, "Onboarded Partner")
    set_owner(db, partner, manager)
    assert _items(db, draft(db, make_partner(db, "Draft Only"))) == {}
    clock.freeze(utc(2025, 12, 20))
    agreement_id = signed(db, partner)
    items = _items(db, agreement_id)
    assert list(items) == TEMPLATE_KEYS
    signed_on = date(2025, 12, 20)
    assert {k: (i.due_on - signed_on).days for k, i in items.items()} == {
        "training": 14, "portal_access": 7, "api_key": 14, "materials": 7,
        "channel_manager": 7, "first_joint_call": 30}
    assert {i.owner_user_id for i in items.values()} == {manager}
    # The partner has an owner: "channel manager assigned" was recorded at signing.
    assert items["channel_manager"].done_at == utc(2025, 12, 20)
    assert items["channel_manager"].done_by_label == "system"
    checklist = _checklist(db, agreement_id)
    assert (checklist.done, checklist.total, checklist.percent) == (1, 6, 17)


def test_computed_steps_tick_when_a_key_is_issued_and_an_invitation_accepted(
    db: Database, settings: Settings,
) -> None:
    from qudao.accounts import invitations

    partner = make_partner(db, "Connected Partner")
    clock.freeze(utc(2025, 12, 20))
    agreement_id = signed(db, partner)
    before = {v.item.key: v.done for v in _checklist(db, agreement_id).items}
    assert not before["api_key"]
    assert not before["portal_access"]
    assert not before["channel_manager"]

    clock.freeze(utc(2025, 12, 22, 9))
    make_key(db, settings, partner)
    views = {v.item.key: v for v in _checklist(db, agreement_id).items}
    # Read from the data, dated by the key itself, before anything was written.
    assert views["api_key"].done
    assert views["api_key"].done_at == utc(2025, 12, 22, 9)
    assert _items(db, agreement_id)["api_key"].done_at is None

    clock.freeze(utc(2025, 12, 23, 10))
    with db.unit_of_work() as session:
        issued = invitations.invite(session, SYSTEM, partner, "lin@connected.example",
                                    "partner_admin")
    assert not {v.item.key: v.done for v in _checklist(db, agreement_id).items}[
        "portal_access"]
    clock.freeze(utc(2025, 12, 24, 11))
    with db.unit_of_work() as session:
        user = invitations.accept(session, issued.token, name="Lin",
                                  password="a long enough password")
        assert user.partner_id == partner
        assert user.role is Role.PARTNER_ADMIN
    items = _items(db, agreement_id)
    # The acceptance recorded both: the new user, and the key that was already there.
    assert items["portal_access"].done_at == utc(2025, 12, 24, 11)
    assert items["api_key"].done_at == utc(2025, 12, 22, 9)
    with db.unit_of_work(read_only=True) as session:
        ticks = list(session.scalars(select(AuditEntry.target_id).where(
            AuditEntry.action == "onboarding.tick")))
    assert sorted(ticks) == sorted(str(items[k].id) for k in ("portal_access", "api_key"))


def test_manual_steps_are_ticked_by_hand_and_computed_ones_refuse(db: Database) -> None:
    manager = make_user(db, "mei@example.com", Role.CHANNEL_MANAGER)
    partner = make_partner(db, "Hands-on Partner")
    agreement_id = signed(db, partner)
    with db.unit_of_work() as session:
        agreement = repository.get(session, SYSTEM, agreement_id)
        onboarding.update_item(session, SYSTEM, agreement, "training", done=True,
                               owner_user_id=manager, due_on=date(2026, 2, 1))
    partner_user = make_user(db, "someone@other.example", Role.PARTNER_MEMBER,
                             make_partner(db, "Other Company"))
    with db.unit_of_work() as session:
        agreement = repository.get(session, SYSTEM, agreement_id)
        with pytest.raises(Unprocessable) as computed:
            onboarding.update_item(session, SYSTEM, agreement, "api_key", done=True)
        with pytest.raises(NotFound):
            onboarding.update_item(session, SYSTEM, agreement, "celebration", done=True)
        with pytest.raises(Unprocessable) as stranger:
            onboarding.update_item(session, SYSTEM, agreement, "materials",
                                   owner_user_id=partner_user)
    assert "ticks itself from the data" in computed.value.render("en")
    assert stranger.value.field == "owner_user_id"
    training = _items(db, agreement_id)["training"]
    assert training.done_at is not None
    assert training.done_by_label == "system"
    assert (training.owner_user_id, training.due_on) == (manager, date(2026, 2, 1))
    with db.unit_of_work() as session:
        agreement = repository.get(session, SYSTEM, agreement_id)
        onboarding.update_item(session, SYSTEM, agreement, "training", done=False)
    assert _items(db, agreement_id)["training"].done_at is None


def test_overdue_steps_and_progress(db: Database) -> None:
    partner = make_partner(db, "Late Partner")
    clock.freeze(utc(2025, 12, 1))
    agreement_id = signed(db, partner)
    clock.freeze(utc(2025, 12, 1) + timedelta(days=8))
    views = {v.item.key: v for v in _checklist(db, agreement_id).items}
    assert views["materials"].overdue
    assert views["portal_access"].overdue
    assert not views["training"].overdue


def test_a_periodic_sync_records_what_the_data_shows(db: Database, settings: Settings
                                                     ) -> None:
    partner = make_partner(db, "Synced Partner")
    agreement_id = signed(db, partner)
    make_key(db, settings, partner)
    make_user(db, "ops@synced.example", Role.PARTNER_MEMBER, partner)
    with db.unit_of_work() as session:
        assert onboarding.sync_all(session) == 2
    with db.unit_of_work() as session:
        assert onboarding.sync_all(session) == 0
    items = _items(db, agreement_id)
    assert items["api_key"].done_at is not None
    assert items["portal_access"].done_at is not None
