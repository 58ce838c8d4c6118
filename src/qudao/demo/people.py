"""Who acts in the demo's program: the administrator sets it up, the channel manager runs
the partners, and each signed demo partner's own user registers its deals."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from qudao.accounts import repository as accounts
from qudao.accounts.service import subject_for_user
from qudao.accounts.subject import AuthSubject
from qudao.demo.accounts import ADMIN_EMAIL, DEMO_PARTNERS
from qudao.demo.screening import MANAGER_EMAIL
from qudao.partners import repository as partners
from qudao.partners import service as partner_service
from qudao.partners.models import Partner


@dataclass(frozen=True)
class DemoPartner:
    partner: Partner
    # The partner's own portal user, who registers its deals.
    user: AuthSubject


@dataclass(frozen=True)
class Cast:
    admin: AuthSubject
    manager: AuthSubject
    manager_id: int
    # Signed demo partners by name.
    partners: dict[str, DemoPartner]


def _subject(session: Session, email: str) -> AuthSubject:
    user = accounts.user_by_email(session, email)
    if user is None:
        raise LookupError(f"the demo user {email} is missing: load the demo accounts first")
    return subject_for_user(user)


def cast(session: Session) -> Cast:
    """The demo's people, as made by ``ensure_accounts`` and ``ensure_pipeline``."""
    manager = _subject(session, MANAGER_EMAIL)
    assert manager.user_id is not None
    signed: dict[str, DemoPartner] = {}
    for name, _website, _country, email in DEMO_PARTNERS:
        partner = partners.by_normalized_name(session, partner_service.normalize_name(name))
        if partner is not None and partner.stage == "signed" and partner.merged_into_id is None:
            signed[name] = DemoPartner(partner, _subject(session, email))
    return Cast(admin=_subject(session, ADMIN_EMAIL), manager=manager,
                manager_id=manager.user_id, partners=signed)
