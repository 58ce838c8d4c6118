"""Audit shapes for the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    chain: str
    seq: int
    occurred_at: datetime
    actor_type: str
    actor_id: str | None
    actor_label: str | None
    partner_id: int | None
    action: str
    target_type: str
    target_id: str | None
    before: str | None
    after: str | None
    request_id: str | None
    ip: str | None
    result: str
    reason: str | None


class BreakOut(BaseModel):
    chain: str
    entry_id: int | None
    message: str


class VerificationOut(BaseModel):
    ok: bool
    checked: int
    breaks: list[BreakOut]
