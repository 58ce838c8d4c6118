"""Commission plan shapes for the API. Rates and amounts travel as strings (never JSON
floats): a rate as "15%", "15" (percent) or "0.15" (a fraction below 1); an amount of the
plan's currency as "100000.00"."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

RateText = Annotated[str | int, Field(description='"15%", "15" or "0.15": all mean 15%')]
AmountText = Annotated[str | int, Field(description='An amount of the plan currency, '
                                                    'e.g. "100000.00"')]
Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Kind = Literal["flat", "tiered"]
TierMode = Literal["whole", "marginal"]
Boundary = Literal["inclusive", "exclusive"]
RoundingMode = Literal["half_up", "half_even", "down", "up"]
RoundingLevel = Literal["line", "statement"]
Period = Literal["month", "quarter"]


class TierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    threshold: AmountText = Field(description="Period volume from which the rate applies; "
                                              "the first tier starts at 0")
    rate: RateText


class PlanFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind | None = None
    flat_rate: RateText | None = None
    tiers: list[TierIn] | None = Field(default=None, max_length=20)
    tier_mode: TierMode | None = Field(
        default=None, description="whole: the reached rate pays the whole period volume; "
                                  "marginal: each band at its own rate")
    boundary: Boundary | None = Field(
        default=None, description="inclusive: a volume equal to a threshold reaches that "
                                  "tier; exclusive: it must exceed it")
    rounding_mode: RoundingMode | None = None
    rounding_level: RoundingLevel | None = None
    period: Period | None = None
    min_payout: AmountText | None = None
    cap: AmountText | None = Field(default=None, description="Most paid per period; "
                                                             "empty for no cap")
    excluded_skus: list[Sku] | None = Field(default=None, max_length=200)
    currency: str | None = Field(default=None, min_length=3, max_length=3)


class PlanCreate(PlanFields):
    program_id: int | None = Field(default=None,
                                   description="Default: the only program, if there is one")
    name: str = Field(min_length=1, max_length=200)


class PlanUpdate(PlanFields):
    """Only the fields sent change; ``tiers`` replaces every tier."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    active: bool | None = Field(default=None, description="false: no new agreement uses it")


class TierOut(BaseModel):
    threshold: Decimal
    threshold_minor: int
    rate: Decimal = Field(description="A fraction: 0.15 is 15%")
    rate_percent: Decimal


class PlanOut(BaseModel):
    id: int
    program_id: int
    name: str
    currency: str
    kind: Kind
    flat_rate: Decimal | None
    flat_rate_percent: Decimal | None
    tiers: list[TierOut]
    tier_mode: TierMode
    boundary: Boundary
    rounding_mode: RoundingMode
    rounding_level: RoundingLevel
    period: Period
    min_payout: Decimal
    cap: Decimal | None
    excluded_skus: list[str]
    active: bool
    description: list[str] = Field(description="The plan in words, in the reader's language")
    created_at: datetime
    updated_at: datetime
