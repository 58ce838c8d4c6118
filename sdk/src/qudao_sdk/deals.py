"""Typed deals: what ``register_deal``, ``list_deals`` and ``get_deal`` return, and the
body ``register_deal`` sends."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Stage = Literal["registered", "approved", "rejected", "won", "lost"]


class _Model(BaseModel):
    # New fields from a newer server do not break an older client.
    model_config = ConfigDict(extra="ignore", frozen=True)


class DealLine(_Model):
    kind: Literal["registered", "won"]
    sku: str
    product_id: int | None = None
    description: str | None = None
    quantity: int
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    currency: str


class SalesRep(_Model):
    id: int
    name: str
    email: str


class Deal(_Model):
    id: int
    partner_id: int
    program_id: int | None = None
    customer_name: str
    customer_domain: str | None = None
    customer_email: str | None = None
    customer_tax_id: str | None = None
    customer_ref: str | None = None
    amount: Decimal
    currency: str
    expected_close: date | None = None
    stage: Stage
    stage_reason: str | None = None
    protected_until: datetime | None = None
    protection_active: bool
    extension_state: Literal["requested", "granted", "refused"] | None = None
    extension_reason: str | None = None
    sales_rep: SalesRep | None = None
    source: str
    lines: list[DealLine] = []
    created_at: datetime
    approved_at: datetime | None = None
    closed_at: datetime | None = None


class DealPage(_Model):
    items: list[Deal]
    total: int
    limit: int
    offset: int


class Product(_Model):
    """A product expected in a deal: its SKU and how many."""

    sku: str
    quantity: int


def registration(
    customer_name: str, *, amount: Decimal | str | int, currency: str,
    website: str | None, email: str | None, tax_id: str | None, customer_ref: str | None,
    expected_close: date | None, products: list[Product] | list[tuple[str, int]] | None,
    program_id: int | None,
) -> dict[str, Any]:
    """The JSON body of a registration. Amounts go as strings, never as floats."""
    if isinstance(amount, float):
        raise TypeError("amount must be a Decimal, a string or an int, never a float")
    items = [p if isinstance(p, Product) else Product(sku=p[0], quantity=p[1])
             for p in products or []]
    body: dict[str, Any] = {
        "customer_name": customer_name, "amount": str(amount), "currency": currency,
        "customer_website": website, "customer_email": email, "customer_tax_id": tax_id,
        "customer_ref": customer_ref, "program_id": program_id,
        "expected_close": expected_close.isoformat() if expected_close else None,
        "products": [p.model_dump() for p in items],
    }
    return {key: value for key, value in body.items() if value is not None}


def list_params(stage: Stage | None, q: str | None, limit: int, offset: int) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if stage is not None:
        params["stage"] = stage
    if q is not None:
        params["q"] = q
    return params
