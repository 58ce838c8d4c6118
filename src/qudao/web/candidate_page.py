"""The candidate page: company data, contacts, stage and history, scorecard, evaluation
form, due-diligence checklist, merge. Every form of the page posts to its own route; when
one fails, the whole page is drawn again with that form's values and messages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from qudao.accounts import repository as accounts
from qudao.accounts.subject import AuthSubject
from qudao.core import clock
from qudao.core.i18n import translate
from qudao.http.locale import request_locale
from qudao.http.templates import render
from qudao.partners import pipeline, repository, service
from qudao.partners.types import PARTNER_TYPES, SOURCES
from qudao.programs.service import suggest_partner_types
from qudao.recommendations.usage import usage
from qudao.screening import diligence, present, rubrics
from qudao.screening import service as screening
from qudao.web import candidate_forms as forms_of
from qudao.web import partner_sections
from qudao.web.actions import form_action
from qudao.web.choices import (
    LABELS,
    as_options,
    evaluator_options,
    owner_options,
    partner_choices,
    people_by_id,
    staff_people,
    translated,
    with_current,
)
from qudao.web.forms import FormState
from qudao.web.key_pages import STAFF_KEYS, key_status, may_manage

# Enough for a partner's own people and keys on one page; the full lists are linked.
DETAIL_ROWS = 50
USAGE_DAYS = 30


@dataclass
class Forms:
    """The page's forms that differ from their defaults: the one whose POST failed."""

    edit: FormState | None = None
    stage: FormState | None = None
    contact: FormState | None = None
    rate: FormState | None = None
    add_check: FormState | None = None
    merge: FormState | None = None
    checks: dict[str, FormState] = field(default_factory=dict)

    @property
    def status(self) -> int:
        states = [self.edit, self.stage, self.contact, self.rate, self.add_check, self.merge,
                  *self.checks.values()]
        return max((s.status for s in states if s is not None), default=200)


def candidate_page(
    request: Request, session: Session, subject: AuthSubject, partner_id: int,
    forms: Forms | None = None,
) -> Response:
    forms = forms or Forms()
    locale = request_locale(request)
    partner = repository.get(session, subject, partner_id)
    people = staff_people(session, subject)
    card = present.scorecard_out(session, screening.scorecard(session, subject, partner.id),
                                 locale)
    rubric = rubrics.current(session)
    items = diligence.checklist(session, partner)
    checklist = present.diligence_out(session, partner, items, locale)
    # The guide picks partner types by the company's own industry (the program's); the
    # candidate's industry stands in while no program names one.
    suggestion = suggest_partner_types(session, partner.industry)
    suggested, why = suggestion.types, suggestion.reason
    stages = [s for s in pipeline.STAGES if pipeline.refusal(partner.stage, s) is None]
    me = next((p for p in people if p.id == subject.user_id), None)
    mine = next((e for e in card.evaluations if e.evaluator_id == subject.user_id), None)
    similar = service.check_duplicates(session, partner.name, partner.website,
                                       exclude_id=partner.id).similar
    merged_into = (repository.get(session, subject, partner.merged_into_id)
                   if partner.merged_into_id is not None else None)
    users, user_total = accounts.list_users(session, subject, partner_id=partner.id,
                                            limit=DETAIL_ROWS, offset=0)
    keys, key_total = accounts.list_keys(session, subject, partner_id=partner.id,
                                         limit=DETAIL_ROWS, offset=0)
    now = clock.now()
    context: dict[str, Any] = {
        "partner": partner, "merged_into": merged_into,
        # Traffic only means something once the partner has a key to call the API with.
        "api_usage": usage(session, subject, partner.id, USAGE_DAYS) if key_total else None,
        "usage_days": USAGE_DAYS,
        "owners": people_by_id(people),
        "suggestion": {"types": [translate(locale, PARTNER_TYPES[t]) for t in suggested],
                       "reason": translate(locale, why),
                       "fits": partner.partner_type in suggested},
        "history": repository.history(session, partner.id),
        "stage_options": [(s, translate(locale, pipeline.STAGE_LABELS[s])) for s in stages],
        # The gate stops signing while required checks are open; only an administrator
        # may pass it, so only an administrator is offered the override.
        "can_override": subject.is_admin and "signed" in stages
        and bool(checklist.open_required),
        "card": card,
        "criteria": [(forms_of.RATING_PREFIX + c.key, rubrics.label(c, locale),
                      Decimal(c.weight_bp) / 100) for c in rubric.criteria],
        "current_rubric": rubric,
        "evaluator_options": evaluator_options(people),
        "checklist": checklist,
        "category_options": translated(diligence.CATEGORIES, locale),
        "check_status_options": translated(diligence.STATUSES, locale),
        "similar": similar,
        "merge_options": [o for o in as_options(partner_choices(session, subject))
                          if o[0] != str(partner.id)],
        "type_options": with_current(translated(PARTNER_TYPES, locale), partner.partner_type),
        "source_options": with_current(translated(SOURCES, locale), partner.source),
        "owner_options": owner_options(people),
        "forms": {
            "edit": forms.edit or FormState(values=forms_of.company_values(partner)),
            "stage": forms.stage or FormState(),
            "contact": forms.contact or FormState(),
            "rate": forms.rate or forms_of.evaluation_values(
                card, rubric, me.email if me else "", mine),
            "add_check": forms.add_check or FormState(values={"category": "custom"}),
            "merge": forms.merge or FormState(),
        },
        "check_forms": forms_of.check_forms(items, forms.checks),
        "users": users, "user_total": user_total, "keys": keys, "key_total": key_total,
        "base_url": STAFF_KEYS.base_url, "staff_view": False,
        "status": {k.id: key_status(k, now) for k in keys},
        "manageable": {k.id: may_manage(subject, k.partner_id) for k in keys},
        "can_issue": may_manage(subject, partner.id),
        "sections": partner_sections.sections(session, subject, partner, locale),
        **LABELS,
    }
    return render(request, "partners/detail.html", context, status=forms.status)


async def candidate_form(
    request: Request, session: Session, subject: AuthSubject, partner_id: int, *,
    act: Callable[[FormData], object], inputs: Iterable[str],
    place: Callable[[FormState], Forms], done: str, flash: str,
    renames: Mapping[str, str] | None = None,
) -> Response:
    """One form of the candidate page (see ``form_action``)."""
    return await form_action(
        request, session, act=act, inputs=inputs, done=done, flash=flash, renames=renames,
        redraw=lambda state, _form: candidate_page(request, session, subject, partner_id,
                                                   place(state)))
