"""Builders for the commission tests: a program, plans, partners with agreements in force,
won deals on chosen days and imported sales, written straight to the database so that each
test states exactly the sales it computes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count
from typing import Any

from sqlalchemy import select

from qudao.agreements.models import Agreement
from qudao.commissions.models import CurrencyRate, SalesTransaction
from qudao.db.session import Database
from qudao.deals.models import Deal, DealLine
from qudao.partners.models import Partner
from qudao.programs.models import CommissionPlan, PlanTier, Program

GUIDE_TIERS = [(0, "0.15"), (10_000_000, "0.20")]
_numbers = count(1)


def program(db: Database, currency: str = "CNY") -> int:
    with db.unit_of_work() as session:
        found = session.scalar(select(Program).where(Program.name == "Channel 2011"))
        if found is None:
            found = Program(name="Channel 2011", company_name="Qudao Ltd",
                            currency=currency, default_locale="en")
            session.add(found)
            session.flush()
        return found.id


def plan(db: Database, program_id: int, *, name: str | None = None, currency: str = "CNY",
         kind: str = "tiered", tiers: list[tuple[int, str]] | None = None,
         flat_rate: str | None = None, **terms: Any) -> int:
    with db.unit_of_work() as session:
        row = CommissionPlan(program_id=program_id, name=name or f"Plan {next(_numbers)}",
                             currency=currency, kind=kind,
                             flat_rate=Decimal(flat_rate) if flat_rate else None, **terms)
        if kind == "tiered":
            row.tiers = [PlanTier(threshold_minor=t, rate=Decimal(r))
                         for t, r in (tiers or GUIDE_TIERS)]
        session.add(row)
        session.flush()
        return row.id


def partner(db: Database, program_id: int, plan_id: int | None, name: str | None = None,
            ) -> int:
    """A partner with an active agreement (2010–2030) paying ``plan_id``."""
    name = name or f"Partner {next(_numbers)}"
    with db.unit_of_work() as session:
        row = Partner(name=name, normalized_name=name.lower(), stage="active")
        session.add(row)
        session.flush()
        session.add(Agreement(partner_id=row.id, program_id=program_id, plan_id=plan_id,
                              territory="CN", starts_on=date(2010, 1, 1),
                              ends_on=date(2030, 12, 31), state="active", in_force=True))
        return row.id


def won_deal(db: Database, partner_id: int, program_id: int, day: date,
             lines: list[tuple[str, int]], currency: str = "CNY",
             customer: str = "Acme") -> list[int]:
    """A won deal closed on ``day`` with (sku, amount_minor) lines; returns the line ids."""
    with db.unit_of_work() as session:
        deal = Deal(partner_id=partner_id, program_id=program_id, customer_name=customer,
                    amount_minor=sum(a for _, a in lines), currency=currency, stage="won",
                    closed_at=datetime(day.year, day.month, day.day, 10, tzinfo=UTC))
        deal.lines = [DealLine(kind="won", sku=sku, quantity=1, unit_price_minor=amount,
                               amount_minor=amount, currency=currency) for sku, amount in lines]
        session.add(deal)
        session.flush()
        return [line.id for line in deal.lines]


def sale(db: Database, partner_id: int, day: date, amount_minor: int, *, currency: str = "CNY",
         sku: str = "SKU-1", kind: str = "sale", refund_of: int | None = None,
         program_id: int | None = None) -> int:
    with db.unit_of_work() as session:
        row = SalesTransaction(partner_id=partner_id, program_id=program_id, kind=kind,
                               external_ref=f"T-{next(_numbers)}", occurred_on=day, sku=sku,
                               quantity=1, amount_minor=amount_minor, currency=currency,
                               refund_of_id=refund_of, customer_name="Imported customer")
        session.add(row)
        session.flush()
        return row.id


def rate(db: Database, day: date, base: str, quote: str, value: str) -> None:
    with db.unit_of_work() as session:
        session.add(CurrencyRate(rate_date=day, base=base, quote=quote, rate=Decimal(value)))
