"""Partner shapes for the API: what a caller may send and what it gets back."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class PartnerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    website: str | None = Field(default=None, max_length=300)
    country: str | None = Field(default=None, max_length=100)
    notes: str | None = Field(default=None, max_length=10_000)


class PartnerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    website: str | None = Field(default=None, max_length=300)
    country: str | None = Field(default=None, max_length=100)
    notes: str | None = Field(default=None, max_length=10_000)


class PartnerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    website: str | None
    country: str | None
    created_at: datetime
