"""Rules for partner companies. Services flush and audit; the boundary commits."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.audit.snapshot import changes, snapshot
from qudao.core.errors import Conflict, Unprocessable
from qudao.core.i18n import N_
from qudao.partners import repository
from qudao.partners.models import Partner
from qudao.partners.schemas import PartnerCreate, PartnerUpdate


def normalize_name(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


def create_partner(session: Session, subject: AuthSubject, data: PartnerCreate) -> Partner:
    require_staff_writer(subject)
    name = data.name.strip()
    if not name:
        raise Unprocessable(N_("A partner needs a name."), field="name")
    normalized = normalize_name(name)
    existing = repository.by_normalized_name(session, normalized)
    if existing is not None:
        raise Conflict(
            N_("A partner named %(name)s already exists (id %(id)s)."),
            field="name", name=existing.name, id=existing.id,
        )
    partner = Partner(name=name, normalized_name=normalized, website=data.website,
                      country=data.country, notes=data.notes)
    session.add(partner)
    session.flush()
    audit.record(session, action="partner.create", target_type="partner", target_id=partner.id,
                 partner_id=partner.id, after=snapshot(partner))
    return partner


def update_partner(
    session: Session, subject: AuthSubject, partner_id: int, data: PartnerUpdate
) -> Partner:
    partner = repository.get(session, subject, partner_id)
    require_staff_writer(subject)
    before = snapshot(partner)
    values = data.model_dump(exclude_unset=True)
    if "name" in values:
        name = (values["name"] or "").strip()
        normalized = normalize_name(name)
        clash = repository.by_normalized_name(session, normalized)
        if clash is not None and clash.id != partner.id:
            raise Conflict(N_("A partner named %(name)s already exists (id %(id)s)."),
                           field="name", name=clash.name, id=clash.id)
        partner.name, partner.normalized_name = name, normalized
        values.pop("name")
    for key, value in values.items():
        setattr(partner, key, value)
    session.flush()
    old, new = changes(before, snapshot(partner))
    if new:
        audit.record(session, action="partner.update", target_type="partner",
                     target_id=partner.id, partner_id=partner.id, before=old, after=new)
    return partner
