"""Due diligence: a checklist per candidate from a template. Signing waits for the
required checks (see ``partners.service.move_stage``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.audit.snapshot import changes, snapshot
from qudao.core import clock
from qudao.core.errors import NotFound, Unprocessable
from qudao.core.i18n import N_
from qudao.partners import repository as partners
from qudao.partners.models import Partner
from qudao.screening import rubrics
from qudao.screening.models import DiligenceItem

CATEGORIES: dict[str, str] = {
    "financial": N_("Financial health"),
    "size": N_("Company size"),
    "culture": N_("Culture interview"),
    "references": N_("References"),
    "reputation": N_("Online reputation"),
    "custom": N_("Other"),
}
STATUSES: dict[str, str] = {"open": N_("Open"), "done": N_("Done"), "waived": N_("Waived")}
LARGE_COMPANY_FLAG = N_("May lack focus; prefer a mid-size partner.")


@dataclass(frozen=True)
class TemplateItem:
    key: str
    category: str
    label: str
    required: bool
    question: str | None = None


DEFAULT_TEMPLATE = (
    TemplateItem("credit_rating", "financial",
                 N_("Credit rating checked (e.g. Dun & Bradstreet)"), True),
    TemplateItem("financial_statements", "financial", N_("Financial statements received"), True),
    TemplateItem("company_size", "size", N_("Company size and focus reviewed"), True),
    TemplateItem("culture_interview", "culture", N_("Culture interview held"), True,
                 N_("How do you handle innovation projects?")),
    TemplateItem("references", "references", N_("References checked"), True),
    TemplateItem("online_reputation", "reputation", N_("Online reputation reviewed"), False),
)


def checklist(session: Session, partner: Partner) -> list[DiligenceItem]:
    """The candidate's checklist; before anything was recorded, the template's open items
    (not saved: reading a checklist writes nothing)."""
    items = list(session.scalars(select(DiligenceItem)
                                 .where(DiligenceItem.partner_id == partner.id)
                                 .order_by(DiligenceItem.position, DiligenceItem.id)))
    if items:
        return items
    return [DiligenceItem(partner_id=partner.id, key=template.key, category=template.category,
                          label=template.label, from_template=True, question=template.question,
                          required=template.required, status="open", position=position)
            for position, template in enumerate(DEFAULT_TEMPLATE)]


def ensure_checklist(session: Session, partner: Partner) -> list[DiligenceItem]:
    """The checklist, saved from the template the first time a check is recorded."""
    items = checklist(session, partner)
    if items and items[0].id is None:
        session.add_all(items)
        session.flush()
    return items


def open_required(session: Session, partner: Partner) -> list[str]:
    """Keys of the required checks that are not done yet."""
    return [i.key for i in checklist(session, partner) if i.required and i.status != "done"]


def open_labels(session: Session, partner: Partner) -> list[str]:
    """The labels (message ids, or the user's own words) of the open required checks."""
    return [i.label for i in checklist(session, partner) if i.required and i.status != "done"]


def size_flag(session: Session, partner: Partner) -> str | None:
    return size_flags(session, [partner]).get(partner.id)


def size_flags(session: Session, partners_: list[Partner]) -> dict[int, str]:
    """The "may lack focus" flag of each large company, reading the rubric once."""
    limit = rubrics.current(session).large_company_employees
    return {p.id: LARGE_COMPANY_FLAG for p in partners_
            if p.employees is not None and p.employees > limit}


def _item(session: Session, partner_id: int, key: str) -> DiligenceItem:
    item = session.scalar(select(DiligenceItem).where(DiligenceItem.partner_id == partner_id,
                                                      DiligenceItem.key == key))
    if item is None:
        raise NotFound(N_("Check %(key)s was not found on this candidate."), key=key)
    return item


def update_item(
    session: Session, subject: AuthSubject, partner_id: int, key: str, *, status: str,
    evidence: str | None = None, answer: str | None = None,
    checked_on: dt.date | None = None,
) -> DiligenceItem:
    """Record a check. "Done" needs evidence (or, for an interview, the answer); a required
    check cannot be waived: only an administrator's override at signing passes it by."""
    partner = partners.get(session, subject, partner_id)
    require_staff_writer(subject)
    ensure_checklist(session, partner)
    item = _item(session, partner.id, key)
    if status not in STATUSES:
        raise Unprocessable(N_("%(status)s is not a check status: use open, done or waived."),
                            field="status", status=status)
    evidence = (evidence or "").strip() or None
    answer = (answer or "").strip() or None
    if status == "done":
        if item.question and not (answer or item.answer):
            raise Unprocessable(N_("Write down the answer to the interview question first."),
                                field="answer")
        if not item.question and not (evidence or item.evidence):
            raise Unprocessable(N_("Say what was checked: add the evidence (a document, a "
                                   "rating, a name) before marking it done."),
                                field="evidence")
    if status == "waived" and item.required:
        raise Unprocessable(N_("A required check cannot be waived."), field="status")
    before = snapshot(item)
    item.status = status
    if evidence is not None:
        item.evidence = evidence
    if answer is not None:
        item.answer = answer
    if status == "done":
        item.checked_on = checked_on or clock.now().date()
        item.checked_by_id = subject.user_id
    elif status == "open":
        item.checked_on, item.checked_by_id = None, None
    session.flush()
    old, new = changes(before, snapshot(item))
    if new:
        audit.record(session, action="diligence.update", target_type="diligence_item",
                     target_id=item.id, partner_id=partner.id, before=old, after=new)
    return item


def add_item(
    session: Session, subject: AuthSubject, partner_id: int, *, label: str,
    category: str = "custom", required: bool = False, question: str | None = None,
) -> DiligenceItem:
    partner = partners.get(session, subject, partner_id)
    require_staff_writer(subject)
    items = ensure_checklist(session, partner)
    label = label.strip()
    if not label:
        raise Unprocessable(N_("A check needs a description."), field="label")
    if category not in CATEGORIES:
        raise Unprocessable(N_("%(category)s is not a check category."), field="category",
                            category=category)
    key = f"custom_{len(items) + 1}"
    while any(i.key == key for i in items):
        key = f"{key}_"
    item = DiligenceItem(partner_id=partner.id, key=key[:60], category=category,
                         label=label[:300], from_template=False,
                         question=(question or "").strip() or None, required=required,
                         status="open", position=len(items))
    session.add(item)
    session.flush()
    audit.record(session, action="diligence.add", target_type="diligence_item",
                 target_id=item.id, partner_id=partner.id, after=snapshot(item))
    return item
