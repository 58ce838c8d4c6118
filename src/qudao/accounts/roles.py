"""Roles and what they may do."""

from __future__ import annotations

from enum import StrEnum

from qudao.core.i18n import N_


class Role(StrEnum):
    ADMIN = "admin"
    CHANNEL_MANAGER = "channel_manager"
    ANALYST = "analyst"
    PARTNER_ADMIN = "partner_admin"
    PARTNER_MEMBER = "partner_member"

    @property
    def is_staff(self) -> bool:
        return self in STAFF_ROLES

    @property
    def is_partner(self) -> bool:
        return self in PARTNER_ROLES

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


STAFF_ROLES = frozenset({Role.ADMIN, Role.CHANNEL_MANAGER, Role.ANALYST})
PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_MEMBER})
# Staff roles that may change data; the analyst only reads.
STAFF_WRITERS = frozenset({Role.ADMIN, Role.CHANNEL_MANAGER})

ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: N_("Administrator"),
    Role.CHANNEL_MANAGER: N_("Channel manager"),
    Role.ANALYST: N_("Analyst (read-only)"),
    Role.PARTNER_ADMIN: N_("Partner administrator"),
    Role.PARTNER_MEMBER: N_("Partner member"),
}
