"""Account shapes for the API. Responses are allow-lists: no hash or secret leaves."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from qudao.accounts.roles import Role
from qudao.core.i18n import LocaleCode


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    name: str = Field(default="", max_length=200)
    role: Role
    partner_id: int | None = None
    password: str | None = Field(default=None, min_length=1, max_length=1024)
    locale: LocaleCode | None = None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Role
    partner_id: int | None
    locale: str | None
    is_active: bool
    last_login_at: datetime | None


class Me(BaseModel):
    kind: str
    role: Role | None
    user_id: int | None
    partner_id: int | None
    api_key_id: int | None
    read_only: bool
    label: str


class PreferencesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    locale: LocaleCode


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    partner_id: int | None = Field(
        default=None, description="The partner the key acts for; omit for a staff key"
    )
    read_only: bool = False
    expires_at: datetime | None = None


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    partner_id: int | None
    user_id: int | None
    display_prefix: str
    last4: str
    read_only: bool
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    rotated_from_id: int | None


class ApiKeyIssued(ApiKeyOut):
    key: str = Field(description="The secret key. Shown once: store it now.")


class ApiKeyRotate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overlap_hours: int | None = Field(
        default=None, ge=0, le=168, description="How long the old key keeps working (≤ 7 days)"
    )
