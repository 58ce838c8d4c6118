"""Typed commission statements and balances: what ``list_statements``, ``get_statement`` and
``get_balances`` return. Amounts are ``Decimal``; each has its ``*_minor`` integer twin."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from qudao_sdk.deals import _Model

StatementState = Literal["draft", "approved", "paid"]


class StatementLine(_Model):
    id: int
    position: int
    kind: Literal["sale", "clawback", "cap", "adjustment"]
    kind_label: str
    deal_id: int | None = None
    customer: str | None = None
    sku: str | None = None
    product: str | None = None
    occurred_on: date | None = None
    original_amount: Decimal | None = None
    original_currency: str | None = None
    fx_rate: Decimal | None = None
    base: Decimal
    rate: Decimal
    rate_percent: Decimal
    tier: int | None = None
    commission_exact: Decimal
    commission: Decimal
    commission_minor: int
    rounding: Decimal
    adjusts_line_id: int | None = None
    note_label: str | None = None


class Statement(_Model):
    id: int
    partner_id: int
    period_key: str
    period_start: date
    period_end: date
    sequence: int
    currency: str
    state: StatementState
    state_label: str
    total: Decimal
    total_minor: int
    base: Decimal
    lines_count: int
    approved_at: datetime | None = None
    paid_at: datetime | None = None
    lines: list[StatementLine] = Field(default_factory=list)


class StatementPage(_Model):
    items: list[Statement]
    total: int
    limit: int
    offset: int


class Balance(_Model):
    """What the company owes your company in one currency (``payable``, from its ledger),
    and your statements' totals by state."""

    currency: str
    payable: Decimal
    draft: Decimal
    approved: Decimal
    paid: Decimal
    last_paid_on: date | None = None


def statement_params(period: str | None, state: StatementState | None, limit: int,
                     offset: int) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if period is not None:
        params["period"] = period
    if state is not None:
        params["state"] = state
    return params
