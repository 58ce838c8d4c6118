"""Adding a user from a page form: shared by the staff app and the partner portal."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from qudao.accounts import service
from qudao.accounts.models import User
from qudao.accounts.roles import PARTNER_ROLES, Role
from qudao.accounts.schemas import UserCreate
from qudao.accounts.subject import AuthSubject
from qudao.core.errors import QudaoError
from qudao.core.i18n import LOCALES, LocaleCode, coerce_locale
from qudao.web.forms import (
    BAD_CHOICE,
    FormInvalid,
    FormState,
    failure,
    optional,
    optional_int,
    secret,
)

USER_FIELDS = ("email", "name", "role", "partner_id", "password", "locale")
ROLE_ORDER = (Role.ADMIN, Role.CHANNEL_MANAGER, Role.ANALYST, Role.PARTNER_ADMIN,
              Role.PARTNER_MEMBER)


def role_choices(subject: AuthSubject) -> list[Role]:
    """The roles the form offers: a partner's administrator only adds its own people."""
    if subject.is_staff:
        return list(ROLE_ORDER)
    return [r for r in ROLE_ORDER if r in PARTNER_ROLES]


@dataclass(frozen=True)
class Added:
    user: User


def _role(form: FormData) -> Role:
    try:
        return Role(optional(form, "role", 40) or "")
    except ValueError:
        raise FormInvalid("role", BAD_CHOICE) from None


def _locale(form: FormData) -> LocaleCode | None:
    value = optional(form, "locale", 10)
    if value is None:
        return None
    found = coerce_locale(value)
    if found is None or found not in LOCALES:
        raise FormInvalid("locale", BAD_CHOICE)
    return found


def add_user(
    session: Session, subject: AuthSubject, form: FormData, locale: LocaleCode
) -> Added | FormState:
    """Create the user the form describes, or the form state that explains why not.

    Partner users never choose a partner: the service puts them in their own."""
    try:
        partner_id = optional_int(form, "partner_id") if subject.is_staff else None
        data = UserCreate(email=optional(form, "email", 320) or "",
                          name=optional(form, "name", 200) or "", role=_role(form),
                          partner_id=partner_id, password=secret(form, "password"),
                          locale=_locale(form))
        return Added(service.create_user(session, subject, data))
    except (QudaoError, ValidationError, FormInvalid) as error:
        return failure(error, locale, form, USER_FIELDS)
