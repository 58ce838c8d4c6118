"""Typed results."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    # New fields from a newer server do not break an older client.
    model_config = ConfigDict(extra="ignore", frozen=True)


class Recommendation(_Model):
    id: str
    name: str
    score: float


class Me(_Model):
    kind: str
    role: str | None
    partner_id: int | None
    api_key_id: int | None
    read_only: bool


class Partner(_Model):
    id: int
    name: str
    website: str | None = None
    country: str | None = None
    region: str | None = None
    partner_type: str | None = None
    industry: str | None = None
    created_at: datetime
