"""Goal shapes for the API. The service, not the schema, judges whether a goal is SMART, so
that a vague goal gets the message that names its missing part instead of a schema error:
most fields are optional here on purpose."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class GoalFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=300,
                              examples=["6个月内通过渠道获取100个新客户"])
    metric: str | None = Field(default=None, max_length=40,
                               description="A key of GET /api/v1/goal-metrics")
    target: str | int | None = Field(
        default=None, description='A count ("100"), or an amount of the program currency '
                                  '("500000.00") for a money metric')
    partner_id: int | None = Field(default=None, description="Required for pilot_customers")
    start: date | None = Field(default=None, description="First day (00:00 UTC); default today")
    deadline: date | None = Field(default=None,
                                  description="The goal ends at 00:00 UTC of this day")
    owner_user_id: int | None = Field(default=None, description="The staff user responsible")
    owner_email: str | None = Field(default=None, max_length=320,
                                    description="Or the responsible person's e-mail")


class GoalCreate(GoalFields):
    program_id: int | None = Field(default=None,
                                   description="Default: the only program, if there is one")


class GoalUpdate(GoalFields):
    """Only the fields sent change; the goal is checked again as a whole."""


class ProgressOut(BaseModel):
    actual: Decimal
    target: Decimal
    pace: Decimal = Field(description="What a steady rate would have reached by now")
    percent: Decimal
    status: Literal["achieved", "on_track", "at_risk", "missed"]
    status_label: str
    as_of: datetime
    days_total: int
    days_left: int


class PointOut(BaseModel):
    at: datetime
    actual: Decimal | None
    pace: Decimal


class GoalOut(BaseModel):
    id: int
    program_id: int
    title: str | None
    metric: str
    metric_label: str
    unit: Literal["count", "money"]
    currency: str | None
    target: Decimal
    partner_id: int | None
    start: date
    deadline: date
    owner_user_id: int
    created_by_user_id: int | None
    archived: bool
    created_at: datetime
    updated_at: datetime
    progress: ProgressOut


class GoalDetail(GoalOut):
    series: list[PointOut]


class MetricOut(BaseModel):
    key: str
    label: str
    help: str
    unit: Literal["count", "money"]
    kind: Literal["flow", "level"]
    needs_partner: bool
    partner_filter: bool


class FieldProblem(BaseModel):
    field: str | None
    message: str
    part: str | None = Field(default=None, description="The missing SMART part: specific, "
                             "measurable, achievable, relevant, time_bound, owner or program")


class NotSmartOut(BaseModel):
    """A refused goal: every missing part at once, each at its field."""

    error: str
    detail: str
    field: str | None = None
    fields: list[FieldProblem] = Field(default_factory=list)
    request_id: str | None = None
