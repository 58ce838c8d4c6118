"""Deal shapes for the API: what a caller may send and what each reader gets back.

Amounts travel as strings ("12500.00") in the deal's currency, never as JSON floats."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Stage = Literal["registered", "approved", "rejected", "won", "lost"]
Amount = str | int


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProductLineIn(_In):
    """A product the partner expects to sell, at registration."""

    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0, le=10_000_000)


class WonLineIn(_In):
    """A product sold: the lines of a won deal, priced in the deal's currency."""

    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0, le=10_000_000)
    unit_price: Amount = Field(description='In the deal\'s currency, e.g. "1200.00"')
    description: str | None = Field(default=None, max_length=300)


class DealCreate(_In):
    """A deal registration. Partners' users and keys register for their own company (leave
    ``partner_id`` out); staff name the partner."""

    partner_id: int | None = Field(default=None, description="Staff only: whose deal it is")
    program_id: int | None = Field(default=None,
                                   description="The program; the default one when left out")
    customer_name: str = Field(min_length=1, max_length=200)
    customer_website: str | None = Field(default=None, max_length=300,
                                         description="Website or domain, e.g. acme.cn")
    customer_email: str | None = Field(default=None, max_length=254)
    customer_tax_id: str | None = Field(default=None, max_length=64)
    customer_ref: str | None = Field(default=None, max_length=128,
                                     description="The customer's id in your own systems")
    amount: Amount = Field(description='Expected value, e.g. "12500.00"')
    currency: str = Field(min_length=3, max_length=3)
    expected_close: date | None = None
    products: list[ProductLineIn] = Field(default_factory=list, max_length=100)


class DealUpdate(_In):
    """What may change on an open deal; the customer's keys may not (they hold the
    protection)."""

    customer_name: str | None = Field(default=None, min_length=1, max_length=200)
    amount: Amount | None = None
    expected_close: date | None = None


class Reason(_In):
    reason: str = Field(min_length=1, max_length=2000)


class OptionalReason(_In):
    reason: str | None = Field(default=None, max_length=2000)


class DealWin(_In):
    lines: list[WonLineIn] = Field(min_length=1, max_length=500)


class DealAssign(_In):
    sales_rep_id: int | None = Field(description="A staff user; null removes the rep")


class ExtensionDecision(_In):
    grant: bool
    reason: str | None = Field(default=None, max_length=2000)


class DealLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: Literal["registered", "won"]
    sku: str
    product_id: int | None
    description: str | None
    quantity: int
    unit_price: Decimal | None
    amount: Decimal | None
    currency: str


class SalesRepOut(BaseModel):
    id: int
    name: str
    email: str


class DealOut(BaseModel):
    """What a partner's users and keys see of their own deals."""

    id: int
    partner_id: int
    program_id: int | None
    customer_name: str
    customer_domain: str | None
    customer_email: str | None
    customer_tax_id: str | None
    customer_ref: str | None
    amount: Decimal
    currency: str
    expected_close: date | None
    stage: Stage
    stage_reason: str | None
    protected_until: datetime | None
    protection_active: bool
    extension_state: Literal["requested", "granted", "refused"] | None
    extension_reason: str | None
    sales_rep: SalesRepOut | None
    source: str
    lines: list[DealLineOut]
    created_at: datetime
    approved_at: datetime | None
    closed_at: datetime | None


class ConflictOut(BaseModel):
    """A refused registration of this deal's customer by another partner (staff only)."""

    id: int
    claimant_partner_id: int
    claimant_partner_name: str
    key: str
    customer_name: str
    source: str
    actor_label: str | None
    attempted_at: datetime


class DealStaffSummary(DealOut):
    """A deal in a staff list: whose it is and how many registrations it refused."""

    partner_name: str
    conflict_count: int


class DealStaffOut(DealOut):
    """What staff see: the deal, who registered it, and the attempts it refused."""

    partner_name: str
    registered_by_user_id: int | None
    registered_by_key_id: int | None
    conflicts: list[ConflictOut]
