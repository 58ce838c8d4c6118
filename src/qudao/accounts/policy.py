"""Object-level permission checks that services call; routes declare who may call them."""

from __future__ import annotations

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import Forbidden
from qudao.core.i18n import N_


def require_staff(subject: AuthSubject) -> None:
    if not subject.is_staff:
        raise Forbidden(N_("Only staff of the company can do this."))


def require_writer(subject: AuthSubject) -> None:
    if not subject.can_write:
        raise Forbidden(N_("Your account can read but not change data. Ask an administrator."))


def require_staff_writer(subject: AuthSubject) -> None:
    require_staff(subject)
    require_writer(subject)


def require_admin(subject: AuthSubject) -> None:
    if not subject.is_admin:
        raise Forbidden(N_("Only an administrator can do this."))


def require_people_manager(subject: AuthSubject, partner_id: int | None) -> None:
    """Admins manage everyone; a partner's administrator manages that partner's people."""
    if subject.is_admin:
        return
    if partner_id is not None and subject.is_partner_admin and subject.partner_id == partner_id:
        return
    raise Forbidden(N_("Only an administrator can manage these users and keys."))
