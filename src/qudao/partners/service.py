"""Rules for partner companies and candidates. Services flush and audit; the boundary
commits."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qudao.accounts import repository as accounts
from qudao.accounts.models import User
from qudao.accounts.policy import require_admin, require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.audit.snapshot import changes, snapshot
from qudao.core import clock
from qudao.core.context import get_context
from qudao.core.errors import Conflict, Unprocessable
from qudao.core.i18n import N_, translate
from qudao.core.money import check_currency, parse_amount, to_minor
from qudao.partners import dedupe, pipeline, repository
from qudao.partners.models import Contact, Partner, StageEvent
from qudao.partners.schemas import ContactIn, PartnerCreate, PartnerFields, PartnerUpdate
from qudao.partners.types import normalize_source, normalize_type

normalize_name = dedupe.normalize_name


@dataclass(frozen=True)
class DuplicateCheck:
    duplicate: Partner | None
    field: str | None
    similar: list[dedupe.Known]


def check_duplicates(
    session: Session, name: str, website: str | None, exclude_id: int | None = None
) -> DuplicateCheck:
    normalized = dedupe.normalize_name(name)
    same = repository.by_normalized_name(session, normalized)
    if same is not None and same.id != exclude_id:
        return DuplicateCheck(same, "name", [])
    domain = dedupe.normalize_domain(website)
    if domain:
        same = repository.by_domain(session, domain)
        if same is not None and same.id != exclude_id:
            return DuplicateCheck(same, "website", [])
    known = [k for k in repository.known_names(session) if k.id != exclude_id]
    return DuplicateCheck(None, None, dedupe.close_matches(normalized, known))


class PossibleDuplicate(Conflict):
    """A name close to an existing partner's: the caller may confirm and create it anyway."""

    code = "possible_duplicate"


def _duplicate_error(found: DuplicateCheck) -> Conflict:
    assert found.duplicate is not None
    if found.field == "website":
        return Conflict(N_("%(name)s (id %(id)s) already has this web domain."),
                        field="website", name=found.duplicate.name, id=found.duplicate.id)
    return Conflict(N_("A partner named %(name)s already exists (id %(id)s)."),
                    field="name", name=found.duplicate.name, id=found.duplicate.id)


def _apply_fields(session: Session, partner: Partner, values: dict[str, object]) -> None:
    """Sets the company fields of a create or an update, normalised and checked."""
    if "revenue_currency" in values and values["revenue_currency"] is not None:
        partner.revenue_currency = check_currency(str(values["revenue_currency"]))
    if "annual_revenue" in values:
        raw = values["annual_revenue"]
        if raw is None or raw == "":
            partner.annual_revenue_minor = None
        else:
            currency = partner.revenue_currency
            if currency is None:
                raise Unprocessable(N_("Give the currency of the annual revenue."),
                                    field="revenue_currency")
            partner.annual_revenue_minor = to_minor(
                parse_amount(raw, currency, "annual_revenue"), currency, "annual_revenue")
    if "owner_id" in values and values["owner_id"] is not None:
        owner_id = int(str(values["owner_id"]))
        owner = session.get(User, owner_id)
        if owner is None or not owner.role.is_staff:
            raise Unprocessable(N_("The owner must be a staff user."), field="owner_id")
        partner.owner_id = owner_id
    elif "owner_id" in values:
        partner.owner_id = None
    if "website" in values:
        partner.website = _text(values["website"])
        partner.domain = dedupe.normalize_domain(partner.website)
    if "partner_type" in values:
        partner.partner_type = normalize_type(_text(values["partner_type"]))
    if "source" in values:
        partner.source = normalize_source(_text(values["source"]))
    if "tags" in values:
        tags = values["tags"] or []
        assert isinstance(tags, list)
        unique = list(dict.fromkeys(str(t).strip() for t in tags if str(t).strip()))
        partner.tags_json = json.dumps(unique, ensure_ascii=False) if unique else None
    for key in ("country", "notes", "region", "industry", "referrer"):
        if key in values:
            setattr(partner, key, _text(values[key]))
    if "employees" in values:
        employees = values["employees"]
        partner.employees = None if employees is None else int(str(employees))


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def create_partner(session: Session, subject: AuthSubject, data: PartnerCreate) -> Partner:
    require_staff_writer(subject)
    name = data.name.strip()
    if not name:
        raise Unprocessable(N_("A partner needs a name."), field="name")
    found = check_duplicates(session, name, data.website)
    if found.duplicate is not None:
        raise _duplicate_error(found)
    if found.similar and not data.allow_similar:
        raise PossibleDuplicate(
            N_("%(name)s looks like %(other)s (id %(id)s). If it is a different company, "
               "confirm to create it anyway."),
            field="name", name=name, other=found.similar[0].name, id=found.similar[0].id,
        )
    return insert_partner(session, subject, data)


def insert_partner(
    session: Session, subject: AuthSubject, data: PartnerCreate, *, stage: str = "sourced",
    reason: str | None = None,
) -> Partner:
    """Writes a partner whose duplicates were already checked (create, or a whole import)."""
    require_staff_writer(subject)
    name = data.name.strip()
    partner = Partner(name=name, normalized_name=dedupe.normalize_name(name), stage=stage,
                      stage_reason=reason, stage_changed_at=clock.now())
    _apply_fields(session, partner, data.model_dump(exclude_unset=True,
                                                    exclude={"name", "contacts",
                                                             "allow_similar"}))
    partner.contacts = [Contact(**c.model_dump()) for c in data.contacts]
    session.add(partner)
    try:
        session.flush()
    except IntegrityError:
        # Two requests raced past the duplicate check: the unique name decides, cleanly.
        raise Conflict(N_("A partner named %(name)s already exists."), field="name",
                       name=name) from None
    session.add(StageEvent(partner_id=partner.id, from_stage=None, to_stage=stage,
                           reason=reason, actor_label=subject.label,
                           actor_user_id=subject.user_id, occurred_at=clock.now()))
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
        name = (values.pop("name") or "").strip()
        if not name:
            raise Unprocessable(N_("A partner needs a name."), field="name")
        found = check_duplicates(session, name, None, exclude_id=partner.id)
        if found.duplicate is not None:
            raise _duplicate_error(found)
        partner.name, partner.normalized_name = name, dedupe.normalize_name(name)
    if values.get("website"):
        found = check_duplicates(session, partner.name, str(values["website"]),
                                 exclude_id=partner.id)
        if found.duplicate is not None and found.field == "website":
            raise _duplicate_error(found)
    _apply_fields(session, partner, values)
    session.flush()
    old, new = changes(before, snapshot(partner))
    if new:
        audit.record(session, action="partner.update", target_type="partner",
                     target_id=partner.id, partner_id=partner.id, before=old, after=new)
    return partner


def add_contact(session: Session, subject: AuthSubject, partner_id: int,
                data: ContactIn) -> Contact:
    partner = repository.get(session, subject, partner_id)
    require_staff_writer(subject)
    contact = Contact(partner_id=partner.id, **data.model_dump())
    session.add(contact)
    session.flush()
    audit.record(session, action="partner.contact_add", target_type="partner_contact",
                 target_id=contact.id, partner_id=partner.id, after=snapshot(contact))
    return contact


def remove_contact(session: Session, subject: AuthSubject, partner_id: int,
                   contact_id: int) -> None:
    partner = repository.get(session, subject, partner_id)
    require_staff_writer(subject)
    contact = repository.contact(session, partner.id, contact_id)
    before = snapshot(contact)
    session.delete(contact)
    session.flush()
    audit.record(session, action="partner.contact_remove", target_type="partner_contact",
                 target_id=contact_id, partner_id=partner.id, before=before)


def move_stage(
    session: Session, subject: AuthSubject, partner_id: int, target: str,
    reason: str | None = None, *, override_diligence: bool = False,
) -> Partner:
    """Move a candidate through the pipeline. Signing needs its required due-diligence
    checks done; an administrator may override with a reason, and that is audited."""
    from qudao.screening.diligence import open_labels, open_required

    partner = repository.get(session, subject, partner_id)
    require_staff_writer(subject)
    refusal = pipeline.refusal(partner.stage, target)
    if refusal:
        raise Unprocessable(refusal, field="stage", stage=target)
    reason = (reason or "").strip() or None
    if pipeline.needs_reason(partner.stage, target) and reason is None:
        raise Unprocessable(N_("Say why: a reason is needed to put a candidate on hold, "
                               "reject it, or send it back."), field="reason")
    overridden = False
    if target == "signed":
        missing = open_required(session, partner)
        if missing and not override_diligence:
            locale = get_context(session).locale
            raise Conflict(
                N_("Signing is blocked until the required due-diligence checks are done: "
                   "%(items)s."), field="stage",
                items=", ".join(translate(locale, label) for label in open_labels(
                    session, partner)))
        if missing:
            require_admin(subject)
            if reason is None:
                raise Unprocessable(N_("An override of open due-diligence checks needs a "
                                       "reason."), field="reason")
            overridden = True
            audit.record(session, action="partner.diligence_override", target_type="partner",
                         target_id=partner.id, partner_id=partner.id,
                         after={"open_checks": missing}, reason=reason)
    before = snapshot(partner)
    event = StageEvent(partner_id=partner.id, from_stage=partner.stage, to_stage=target,
                       reason=reason, actor_label=subject.label, actor_user_id=subject.user_id,
                       occurred_at=clock.now(), override=overridden)
    partner.stage, partner.stage_reason = target, reason
    partner.stage_changed_at = event.occurred_at
    session.add(event)
    session.flush()
    old, new = changes(before, snapshot(partner))
    audit.record(session, action="partner.stage", target_type="partner", target_id=partner.id,
                 partner_id=partner.id, before=old, after=new, reason=reason)
    return partner


def merge_partners(
    session: Session, subject: AuthSubject, keep_id: int, merge_id: int
) -> Partner:
    """Fold a duplicate into the record that stays. Contacts, evaluations, checks and
    history move over; the duplicate remains, marked as merged, so nothing is lost."""
    from qudao.screening.service import move_screening

    require_staff_writer(subject)
    if keep_id == merge_id:
        raise Unprocessable(N_("A partner cannot be merged into itself."), field="merge_id")
    keep = repository.get(session, subject, keep_id)
    gone = repository.get(session, subject, merge_id)
    if gone.merged_into_id is not None or keep.merged_into_id is not None:
        raise Conflict(N_("One of these partners was already merged."))
    if accounts.has_partner_accounts(session, gone.id):
        raise Conflict(N_("%(name)s has portal users or API keys; move or remove them before "
                          "merging."), name=gone.name)
    for contact in list(gone.contacts):
        contact.partner_id = keep.id
    for event in repository.history(session, gone.id):
        event.partner_id = keep.id
    move_screening(session, from_id=gone.id, to_id=keep.id)
    for field in ("website", "country", "partner_type", "region", "industry", "employees",
                  "source", "referrer", "notes", "owner_id"):
        if getattr(keep, field) is None and getattr(gone, field) is not None:
            setattr(keep, field, getattr(gone, field))
    if keep.annual_revenue_minor is None and gone.annual_revenue_minor is not None:
        keep.annual_revenue_minor = gone.annual_revenue_minor
        keep.revenue_currency = gone.revenue_currency
    keep.domain = dedupe.normalize_domain(keep.website)
    merged_tags = list(dict.fromkeys(keep.tags + gone.tags))
    keep.tags_json = json.dumps(merged_tags, ensure_ascii=False) if merged_tags else None
    before = snapshot(gone)
    gone.merged_into_id = keep.id
    gone.normalized_name = f"{gone.normalized_name}#merged-{gone.id}"[:200]
    gone.domain = None
    session.add(StageEvent(partner_id=keep.id, from_stage=keep.stage, to_stage=keep.stage,
                           reason=f"merged #{gone.id} {gone.name}", actor_label=subject.label,
                           actor_user_id=subject.user_id, occurred_at=clock.now()))
    session.flush()
    old, new = changes(before, snapshot(gone))
    audit.record(session, action="partner.merge", target_type="partner", target_id=gone.id,
                 partner_id=gone.id, before=old, after=new,
                 reason=f"merged into #{keep.id}")
    return keep


def validate_fields(values: PartnerFields) -> None:
    """Checks that need no database: used by the importer before anything is written."""
    data = values.model_dump(exclude_unset=True)
    if data.get("revenue_currency"):
        check_currency(str(data["revenue_currency"]))
    if data.get("annual_revenue") not in (None, ""):
        currency = data.get("revenue_currency")
        if not currency:
            raise Unprocessable(N_("Give the currency of the annual revenue."),
                                field="revenue_currency")
        parse_amount(data["annual_revenue"], check_currency(str(currency)), "annual_revenue")
