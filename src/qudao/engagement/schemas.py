"""Cadence shapes for the API: follow-up tasks, meetings with action items, alerts."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class ActionItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    owner_id: int | None = Field(default=None, description="A staff user; default: the "
                                 "partner's channel manager")
    due_on: date | None = None


class TaskCreate(ActionItemIn):
    partner_id: int


class TaskUpdate(BaseModel):
    """Tick a task done (or open again), hand it to someone, move its due date."""

    model_config = ConfigDict(extra="forbid")

    done: bool | None = None
    owner_id: int | None = None
    due_on: date | None = None


class TaskOut(BaseModel):
    id: int
    partner_id: int
    partner: str
    kind: str
    title: str
    owner_id: int | None
    due_on: date | None
    overdue: bool
    done: bool
    done_at: datetime | None
    done_by_user_id: int | None
    meeting_id: int | None
    period_key: str | None


class MeetingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partner_id: int
    held_on: date
    attendees: str | None = Field(default=None, max_length=2000)
    notes: str | None = Field(default=None, max_length=20_000)
    action_items: list[ActionItemIn] = Field(default_factory=list, max_length=50)


class MeetingOut(BaseModel):
    id: int
    partner_id: int
    partner: str
    held_on: date
    attendees: str | None
    notes: str | None
    created_by_user_id: int | None
    created_at: datetime
    action_items: list[TaskOut]


class AlertOut(BaseModel):
    id: int
    kind: str
    label: str
    message: str
    partner_id: int | None
    params: dict[str, str | int]
    raised_at: datetime
    resolved_at: datetime | None
    resolution: str | None
    resolved_by_user_id: int | None


class ManagerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    owner_id: int | None = Field(description="The channel manager (a staff user), or null")
