"""Builders for goal and plan tests: a program, and the rows metrics read (deals of
``qudao.deals.models`` and pipeline events), written directly with chosen instants."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from qudao.accounts.roles import Role
from qudao.db.session import Database
from qudao.deals.models import Deal
from qudao.partners.models import StageEvent
from qudao.programs.models import Program
from tests.fixtures.accounts import make_partner, make_user


def at(text: str) -> datetime:
    """An aware UTC instant from "2026-12-01" or "2026-12-01 13:30"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def make_program(db: Database, name: str = "Channel program", currency: str = "CNY") -> int:
    with db.unit_of_work() as session:
        program = Program(name=name, company_name="Qudao Demo Co.", currency=currency)
        session.add(program)
        session.flush()
        return program.id


def make_owner(db: Database, email: str = "mei@example.com") -> int:
    return make_user(db, email, Role.CHANNEL_MANAGER)


def won_deal(
    db: Database, partner_id: int, customer: str, closed: str, amount: str = "1000.00",
    *, currency: str = "CNY", program_id: int | None = None, domain: str | None = None,
) -> int:
    """A deal won at ``closed``."""
    closed_at = at(closed)
    minor = int(Decimal(amount) * 100)
    with db.unit_of_work() as session:
        deal = Deal(partner_id=partner_id, program_id=program_id, customer_name=customer,
                    customer_domain=domain, amount_minor=minor, currency=currency,
                    stage="won", closed_at=closed_at, created_at=closed_at)
        session.add(deal)
        session.flush()
        return deal.id


def registered_deal(db: Database, partner_id: int, customer: str, created: str) -> int:
    with db.unit_of_work() as session:
        deal = Deal(partner_id=partner_id, customer_name=customer, amount_minor=100_00,
                    currency="CNY", stage="registered", created_at=at(created))
        session.add(deal)
        session.flush()
        return deal.id


def signed(db: Database, partner_id: int, when: str) -> None:
    with db.unit_of_work() as session:
        session.add(StageEvent(partner_id=partner_id, from_stage="negotiating",
                               to_stage="signed", occurred_at=at(when)))


def partners(db: Database, *names: str) -> list[int]:
    return [make_partner(db, name) for name in names]


def new_customers(db: Database, partner_id: int, count: int, closed: str,
                  prefix: str = "Customer") -> None:
    """``count`` customers won at ``closed``, each new."""
    closed_at = at(closed)
    with db.unit_of_work() as session:
        session.add_all(Deal(partner_id=partner_id, customer_name=f"{prefix} {n}",
                             amount_minor=1000_00, currency="CNY", stage="won",
                             closed_at=closed_at, created_at=closed_at)
                        for n in range(count))
