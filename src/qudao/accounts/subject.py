"""The caller of a request or command: one per unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from qudao.accounts.roles import STAFF_WRITERS, Role

SubjectKind = Literal["staff", "partner_user", "api_key", "anonymous", "system"]


@dataclass(frozen=True, slots=True)
class AuthSubject:
    kind: SubjectKind
    role: Role | None = None
    user_id: int | None = None
    partner_id: int | None = None
    api_key_id: int | None = None
    read_only: bool = False
    label: str = "anonymous"
    session_id: str | None = None
    csrf_token: str | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.kind != "anonymous"

    @property
    def is_staff(self) -> bool:
        return self.kind == "system" or (self.role is not None and self.role.is_staff)

    @property
    def is_partner(self) -> bool:
        return self.partner_id is not None

    @property
    def is_admin(self) -> bool:
        return self.kind == "system" or self.role is Role.ADMIN

    @property
    def can_write(self) -> bool:
        if self.read_only:
            return False
        if self.kind == "system":
            return True
        if self.is_partner:
            return True
        return self.role in STAFF_WRITERS

    @property
    def is_partner_admin(self) -> bool:
        return self.kind == "partner_user" and self.role is Role.PARTNER_ADMIN

    @property
    def audit_actor(self) -> tuple[str, str | None]:
        if self.kind == "api_key":
            return "api_key", str(self.api_key_id)
        if self.kind in ("staff", "partner_user"):
            return "user", str(self.user_id)
        return self.kind, None


ANONYMOUS = AuthSubject(kind="anonymous")
SYSTEM = AuthSubject(kind="system", label="system")
