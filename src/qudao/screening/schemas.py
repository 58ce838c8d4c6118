"""Screening shapes for the API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class CriterionOut(BaseModel):
    key: str
    label: str
    label_en: str
    label_zh: str
    weight_percent: Decimal


class RubricOut(BaseModel):
    id: int
    family: str
    version: int
    name: str
    threshold: Decimal
    scale_max: int
    shortlist_size: int
    large_company_employees: int
    is_current: bool
    criteria: list[CriterionOut]


class CriterionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(max_length=60)
    label_en: str = Field(min_length=1, max_length=120)
    label_zh: str = Field(min_length=1, max_length=120)
    weight_percent: Decimal = Field(gt=0, le=100, decimal_places=2)


class RubricIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    threshold: Decimal = Field(ge=0, le=10, decimal_places=2)
    shortlist_size: int = Field(default=5, ge=1, le=50)
    large_company_employees: int = Field(default=1000, ge=1)
    criteria: list[CriterionIn] = Field(min_length=1, max_length=20)


class RatingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    evaluator: str | None = Field(default=None, max_length=320,
                                  description="Staff e-mail; default: the caller")
    ratings: dict[str, str | int] = Field(
        description='Criterion key → rating 0–10, e.g. {"market_coverage": "8"}', max_length=20)
    notes: str | None = Field(default=None, max_length=5000)


class CriterionScoreOut(BaseModel):
    key: str
    label: str
    weight_percent: Decimal
    mean: Decimal | None
    evaluators: int
    contribution: Decimal


class EvaluatorOut(BaseModel):
    evaluator_id: int
    evaluator: str
    ratings: dict[str, Decimal]
    notes: str | None


class ScorecardOut(BaseModel):
    partner_id: int
    partner: str
    rubric_id: int
    rubric_version: int
    total: Decimal = Field(description="One decimal (two where one would blur the threshold)")
    exact_total: Decimal
    threshold: Decimal
    passes: bool
    complete: bool
    reason: str | None = Field(description='Why excluded, e.g. "score 6.4 < 7.0"')
    criteria: list[CriterionScoreOut]
    evaluations: list[EvaluatorOut]
    size_flag: str | None


class RankedOut(BaseModel):
    rank: int
    partner_id: int
    partner: str
    stage: str
    total: Decimal
    passes: bool
    reason: str | None
    evaluators: int


class DiligenceItemOut(BaseModel):
    key: str
    category: str
    label: str
    question: str | None
    answer: str | None
    required: bool
    status: str
    evidence: str | None
    checked_on: date | None


class DiligenceOut(BaseModel):
    partner_id: int
    complete: bool
    open_required: list[str]
    size_flag: str | None
    items: list[DiligenceItemOut]


class DiligenceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(description="open, done or waived")
    evidence: str | None = Field(default=None, max_length=5000)
    answer: str | None = Field(default=None, max_length=10000)
    checked_on: date | None = None


class DiligenceAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=300)
    category: str = Field(default="custom", max_length=30)
    required: bool = False
    question: str | None = Field(default=None, max_length=2000)
