"""The candidate page's forms as typed values for the services: the company details, a
contact, an evaluation, a due-diligence check. Only text is turned into values here; every
rule stays in the services."""

from __future__ import annotations

import re
from decimal import Decimal

from starlette.datastructures import FormData

from qudao.partners.models import Partner
from qudao.partners.schemas import ContactIn, PartnerUpdate
from qudao.screening.models import DiligenceItem, Rubric
from qudao.screening.schemas import EvaluatorOut, ScorecardOut
from qudao.web.forms import FormState, optional, optional_int

COMPANY_FIELDS = (
    "name", "partner_type", "custom_type", "region", "country", "industry", "employees",
    "annual_revenue", "revenue_currency", "website", "source", "custom_source", "referrer",
    "tags", "owner_id", "notes",
)
# Service field names → the inputs that carry them.
COMPANY_RENAMES = {"currency": "revenue_currency"}
CONTACT_FIELDS = ("name", "role", "email", "phone", "wechat")
STAGE_FIELDS = ("stage", "reason", "override_diligence")
CHECK_FIELDS = ("status", "evidence", "answer", "checked_on")
ADD_CHECK_FIELDS = ("label", "category", "required", "question")
MERGE_FIELDS = ("merge_id",)
RATING_PREFIX = "rating_"
TAG_SPLIT = re.compile(r"[,;、，；]")


def company_values(partner: Partner) -> dict[str, str]:
    """The company form filled with what is stored."""
    revenue = partner.annual_revenue
    return {
        "name": partner.name, "partner_type": partner.partner_type or "",
        "region": partner.region or "", "country": partner.country or "",
        "industry": partner.industry or "",
        "employees": "" if partner.employees is None else str(partner.employees),
        "annual_revenue": "" if revenue is None else f"{revenue:f}",
        "revenue_currency": partner.revenue_currency or "", "website": partner.website or "",
        "source": partner.source or "", "referrer": partner.referrer or "",
        "tags": ", ".join(partner.tags), "owner_id": str(partner.owner_id or ""),
        "notes": partner.notes or "",
    }


def tags(form: FormData) -> list[str]:
    """Tags as people type them: separated by commas (also Chinese ones) or semicolons."""
    text = optional(form, "tags", 2000) or ""
    return [t.strip() for t in TAG_SPLIT.split(text) if t.strip()]


def company_update(form: FormData) -> PartnerUpdate:
    """Every field of the form is set: an emptied input clears the stored value."""
    currency = optional(form, "revenue_currency", 10)
    return PartnerUpdate(
        name=optional(form, "name", 1000) or "",
        # A custom type or source typed in wins over the choice in the list.
        partner_type=optional(form, "custom_type") or optional(form, "partner_type"),
        source=optional(form, "custom_source") or optional(form, "source"),
        region=optional(form, "region"), country=optional(form, "country"),
        industry=optional(form, "industry"), employees=optional_int(form, "employees"),
        annual_revenue=optional(form, "annual_revenue", 40),
        revenue_currency=currency.upper() if currency else None,
        website=optional(form, "website"), referrer=optional(form, "referrer"),
        tags=tags(form), owner_id=optional_int(form, "owner_id"),
        notes=optional(form, "notes"),
    )


def contact_in(form: FormData) -> ContactIn:
    return ContactIn(name=optional(form, "name", 1000) or "", role=optional(form, "role"),
                     email=optional(form, "email"), phone=optional(form, "phone"),
                     wechat=optional(form, "wechat"))


def rating_inputs(rubric: Rubric) -> list[str]:
    return [RATING_PREFIX + c.key for c in rubric.criteria]


def ratings(form: FormData, rubric: Rubric) -> dict[str, object]:
    """The ratings typed in, by criterion key; a criterion left empty is not sent, and the
    service says which ones are missing."""
    found: dict[str, object] = {}
    for criterion in rubric.criteria:
        value = optional(form, RATING_PREFIX + criterion.key, 20)
        if value is not None:
            found[criterion.key] = value.replace(",", ".")
    return found


def evaluation_values(card: ScorecardOut, rubric: Rubric, email: str,
                      mine: EvaluatorOut | None) -> FormState:
    """The evaluation form for the reader: their own ratings under the current rubric, if
    they rated this candidate before, so that rating again is a correction."""
    values = {"evaluator": email}
    if mine is not None and card.rubric_id == rubric.id:
        values["notes"] = mine.notes or ""
        for key, value in mine.ratings.items():
            values[RATING_PREFIX + key] = _plain(value)
    return FormState(values=values)


def _plain(value: Decimal) -> str:
    """8.00 as "8", 7.50 as "7.5": what a person would have typed."""
    return f"{value.normalize():f}"


def check_values(item: DiligenceItem) -> FormState:
    return FormState(values={
        "status": item.status, "evidence": item.evidence or "", "answer": item.answer or "",
        "checked_on": item.checked_on.isoformat() if item.checked_on else "",
    })


def check_forms(items: list[DiligenceItem],
                failed: dict[str, FormState]) -> dict[str, FormState]:
    """One form per check; a check whose save failed keeps what was typed."""
    return {i.key: failed.get(i.key) or check_values(i) for i in items}
