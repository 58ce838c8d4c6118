"""Partner shapes for the API: what a caller may send and what it gets back."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    role: str | None = Field(default=None, max_length=120)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=60)
    wechat: str | None = Field(default=None, max_length=60)


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: str | None
    email: str | None
    phone: str | None
    wechat: str | None


class PartnerFields(BaseModel):
    """Company data a caller may set; amounts are strings (never JSON floats)."""

    model_config = ConfigDict(extra="forbid")

    website: str | None = Field(default=None, max_length=300)
    country: str | None = Field(default=None, max_length=100)
    notes: str | None = Field(default=None, max_length=10_000)
    partner_type: str | None = Field(default=None, max_length=60)
    region: str | None = Field(default=None, max_length=120)
    industry: str | None = Field(default=None, max_length=120)
    employees: int | None = Field(default=None, ge=0, le=10_000_000)
    annual_revenue: str | int | None = Field(default=None, description='e.g. "1250000.00"')
    revenue_currency: str | None = Field(default=None, min_length=3, max_length=3)
    source: str | None = Field(default=None, max_length=60)
    referrer: str | None = Field(default=None, max_length=200)
    tags: list[Tag] | None = Field(default=None, max_length=30)
    owner_id: int | None = None


class PartnerCreate(PartnerFields):
    name: str = Field(min_length=1, max_length=200)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=50)
    allow_similar: bool = Field(
        default=False, description="Create even when a similar name exists"
    )


class PartnerUpdate(PartnerFields):
    name: str | None = Field(default=None, min_length=1, max_length=200)


class StageMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: str = Field(max_length=20)
    reason: str | None = Field(default=None, max_length=2000)
    override_diligence: bool = Field(
        default=False, description="Administrators only: sign although checks are open"
    )


class StageEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_stage: str | None
    to_stage: str
    reason: str | None
    actor_label: str | None
    occurred_at: datetime
    override: bool


class PartnerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    website: str | None
    domain: str | None
    country: str | None
    partner_type: str | None
    region: str | None
    industry: str | None
    employees: int | None
    annual_revenue: Decimal | None
    revenue_currency: str | None
    source: str | None
    referrer: str | None
    tags: list[str]
    owner_id: int | None
    stage: str
    stage_reason: str | None
    stage_changed_at: datetime | None
    created_at: datetime


class PartnerDetail(PartnerOut):
    notes: str | None
    contacts: list[ContactOut]
    history: list[StageEventOut]


class PossibleDuplicate(BaseModel):
    id: int
    name: str


class TypeSuggestionOut(BaseModel):
    industry: str | None
    types: list[str]
    labels: list[str]
    reason: str


class PartnerPublic(BaseModel):
    """What a partner's own users and keys see of their company record."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    website: str | None
    country: str | None
    region: str | None
    partner_type: str | None
    industry: str | None
    created_at: datetime


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    merge_id: int = Field(description="The duplicate to fold into this partner")


class DuplicateCheckOut(BaseModel):
    duplicate: PossibleDuplicate | None
    field: str | None
    similar: list[PossibleDuplicate]


class StageCount(BaseModel):
    stage: str
    label: str
    count: int


class ImportProblemOut(BaseModel):
    row: int
    column: str | None
    reason: str


class ImportReportOut(BaseModel):
    ok: bool
    rows: int
    created: int
    dry_run: bool
    errors: list[ImportProblemOut]
    warnings: list[ImportProblemOut]
