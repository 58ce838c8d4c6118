"""Referral shapes for the API: links, events and the funnel."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

EventKind = Literal["visit", "signup", "trial", "paid"]
# A visitor's or customer's id as the company's site knows it: printable, 1–128 characters.
Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")]


class LinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partner_id: int
    landing_url: str = Field(min_length=1, max_length=2000,
                             description="Where a click lands: an http(s) URL")
    label: str | None = Field(default=None, max_length=200)


class LinkUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    landing_url: str | None = Field(default=None, min_length=1, max_length=2000)
    label: str | None = Field(default=None, max_length=200)
    active: bool | None = None


class LinkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    partner_id: int
    code: str
    url: str = Field(description="The link to share: /r/{code} on this server")
    landing_url: str
    label: str | None
    active: bool
    created_at: datetime


class EventCreate(BaseModel):
    """An event reported by the company's site. ``visitor_id`` is the ``vid`` that the
    referral redirect added to the landing URL; ``customer_id`` is the site's own id of
    the customer. A visit may name the referral code it came with (``ref``)."""

    model_config = ConfigDict(extra="forbid")

    kind: EventKind
    visitor_id: Identifier | None = None
    customer_id: Identifier | None = None
    occurred_at: AwareDatetime | None = Field(default=None, description="Default: now")
    ref: str | None = Field(default=None, max_length=32, description="Referral code (visits)")
    amount: str | int | None = Field(default=None, description='Paid events: e.g. "199.00"')
    currency: str | None = Field(default=None, min_length=3, max_length=3)

    @model_validator(mode="after")
    def _someone(self) -> EventCreate:
        if self.visitor_id is None and self.customer_id is None:
            raise ValueError("give visitor_id, customer_id or both")
        return self


class EventOut(BaseModel):
    id: int
    kind: str
    partner_id: int | None
    link_id: int | None
    visitor_id: str | None
    customer_id: str | None
    occurred_at: datetime
    amount: str | None
    currency: str | None
    source: str
    synthetic: bool
    created_at: datetime


class FunnelStep(BaseModel):
    kind: EventKind
    label: str
    count: int
    # Percent of the step before (for visits: none); 0 when the step before is 0.
    rate: Decimal | None


class Revenue(BaseModel):
    currency: str
    amount: str


class FunnelOut(BaseModel):
    partner_id: int
    since: date
    until: date
    attribution_days: int
    steps: list[FunnelStep]
    overall_rate: Decimal = Field(description="Paid per unique visitor, in percent")
    revenue: list[Revenue]
    synthetic_events: int = Field(description="Generated demo events among those counted")
