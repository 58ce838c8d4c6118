"""The staff dashboard as the JSON API gives it: amounts in the program's currency as
decimal strings, shares in percent, months as YYYY-MM."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field


class MonthOut(BaseModel):
    month: str = Field(description="YYYY-MM (UTC)")
    won: Decimal = Field(description="Won deals closed in the month")
    refunds: Decimal = Field(description="Refunds that occurred in the month (positive)")
    channel_revenue: Decimal = Field(description="won - refunds")
    credited_to_no_partner: Decimal = Field(
        description="Sales credited to no partner (a separate series, not in channel_revenue)")


class PartnerRevenueOut(BaseModel):
    partner_id: int | None = Field(description="None for the others taken together")
    name: str
    channel_revenue: Decimal
    share_percent: Decimal | None = Field(
        description="Share of the window's channel revenue, 0.1 % (None: no positive share)")


class StageOut(BaseModel):
    stage: str
    label: str
    count: int
    amount: Decimal


class CommissionOut(BaseModel):
    payable: Decimal = Field(description="What the ledger says is owed to partners")
    approved: Decimal = Field(description="Approved statements not yet paid")
    draft: Decimal = Field(description="Accrued on statements still in draft")


class GoalProgressOut(BaseModel):
    goal_id: int
    title: str
    metric: str
    actual: Decimal
    target: Decimal
    percent: Decimal
    status: str
    status_label: str


class ConcentrationOut(BaseModel):
    hhi: Decimal = Field(description="Sum of squared percentage shares, 0-10,000 (2 places)")
    level: str
    level_label: str
    largest_partner_id: int | None
    largest_share_percent: Decimal | None
    alert_threshold_percent: int
    alert: bool = Field(description="The largest share is strictly above the threshold")


class StaffDashboardOut(BaseModel):
    program_id: int
    program_name: str
    currency: str
    first_month: str
    last_month: str = Field(description="The month the figures are as of (YYYY-MM)")
    months: int
    channel_revenue: Decimal
    credited_to_no_partner: Decimal
    active_partners: int
    signed_partners: int
    open_deals: int
    commission: CommissionOut
    revenue_by_month: list[MonthOut]
    revenue_by_partner: list[PartnerRevenueOut]
    deals_by_stage: list[StageOut]
    goals: list[GoalProgressOut]
    concentration: ConcentrationOut
