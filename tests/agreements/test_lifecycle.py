"""The life of an agreement: draft → signed → active → (expiring) → renewed, or terminated.
Each refused move says why; signing waits for the partner's due diligence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from qudao.accounts.roles import Role
from qudao.accounts.service import subject_for_user
from qudao.accounts.subject import SYSTEM
from qudao.agreements import service, states
from qudao.agreements.models import Agreement, AgreementEvent
from qudao.audit.models import AuditEntry
from qudao.core import clock
from qudao.core.errors import Conflict, Forbidden, Unprocessable
from qudao.db.session import Database
from qudao.partners.models import Partner
from tests.agreements.builders import (
    complete_diligence,
    draft,
    make_program,
    signed,
    state_of,
    terms,
    utc,
)
from tests.fixtures.accounts import make_partner, make_user


def _user(db: Database, user_id: int):  # type: ignore[no-untyped-def]
    from qudao.accounts.models import User

    with db.unit_of_work(read_only=True) as session:
        user = session.get(User, user_id)
        assert user is not None
        return subject_for_user(user)


def test_signing_is_blocked_while_due_diligence_is_open_then_allowed(db: Database) -> None:
    partner = make_partner(db, "Guide Example")
    agreement_id = draft(db, partner)
    with db.unit_of_work() as session, pytest.raises(Conflict) as refused:
        service.sign(session, SYSTEM, agreement_id)
    message = refused.value.render("en")
    assert message.startswith("Signing is blocked until the required due-diligence checks "
                              "are done:")
    assert "Credit rating checked" in message
    assert state_of(db, agreement_id) == "draft"

    complete_diligence(db, partner)
    clock.freeze(utc(2025, 12, 20))
    with db.unit_of_work() as session:
        agreement = service.sign(session, SYSTEM, agreement_id)
        assert agreement.state == "signed"
        assert agreement.in_force is True
        assert agreement.signed_at == utc(2025, 12, 20)
        assert agreement.document_id is not None
        assert session.get(Partner, partner).stage == "signed"  # type: ignore[union-attr]


def test_an_administrator_may_override_open_checks_with_a_reason_and_it_is_audited(
    db: Database,
) -> None:
    partner = make_partner(db, "Hasty Partner")
    admin = _user(db, make_user(db, "boss@example.com", Role.ADMIN))
    manager = _user(db, make_user(db, "mei@example.com", Role.CHANNEL_MANAGER))
    agreement_id = draft(db, partner)
    with db.unit_of_work() as session, pytest.raises(Forbidden):
        service.sign(session, manager, agreement_id, override_diligence=True,
                     reason="Strategic")
    with db.unit_of_work() as session, pytest.raises(Unprocessable) as no_reason:
        service.sign(session, admin, agreement_id, override_diligence=True)
    assert no_reason.value.field == "reason"
    with db.unit_of_work() as session:
        service.sign(session, admin, agreement_id, override_diligence=True,
                     reason="Board decision: sign before the trade show")
    with db.unit_of_work(read_only=True) as session:
        override = session.scalar(select(AuditEntry).where(
            AuditEntry.action == "partner.diligence_override"))
        assert override is not None
        assert override.reason == "Board decision: sign before the trade show"
        assert "credit_rating" in (override.after or "")
        event = session.scalar(select(AgreementEvent).where(
            AgreementEvent.agreement_id == agreement_id, AgreementEvent.action == "sign"))
        assert event is not None
        assert event.override is True


def test_a_partner_already_signed_in_the_pipeline_is_checked_the_same_way(
    db: Database,
) -> None:
    """A partner signed earlier (with an override) still needs its checks for a new
    agreement, or a new override."""
    from qudao.partners import service as partners

    partner = make_partner(db, "Old Friend")
    with db.unit_of_work() as session:
        partners.move_stage(session, SYSTEM, partner, "signed", "Legacy contract",
                            override_diligence=True)
    agreement_id = draft(db, partner)
    with db.unit_of_work() as session, pytest.raises(Conflict):
        service.sign(session, SYSTEM, agreement_id)
    complete_diligence(db, partner)
    with db.unit_of_work() as session:
        assert service.sign(session, SYSTEM, agreement_id).state == "signed"


@pytest.mark.parametrize(("state", "action", "reason"), [
    ("draft", "activate", "A draft must be signed before it becomes active."),
    ("draft", "renew", "A draft cannot be renewed: sign it and activate it first."),
    ("signed", "sign", "This agreement is already signed."),
    ("signed", "renew", "A signed agreement is renewed once it is active: activate it "
                        "first."),
    ("active", "activate", "This agreement is already active."),
    ("terminated", "renew", "A terminated agreement cannot be renewed: draft a new one."),
    ("terminated", "sign", "A terminated agreement cannot be signed again: draft a new one."),
    ("terminated", "terminate", "This agreement is already terminated."),
])
def test_every_refused_move_says_why(state: str, action: states.Action, reason: str) -> None:
    assert states.refusal(state, action) == reason


def test_the_allowed_moves_of_each_state() -> None:
    assert states.allowed_actions("draft") == ["sign", "terminate"]
    assert states.allowed_actions("signed") == ["activate", "terminate"]
    assert states.allowed_actions("active") == ["renew", "terminate"]
    assert states.allowed_actions("renewed") == ["renew", "terminate"]
    assert states.allowed_actions("terminated") == []


def test_a_whole_life_with_history(db: Database) -> None:
    partner = make_partner(db, "Lifelong Partner")
    clock.freeze(utc(2025, 12, 1))
    agreement_id = signed(db, partner)
    with db.unit_of_work() as session, pytest.raises(Conflict) as early:
        service.renew(session, SYSTEM, agreement_id, date(2027, 12, 31))
    assert "activate it first" in early.value.render("en")
    with db.unit_of_work() as session:
        service.activate(session, SYSTEM, agreement_id)
    with db.unit_of_work() as session, pytest.raises(Unprocessable) as backwards:
        service.renew(session, SYSTEM, agreement_id, date(2026, 6, 30))
    assert backwards.value.field == "until"
    with db.unit_of_work() as session:
        renewed = service.renew(session, SYSTEM, agreement_id, date(2027, 12, 31),
                                "Good first year")
        assert (renewed.state, renewed.ends_on) == ("renewed", date(2027, 12, 31))
    with db.unit_of_work() as session, pytest.raises(Unprocessable) as silent:
        service.terminate(session, SYSTEM, agreement_id, "  ")
    assert silent.value.field == "reason"
    with db.unit_of_work() as session:
        ended = service.terminate(session, SYSTEM, agreement_id, "Partner sold its business")
        assert ended.in_force is None
    with db.unit_of_work(read_only=True) as session:
        events = session.scalars(select(AgreementEvent).where(
            AgreementEvent.agreement_id == agreement_id).order_by(AgreementEvent.id)).all()
        assert [(e.action, e.from_state, e.to_state) for e in events] == [
            ("create", None, "draft"), ("sign", "draft", "signed"),
            ("activate", "signed", "active"), ("renew", "active", "renewed"),
            ("terminate", "renewed", "terminated")]
        assert (events[3].previous_ends_on, events[3].new_ends_on) == (
            date(2026, 12, 31), date(2027, 12, 31))
        actions = set(session.scalars(select(AuditEntry.action).where(
            AuditEntry.target_type == "agreement")))
        assert {"agreement.create", "agreement.sign", "agreement.activate",
                "agreement.renew", "agreement.terminate"} <= actions


def test_only_one_agreement_in_force_per_partner_and_program(db: Database) -> None:
    partner = make_partner(db, "Busy Partner")
    first = signed(db, partner)
    second = draft(db, partner, territory="West China")
    with db.unit_of_work() as session, pytest.raises(Conflict) as refused:
        service.sign(session, SYSTEM, second)
    assert f"already has agreement {first} in force" in refused.value.render("en")
    with db.unit_of_work() as session:
        service.terminate(session, SYSTEM, first, "Replaced by the West China agreement")
    with db.unit_of_work() as session:
        assert service.sign(session, SYSTEM, second).state == "signed"
    with db.unit_of_work(read_only=True) as session:
        in_force = session.scalar(select(func.count()).select_from(Agreement).where(
            Agreement.partner_id == partner, Agreement.in_force.is_(True)))
        assert in_force == 1


def test_a_draft_can_change_and_a_signed_agreement_cannot(db: Database) -> None:
    from qudao.agreements.schemas import AgreementUpdate, KpiIn

    partner = make_partner(db, "Careful Partner")
    agreement_id = draft(db, partner)
    with db.unit_of_work() as session:
        changed = service.update_draft(session, SYSTEM, agreement_id, AgreementUpdate(
            territory="South China", kpis=[KpiIn(metric="deals_registered", target=5,
                                                 period="month")]))
        assert changed.territory == "South China"
        assert [(k.metric, k.target) for k in changed.kpis] == [("deals_registered", 5)]
    with db.unit_of_work() as session, pytest.raises(Unprocessable) as outside:
        service.update_draft(session, SYSTEM, agreement_id,
                             AgreementUpdate(ends_on=date(2026, 3, 1)))
    assert "outside the term" in outside.value.render("en")
    complete_diligence(db, partner)
    with db.unit_of_work() as session:
        service.sign(session, SYSTEM, agreement_id)
    with db.unit_of_work() as session, pytest.raises(Conflict) as locked:
        service.update_draft(session, SYSTEM, agreement_id,
                             AgreementUpdate(territory="Everywhere"))
    assert locked.value.render("en").startswith("Only a draft can be changed.")


def test_drafting_refuses_bad_terms(db: Database) -> None:
    partner = make_partner(db, "Sloppy Partner")
    program_id, _plan_id = make_program(db)
    bad = [
        (terms(partner, program_id, ends_on=date(2025, 12, 31)), "ends_on"),
        (terms(partner, program_id, territory="   "), "territory"),
        (terms(partner, 999_999), "program_id"),
        (terms(partner, program_id, plan_id=999_999), "plan_id"),
    ]
    for data, field in bad:
        with db.unit_of_work() as session, pytest.raises(Unprocessable) as refused:
            service.create_draft(session, SYSTEM, data)
        assert refused.value.field == field


def test_expiring_is_computed_ninety_days_before_the_end(db: Database) -> None:
    partner = make_partner(db, "Expiring Partner")
    clock.freeze(utc(2025, 12, 15))
    agreement_id = signed(db, partner)
    with db.unit_of_work() as session:
        service.activate(session, SYSTEM, agreement_id)
    end = date(2026, 12, 31)
    assert states.shown_state("active", end, end - timedelta(days=91)) == "active"
    assert states.shown_state("active", end, end - timedelta(days=90)) == "expiring"
    assert states.shown_state("signed", end, end - timedelta(days=10)) == "signed"
    with db.unit_of_work(read_only=True) as session:
        assert service.expiring_agreements(session, utc(2026, 10, 1)) == []
        found = service.expiring_agreements(session, utc(2026, 10, 2))
        assert [a.id for a in found] == [agreement_id]
        assert [a.id for a in service.expiring_agreements(session, utc(2026, 12, 1), 10)] == []


def test_the_daily_activation_starts_signed_agreements_on_their_start_date(
    db: Database,
) -> None:
    partner = make_partner(db, "Patient Partner")
    clock.freeze(utc(2025, 12, 10))
    agreement_id = signed(db, partner)
    with db.unit_of_work() as session:
        assert service.activate_due(session, SYSTEM, utc(2025, 12, 31, 23)) == []
    with db.unit_of_work() as session:
        started = service.activate_due(session, SYSTEM, utc(2026, 1, 1, 0))
        assert [a.id for a in started] == [agreement_id]
    assert state_of(db, agreement_id) == "active"
