"""Deals made through the real services, for tests that need one in place."""

from __future__ import annotations

from typing import Any

from qudao.accounts.subject import SYSTEM
from qudao.db.session import Database
from qudao.deals import service
from qudao.deals.schemas import DealCreate, WonLineIn
from qudao.programs.models import Product, ProductPrice, Program


def deal_body(**fields: Any) -> dict[str, Any]:
    """A valid registration as JSON, for the API."""
    body: dict[str, Any] = {"customer_name": "Acme Retail", "customer_website":
                            "https://www.acme-retail.cn", "amount": "12500.00",
                            "currency": "CNY", "expected_close": "2027-03-31"}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def register(db: Database, partner_id: int, **fields: Any) -> int:
    with db.unit_of_work() as session:
        data = DealCreate(**deal_body(partner_id=partner_id, **fields))
        return service.register(session, SYSTEM, data, source="staff").id


def approve(db: Database, deal_id: int) -> None:
    with db.unit_of_work() as session:
        service.approve(session, SYSTEM, deal_id)


def win(db: Database, deal_id: int, *lines: tuple[str, int, str]) -> None:
    with db.unit_of_work() as session:
        service.win(session, SYSTEM, deal_id, [WonLineIn(sku=s, quantity=q, unit_price=p)
                                               for s, q, p in lines])


def program(db: Database, *, protection_days: int = 90, name: str = "Channel") -> int:
    with db.unit_of_work() as session:
        made = Program(name=name, company_name="Qudao Demo Ltd", currency="CNY",
                       protection_days=protection_days)
        session.add(made)
        session.flush()
        return made.id


def product(db: Database, sku: str, name: str, price_minor: int = 10000) -> int:
    with db.unit_of_work() as session:
        made = Product(sku=sku, name=name, prices=[ProductPrice(currency="CNY", min_quantity=1,
                                                                unit_price_minor=price_minor)])
        session.add(made)
        session.flush()
        return made.id
