"""The sourcing pipeline: moves, reasons, history, duplicates, merging, and the
due-diligence gate in front of signing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qudao.accounts.roles import Role
from qudao.accounts.subject import SYSTEM, AuthSubject
from qudao.audit.models import AuditEntry
from qudao.core.errors import Conflict, Forbidden, Unprocessable
from qudao.db.session import Database
from qudao.partners import repository, service
from qudao.partners.schemas import ContactIn, PartnerCreate
from qudao.partners.types import suggest_types
from qudao.screening import diligence
from qudao.screening import service as screening
from tests.fixtures.accounts import make_partner

MANAGER = AuthSubject(kind="staff", role=Role.CHANNEL_MANAGER, user_id=None, label="manager")


def move(db: Database, partner_id: int, stage: str, reason: str | None = None,
         subject: AuthSubject = SYSTEM, override: bool = False) -> None:
    with db.unit_of_work() as session:
        service.move_stage(session, subject, partner_id, stage, reason,
                           override_diligence=override)


def complete_checks(db: Database, partner_id: int) -> None:
    with db.unit_of_work() as session:
        partner = repository.get(session, SYSTEM, partner_id)
        for item in diligence.ensure_checklist(session, partner):
            if not item.required:
                continue
            diligence.update_item(session, SYSTEM, partner_id, item.key, status="done",
                                  evidence="seen", answer="We run quarterly pilots.")


def test_every_move_is_recorded_with_who_and_why(db: Database) -> None:
    partner = make_partner(db, "Kilo")
    move(db, partner, "contacted")
    move(db, partner, "evaluating")
    move(db, partner, "on_hold", "waiting for their budget")
    move(db, partner, "evaluating")
    with db.unit_of_work(read_only=True) as session:
        events = repository.history(session, partner)
        assert [(e.from_stage, e.to_stage) for e in events] == [
            (None, "sourced"), ("sourced", "contacted"), ("contacted", "evaluating"),
            ("evaluating", "on_hold"), ("on_hold", "evaluating")]
        assert events[3].reason == "waiting for their budget"
        assert all(e.actor_label == "system" for e in events)


@pytest.mark.parametrize("target", ["rejected", "on_hold"])
def test_parking_needs_a_reason(db: Database, target: str) -> None:
    partner = make_partner(db, "Lima")
    with pytest.raises(Unprocessable) as refused:
        move(db, partner, target)
    assert refused.value.field == "reason"


def test_going_back_needs_a_reason_and_unknown_stages_are_refused(db: Database) -> None:
    partner = make_partner(db, "Mike")
    move(db, partner, "evaluating")
    with pytest.raises(Unprocessable):
        move(db, partner, "contacted")
    move(db, partner, "contacted", "they changed their contact person")
    with pytest.raises(Unprocessable):
        move(db, partner, "partying")


def test_signing_is_blocked_while_required_checks_are_open(db: Database) -> None:
    partner = make_partner(db, "November")
    move(db, partner, "negotiating")
    with pytest.raises(Conflict) as refused:
        move(db, partner, "signed")
    assert "Financial statements received" in refused.value.params["items"]
    with db.unit_of_work(read_only=True) as session:
        assert repository.get(session, SYSTEM, partner).stage == "negotiating"
    complete_checks(db, partner)
    move(db, partner, "signed")
    with db.unit_of_work(read_only=True) as session:
        assert repository.get(session, SYSTEM, partner).stage == "signed"


def test_only_an_admin_overrides_the_gate_with_a_reason_and_it_is_audited(db: Database) -> None:
    partner = make_partner(db, "Oscar")
    move(db, partner, "negotiating")
    with pytest.raises(Forbidden):
        move(db, partner, "signed", "urgent", subject=MANAGER, override=True)
    with pytest.raises(Unprocessable):
        move(db, partner, "signed", None, override=True)
    move(db, partner, "signed", "board approved the risk", override=True)
    with db.unit_of_work(read_only=True) as session:
        events = repository.history(session, partner)
        assert events[-1].override
        override = session.scalar(select(AuditEntry).where(
            AuditEntry.action == "partner.diligence_override"))
        assert override is not None
        assert override.reason == "board approved the risk"
        assert "credit_rating" in (override.after or "")


def test_a_required_check_needs_evidence_and_cannot_be_waived(db: Database) -> None:
    partner = make_partner(db, "Papa")
    with db.unit_of_work() as session:
        diligence.ensure_checklist(session, repository.get(session, SYSTEM, partner))
    with db.unit_of_work() as session, pytest.raises(Unprocessable):
        diligence.update_item(session, SYSTEM, partner, "credit_rating", status="done")
    with db.unit_of_work() as session, pytest.raises(Unprocessable):
        diligence.update_item(session, SYSTEM, partner, "culture_interview", status="done",
                              evidence="we talked")
    with db.unit_of_work() as session, pytest.raises(Unprocessable):
        diligence.update_item(session, SYSTEM, partner, "references", status="waived")
    with db.unit_of_work() as session:
        item = diligence.update_item(session, SYSTEM, partner, "online_reputation",
                                     status="waived")
        assert item.status == "waived"


def test_the_interview_holds_the_guides_question(db: Database) -> None:
    partner = make_partner(db, "Quebec")
    with db.unit_of_work() as session:
        items = diligence.ensure_checklist(session, repository.get(session, SYSTEM, partner))
        interview = next(i for i in items if i.key == "culture_interview")
        assert interview.question == "How do you handle innovation projects?"


def test_a_large_company_is_flagged(db: Database) -> None:
    big = make_partner(db, "Romeo Global")
    with db.unit_of_work() as session:
        service.update_partner(session, SYSTEM, big, service.PartnerUpdate(employees=5000))
    with db.unit_of_work(read_only=True) as session:
        flag = diligence.size_flag(session, repository.get(session, SYSTEM, big))
        assert flag == "May lack focus; prefer a mid-size partner."


def test_same_name_or_domain_is_a_duplicate_and_close_names_ask_first(db: Database) -> None:
    with db.unit_of_work() as session:
        service.create_partner(session, SYSTEM, PartnerCreate(
            name="Sierra Trading Co., Ltd.", website="https://www.sierra.example/about"))
    for name, website in (("sierra trading", None), ("Other", "http://sierra.example")):
        with db.unit_of_work() as session, pytest.raises(Conflict):
            service.create_partner(session, SYSTEM, PartnerCreate(name=name, website=website))
    with db.unit_of_work() as session, pytest.raises(Conflict) as similar:
        service.create_partner(session, SYSTEM, PartnerCreate(name="Sierra Tradings"))
    assert "looks like" in similar.value.message
    with db.unit_of_work() as session:
        service.create_partner(session, SYSTEM, PartnerCreate(name="Sierra Tradings",
                                                              allow_similar=True))


def test_merging_keeps_the_history_contacts_and_ratings_of_both(
    db: Database, evaluators: tuple[str, str]
) -> None:
    with db.unit_of_work() as session:
        keep = service.create_partner(session, SYSTEM, PartnerCreate(
            name="Tango", contacts=[ContactIn(name="Tina")])).id
        gone = service.create_partner(session, SYSTEM, PartnerCreate(
            name="Tango Asia", allow_similar=True, industry="software",
            contacts=[ContactIn(name="Tom")])).id
    move(db, gone, "contacted")
    with db.unit_of_work() as session:
        screening.rate(session, SYSTEM, gone, evaluator_email=evaluators[0],
                       ratings=dict.fromkeys(("market_coverage", "resource_match",
                                              "reputation", "culture_fit"), "8"))
    with db.unit_of_work() as session:
        service.merge_partners(session, SYSTEM, keep, gone)
    with db.unit_of_work(read_only=True) as session:
        survivor = repository.get(session, SYSTEM, keep)
        assert {c.name for c in survivor.contacts} == {"Tina", "Tom"}
        assert survivor.industry == "software"
        moves = [(e.from_stage, e.to_stage) for e in repository.history(session, keep)]
        assert ("sourced", "contacted") in moves
        assert len(moves) == 4
        assert screening.scorecard(session, SYSTEM, keep).total == 8
        names = [p.name for p in repository.search(session, SYSTEM, q="tango", limit=10,
                                                   offset=0)[0]]
        assert names == ["Tango"]
        assert repository.get(session, SYSTEM, gone).merged_into_id == keep


def test_type_suggestions_follow_the_guide() -> None:
    assert suggest_types("B2B software")[0][0] == "system_integrator"
    assert suggest_types("consumer goods")[0][0] == "distributor"
    assert suggest_types("礼品零售")[0][0] == "distributor"
