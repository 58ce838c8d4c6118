"""Commission shapes for the API: what a caller may send and what it gets back.

Amounts travel as strings: each amount is given as a decimal string in its currency's units
("25000.00") beside the integer of minor units it comes from (``*_minor``), and the currency.
Rates are fractions ("0.15"), with ``rate_percent`` ("15") where a person reads them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from qudao.programs.plan_schemas import Boundary, RateText, TierIn, TierMode

StatementState = Literal["draft", "approved", "paid"]
TransactionKind = Literal["sale", "refund"]
PayoutMethod = Literal["bank_transfer", "alipay", "wechat_pay", "paypal", "other"]
PeriodText = Field(min_length=1, max_length=40,
                   description="2011-01 (a month), 2011-Q1 (a quarter) or "
                               "2011-01-05..2011-02-04 (days, both included)")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunCreate(_In):
    period: str = PeriodText
    program_id: int | None = Field(default=None,
                                   description="The program; the only one when left out")


class PayoutCreate(_In):
    """Pays every approved statement of the partner in ``currency`` at once."""

    partner_id: int
    currency: str = Field(min_length=3, max_length=3)
    method: PayoutMethod
    reference: str = Field(min_length=1, max_length=120,
                           description="The bank transfer's number or the like; once per "
                                       "partner")
    paid_on: date


class PayoutReverse(_In):
    reason: str = Field(min_length=1, max_length=2000)


class RateCreate(_In):
    rate_date: date = Field(description="The rate applies from this day on")
    base: str = Field(min_length=3, max_length=3)
    quote: str = Field(min_length=3, max_length=3)
    rate: str = Field(min_length=1, max_length=40,
                      description='One unit of base in quote, e.g. "7.2345"')


class RefundCreate(_In):
    """A refund or cancellation of a won deal line or of an imported sale (name one)."""

    deal_line_id: int | None = None
    transaction_id: int | None = None
    amount: str = Field(min_length=1, max_length=40,
                        description='In the sale\'s currency, e.g. "1200.00"')
    occurred_on: date = Field(description="Clawed back in the period of this day")
    reason: str | None = Field(default=None, max_length=2000)


class WhatIfIn(_In):
    """A plan with other terms, applied to past periods; nothing is posted."""

    plan_id: int
    periods: list[str] = Field(min_length=1, max_length=24,
                               description="Past periods, e.g. [\"2011-01\", \"2011-Q2\"]")
    flat_rate: RateText | None = None
    tiers: list[TierIn] | None = Field(default=None, max_length=20)
    tier_mode: TierMode | None = None
    boundary: Boundary | None = None


class RunOut(BaseModel):
    id: int
    program_id: int
    period_key: str
    period_kind: str
    period_start: date
    period_end: date = Field(description="The first day after the period")
    started_at: datetime
    finished_at: datetime | None
    lines_posted: int
    statements_touched: int
    partners_count: int
    actor_label: str | None
    summary: dict[str, Any]


class StatementOut(BaseModel):
    id: int
    program_id: int
    partner_id: int
    partner_name: str
    plan_id: int | None
    period_key: str
    period_start: date
    period_end: date = Field(description="The first day after the period")
    sequence: int
    currency: str
    state: StatementState
    state_label: str
    total: Decimal
    total_minor: int
    base: Decimal
    base_minor: int
    lines_count: int
    approved_at: datetime | None
    paid_at: datetime | None
    payout_id: int | None
    created_at: datetime
    updated_at: datetime


class StatementLineOut(BaseModel):
    id: int
    position: int
    run_id: int
    kind: Literal["sale", "clawback", "cap", "adjustment"]
    kind_label: str
    source_key: str
    deal_id: int | None
    deal_line_id: int | None
    transaction_id: int | None
    customer: str | None
    sku: str | None
    product: str | None
    occurred_on: date | None
    original_amount: Decimal | None
    original_minor: int | None
    original_currency: str | None
    fx_rate: Decimal | None
    base: Decimal
    base_minor: int
    rate: Decimal = Field(description="A fraction: 0.15 is 15%")
    rate_percent: Decimal
    tier: int | None
    commission_exact: Decimal = Field(description="Unrounded, in the currency's units")
    commission: Decimal
    commission_minor: int
    rounding: Decimal
    adjusts_line_id: int | None
    note: str | None
    note_label: str | None


class StatementDetailOut(StatementOut):
    lines: list[StatementLineOut]


class BalanceOut(BaseModel):
    partner_id: int
    currency: str
    payable: Decimal = Field(description="What the ledger says the company owes")
    payable_minor: int
    draft: Decimal
    draft_minor: int
    approved: Decimal
    approved_minor: int
    paid: Decimal
    paid_minor: int
    last_paid_on: date | None


class PayoutOut(BaseModel):
    id: int
    program_id: int
    partner_id: int
    partner_name: str
    currency: str
    amount: Decimal
    amount_minor: int
    method: PayoutMethod
    method_label: str
    reference: str
    paid_on: date
    statement_ids: list[int]
    created_at: datetime
    reversed_at: datetime | None
    reversal_reason: str | None


class RateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    rate_date: date
    base: str
    quote: str
    rate: Decimal
    source: str
    created_at: datetime


class TransactionOut(BaseModel):
    id: int
    partner_id: int
    program_id: int | None
    kind: TransactionKind
    external_ref: str
    occurred_on: date
    customer_ref: str | None
    customer_name: str | None
    sku: str
    description: str | None
    quantity: int
    amount: Decimal
    amount_minor: int
    currency: str
    refund_of_id: int | None
    refund_of_deal_line_id: int | None
    reason: str | None
    source: str
    created_at: datetime


class ImportProblemOut(BaseModel):
    row: int
    column: str | None
    reason: str


class ImportOut(BaseModel):
    ok: bool
    rows: int
    created: int
    errors: list[ImportProblemOut]
    warnings: list[ImportProblemOut]


class ProjectionOut(BaseModel):
    partner_id: int | None = Field(description="None on the total")
    partner_name: str | None
    volume: Decimal
    volume_minor: int
    current: Decimal
    current_minor: int
    proposed: Decimal
    proposed_minor: int
    change: Decimal
    change_minor: int
    current_margin: Decimal
    current_margin_minor: int
    proposed_margin: Decimal
    proposed_margin_minor: int


class ProposedTierOut(BaseModel):
    threshold: Decimal
    threshold_minor: int
    rate: Decimal
    rate_percent: Decimal


class ProposedTermsOut(BaseModel):
    kind: str
    tier_mode: str
    boundary: str
    tiers: list[ProposedTierOut]


class WhatIfOut(BaseModel):
    plan_id: int
    plan_name: str
    currency: str
    periods: list[str]
    proposed: ProposedTermsOut
    rows: list[ProjectionOut]
    total: ProjectionOut
    unconverted: int = Field(description="Sales left out for want of an exchange rate")
