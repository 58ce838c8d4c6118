"""Agreement shapes for the API: what a caller may send and what it gets back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

PeriodCode = Literal["month", "quarter", "year", "term"]
LocaleChoice = Literal["en", "zh-CN"]


class KpiIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metric: str = Field(max_length=40, description="channel_revenue, new_customers, "
                        "pilot_customers or deals_registered")
    target: str | int = Field(description='A count, or an amount as a string ("100000.00") '
                              "in the program's currency")
    period: PeriodCode = "quarter"


class MilestoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    due_on: date
    metric: str | None = Field(default=None, max_length=40,
                               description="Measured from the data when given")
    target: str | int | None = None


class AgreementTerms(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan_id: int | None = Field(default=None, description="A commission plan of the program")
    partner_type: str | None = Field(default=None, max_length=60)
    territory: str = Field(min_length=1, max_length=300)
    starts_on: date
    ends_on: date
    exclusive: bool = False
    ip_clause: str | None = Field(default=None, max_length=20_000)
    termination_terms: str | None = Field(default=None, max_length=20_000)


class AgreementCreate(AgreementTerms):
    partner_id: int
    program_id: int
    kpis: list[KpiIn] = Field(default_factory=list, max_length=20)
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=50)


class AgreementUpdate(BaseModel):
    """Changes to a draft; ``kpis`` and ``milestones``, when sent, replace the lists."""

    model_config = ConfigDict(extra="forbid")

    plan_id: int | None = None
    partner_type: str | None = Field(default=None, max_length=60)
    territory: str | None = Field(default=None, min_length=1, max_length=300)
    starts_on: date | None = None
    ends_on: date | None = None
    exclusive: bool | None = None
    ip_clause: str | None = Field(default=None, max_length=20_000)
    termination_terms: str | None = Field(default=None, max_length=20_000)
    kpis: list[KpiIn] | None = Field(default=None, max_length=20)
    milestones: list[MilestoneIn] | None = Field(default=None, max_length=50)


class SignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    override_diligence: bool = Field(
        default=False, description="Administrators only: sign although required "
        "due-diligence checks are open (needs a reason; audited)")
    reason: str | None = Field(default=None, max_length=2000)
    locale: LocaleChoice | None = Field(default=None, description="Language of the contract; "
                                        "default: the program's")


class ActivateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=2000)


class RenewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    until: date = Field(description="The new end date, after the current one")
    reason: str | None = Field(default=None, max_length=2000)


class TerminateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class MilestoneTick(BaseModel):
    model_config = ConfigDict(extra="forbid")

    done: bool = True


class OnboardingUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    done: bool | None = None
    owner_user_id: int | None = Field(default=None, description="A staff user or a person of "
                                      "the partner; null clears the owner")
    due_on: date | None = None


class ContractRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["pdf", "docx"] = "pdf"
    locale: LocaleChoice | None = None


class KpiOut(BaseModel):
    id: int
    metric: str
    metric_label: str
    unit: Literal["count", "money"]
    currency: str | None
    period: str
    period_label: str
    period_start: date
    period_end: date
    target: Decimal
    actual: Decimal
    percent: Decimal


class MilestoneOut(BaseModel):
    id: int
    title: str
    due_on: date
    measured: bool
    metric: str | None
    metric_label: str | None
    currency: str | None
    target: Decimal | None
    actual: Decimal | None
    status: str
    status_label: str
    done_at: datetime | None


class OnboardingItemOut(BaseModel):
    key: str
    label: str
    hint: str
    computed: bool
    owner_user_id: int | None
    owner: str | None
    due_on: date
    done: bool
    done_at: datetime | None
    done_by: str | None
    overdue: bool


class OnboardingOut(BaseModel):
    agreement_id: int
    done: int
    total: int
    percent: Decimal
    items: list[OnboardingItemOut]


class EventOut(BaseModel):
    action: str
    action_label: str
    from_state: str | None
    to_state: str
    reason: str | None
    previous_ends_on: date | None
    new_ends_on: date | None
    override: bool
    actor: str | None
    occurred_at: datetime


class AgreementOut(BaseModel):
    id: int
    partner_id: int
    partner: str
    program_id: int
    plan_id: int | None
    partner_type: str | None
    territory: str
    starts_on: date
    ends_on: date
    exclusive: bool
    state: str
    shown_state: str
    state_label: str
    days_left: int
    signed_at: datetime | None
    activated_at: datetime | None
    terminated_at: datetime | None
    document_id: int | None


class AgreementDetail(AgreementOut):
    program: str
    plan: str | None
    currency: str
    ip_clause: str | None
    termination_terms: str | None
    termination_reason: str | None
    allowed_actions: list[str]
    kpis: list[KpiOut]
    milestones: list[MilestoneOut]
    onboarding: OnboardingOut | None
    # Staff only: partners get null.
    history: list[EventOut] | None


class ContractOut(BaseModel):
    agreement_id: int
    document_id: int
    format: str
    locale: str
    download_url: str


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    role: Literal["partner_admin", "partner_member"] = "partner_member"


class InvitationOut(BaseModel):
    id: int
    partner_id: int
    email: str
    role: str
    status: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class InvitationIssued(InvitationOut):
    """The only answer that carries the link: it is not stored and cannot be shown again."""

    link: str
    notice: str
