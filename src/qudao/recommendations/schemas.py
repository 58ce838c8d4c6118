"""Shapes of ``/getRecommendations``, exactly as the guide publishes them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field


class Recommendation(BaseModel):
    id: str = Field(description="Product id", examples=["1"])
    name: str = Field(examples=["Product A"])
    score: float = Field(ge=0, le=1, description="1.0 for the best product; others relative",
                         examples=[0.95])


class Recommendations(BaseModel):
    recommendations: list[Recommendation]


class ApiError(BaseModel):
    error: str
    detail: str


class DayCallsOut(BaseModel):
    day: date
    calls: int


class UsageOut(BaseModel):
    partner_id: int
    since: date
    until: date
    calls: int = Field(description="Calls of the partner API in the period")
    users: int = Field(description="Distinct end users who were shown recommendations")
    products: int = Field(description="Distinct products recommended")
    conversions: int = Field(description="Recommended products the user then bought within "
                                         "the attribution window")
    converted_users: int = Field(description="Users who bought a recommended product")
    conversion_rate: Decimal | None = Field(description="converted_users / users, 4 decimals")
    days: list[DayCallsOut]
