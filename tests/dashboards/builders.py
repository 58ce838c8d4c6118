"""Small dashboard data written straight to the database: a program, partners, deals at
chosen instants and stages, refunds and sales credited to no partner, so that each test
states exactly what it sums."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from qudao.commissions.models import SalesTransaction
from qudao.db.session import Database
from qudao.deals.models import Deal
from qudao.partners.models import Partner
from qudao.programs.models import Program
from qudao.retail.models import DirectSale

_numbers = count(1)


def at(text: str) -> datetime:
    """An instant in UTC from "YYYY-MM-DD" or "YYYY-MM-DD HH:MM[:SS]"."""
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC)


def program(db: Database, *, name: str = "Gift-ware 2011", currency: str = "GBP",
            alert_pct: int = 40) -> int:
    with db.unit_of_work() as session:
        row = Program(name=name, company_name="Qudao Ltd", currency=currency,
                      default_locale="en", concentration_alert_pct=alert_pct)
        session.add(row)
        session.flush()
        return row.id


def partners(db: Database, *names: str, stage: str = "signed") -> list[int]:
    with db.unit_of_work() as session:
        rows = [Partner(name=name, normalized_name=name.lower(), stage=stage) for name in names]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def deal(db: Database, partner_id: int, program_id: int, amount_minor: int, *,
         stage: str = "won", closed: str | None = None, created: str | None = None,
         currency: str = "GBP") -> int:
    """A deal; a won or lost deal is closed at ``closed``; registered at ``created``."""
    with db.unit_of_work() as session:
        row = Deal(partner_id=partner_id, program_id=program_id,
                   customer_name=f"Customer {next(_numbers)}", amount_minor=amount_minor,
                   currency=currency, stage=stage,
                   closed_at=at(closed) if closed else None)
        if created or closed:
            row.created_at = at(created or closed or "")
        session.add(row)
        session.flush()
        return row.id


def refund(db: Database, partner_id: int, program_id: int, day: str, amount_minor: int, *,
           currency: str = "GBP") -> int:
    with db.unit_of_work() as session:
        row = SalesTransaction(partner_id=partner_id, program_id=program_id, kind="refund",
                               external_ref=f"R-{next(_numbers)}",
                               occurred_on=at(day).date(), sku="SKU-1", quantity=1,
                               amount_minor=amount_minor, currency=currency)
        session.add(row)
        session.flush()
        return row.id


def direct_sale(db: Database, program_id: int, when: str, amount_minor: int, *,
                currency: str = "GBP") -> int:
    with db.unit_of_work() as session:
        row = DirectSale(program_id=program_id, external_ref=f"D-{next(_numbers)}",
                         kind="sale" if amount_minor >= 0 else "refund",
                         occurred_at=at(when), sku="SKU-9", quantity=1,
                         amount_minor=amount_minor, currency=currency)
        session.add(row)
        session.flush()
        return row.id


def sign(db: Database, *partner_ids: int) -> None:
    """Moves partners to "signed" (the dashboard counts signed partners as active)."""
    with db.unit_of_work() as session:
        for partner_id in partner_ids:
            row = session.get(Partner, partner_id)
            assert row is not None
            row.stage = "signed"


def goal(db: Database, program_id: int, owner_email: str, *, title: str, target_minor: int,
         start: str, deadline: str, currency: str = "GBP") -> int:
    """A channel-revenue goal, written straight to the table."""
    from sqlalchemy import select

    from qudao.accounts.models import User
    from qudao.goals.models import Goal

    with db.unit_of_work() as session:
        owner = session.scalar(select(User.id).where(User.email == owner_email))
        assert owner is not None
        row = Goal(program_id=program_id, title=title, metric="channel_revenue",
                   target=target_minor, currency=currency, start=at(start).date(),
                   deadline=at(deadline).date(), owner_user_id=owner)
        session.add(row)
        session.flush()
        return row.id
