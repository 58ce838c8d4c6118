"""The "Deals" section of the staff partner page: the partner's latest deals, its counts by
stage, and how many of its registrations were refused for a protected customer."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core import clock
from qudao.core.i18n import LocaleCode
from qudao.deals import repository
from qudao.partners.models import Partner
from qudao.web import partner_sections

SECTION_ROWS = 5


def deals_section(session: Session, subject: AuthSubject, partner: Partner,
                  locale: LocaleCode) -> partner_sections.Section | None:
    if not subject.is_staff:
        return None
    rows, total = repository.partner_deals(session, partner.id, SECTION_ROWS)
    return partner_sections.Section("deals/_partner_section.html", {
        "deals": rows, "total": total, "refused": repository.refused_of(session, partner.id),
        "partner_id": partner.id, "now": clock.now(),
    })


def install() -> None:
    partner_sections.register(deals_section)
