"""Builders for the agreement tests: a program and its plan, partners whose due diligence is
done (or not), agreements drafted and signed through the real services, won deals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from qudao.accounts.subject import SYSTEM, AuthSubject
from qudao.agreements import service
from qudao.agreements.models import Agreement
from qudao.agreements.schemas import AgreementCreate, KpiIn, MilestoneIn
from qudao.db.session import Database
from qudao.deals.models import Deal
from qudao.partners.models import Partner
from qudao.programs.models import CommissionPlan, Program
from qudao.screening import diligence

PROGRAM_NAME = "Qudao 2026"
# Evidence (or the interview answer) for each required check of the default template.
EVIDENCE = {
    "credit_rating": "Dun & Bradstreet 5A1",
    "financial_statements": "Audited statements 2025 received",
    "company_size": "120 employees, focused on retail",
    "references": "Two customers called",
}
ANSWER = "A small team pilots each idea with one customer first."


def make_program(db: Database, *, currency: str = "CNY", locale: str = "en",
                 name: str = PROGRAM_NAME) -> tuple[int, int]:
    """The program (get or create) and its flat 15% plan: (program id, plan id)."""
    from decimal import Decimal

    with db.unit_of_work() as session:
        program = session.scalar(select(Program).where(Program.name == name))
        if program is None:
            program = Program(name=name, company_name="Qudao Demo Ltd", currency=currency,
                              default_locale=locale, exit_terms="Hand over open deals.")
            session.add(program)
            session.flush()
            plan = CommissionPlan(program_id=program.id, name="Standard 15%",
                                  currency=currency, kind="flat", flat_rate=Decimal("0.15"))
            session.add(plan)
            session.flush()
        else:
            plan = session.scalar(select(CommissionPlan)
                                  .where(CommissionPlan.program_id == program.id))
            assert plan is not None
        return program.id, plan.id


def complete_diligence(db: Database, partner_id: int) -> None:
    with db.unit_of_work() as session:
        for key, evidence in EVIDENCE.items():
            diligence.update_item(session, SYSTEM, partner_id, key, status="done",
                                  evidence=evidence)
        diligence.update_item(session, SYSTEM, partner_id, "culture_interview",
                              status="done", answer=ANSWER)


def set_owner(db: Database, partner_id: int, owner_id: int | None) -> None:
    with db.unit_of_work() as session:
        partner = session.get(Partner, partner_id)
        assert partner is not None
        partner.owner_id = owner_id


def terms(partner_id: int, program_id: int, plan_id: int | None = None,
          **changes: Any) -> AgreementCreate:
    values: dict[str, Any] = {
        "partner_id": partner_id, "program_id": program_id, "plan_id": plan_id,
        "territory": "East China", "starts_on": date(2026, 1, 1),
        "ends_on": date(2026, 12, 31), "exclusive": True,
        "ip_clause": "Each party keeps its own IP.",
        "kpis": [KpiIn(metric="channel_revenue", target="100000.00", period="quarter"),
                 KpiIn(metric="new_customers", target=10, period="quarter")],
        "milestones": [MilestoneIn(title="First quarter: 10 pilot customers",
                                   due_on=date(2026, 3, 31), metric="pilot_customers",
                                   target=10),
                       MilestoneIn(title="Kick-off workshop held", due_on=date(2026, 2, 15))],
    }
    values.update(changes)
    return AgreementCreate(**values)


def draft(db: Database, partner_id: int, subject: AuthSubject = SYSTEM,
          **changes: Any) -> int:
    program_id, plan_id = make_program(db)
    with db.unit_of_work() as session:
        return service.create_draft(session, subject,
                                    terms(partner_id, program_id, plan_id, **changes)).id


def signed(db: Database, partner_id: int, **changes: Any) -> int:
    """A signed agreement; the due diligence is completed first."""
    complete_diligence(db, partner_id)
    agreement_id = draft(db, partner_id, **changes)
    with db.unit_of_work() as session:
        service.sign(session, SYSTEM, agreement_id)
    return agreement_id


def state_of(db: Database, agreement_id: int) -> str:
    with db.unit_of_work(read_only=True) as session:
        agreement = session.get(Agreement, agreement_id)
        assert agreement is not None
        return agreement.state


def won_deal(db: Database, partner_id: int, amount_minor: int, closed: datetime, *,
             customer: str, currency: str = "CNY", stage: str = "won") -> int:
    with db.unit_of_work() as session:
        deal = Deal(partner_id=partner_id, customer_name=customer,
                    customer_domain=f"{customer.lower().replace(' ', '')}.example",
                    amount_minor=amount_minor, currency=currency, stage=stage,
                    closed_at=closed if stage == "won" else None)
        session.add(deal)
        session.flush()
        return deal.id


def utc(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)
