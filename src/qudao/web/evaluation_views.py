"""The candidate page's screening forms: an evaluator's ratings, and the due-diligence
checks (recorded one by one, or added by hand)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qudao.core.i18n import N_
from qudao.http.auth import DbSession, PageStaff
from qudao.http.templates import notice
from qudao.screening import diligence, rubrics
from qudao.screening import service as screening
from qudao.web import candidate_forms as forms_of
from qudao.web.candidate_page import Forms, candidate_form
from qudao.web.forms import checkbox, optional, optional_date

router = APIRouter(include_in_schema=False)
RATED = notice("screening.rated", N_("The evaluation was saved; the scorecard counts it."))
CHECKED = notice("diligence.saved", N_("The check was saved."))
CHECK_ADDED = notice("diligence.added", N_("The check was added to the list."))


@router.post("/partners/{partner_id}/evaluations")
async def rate(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int
) -> Response:
    rubric = rubrics.current(session)
    return await candidate_form(
        request, session, subject, partner_id,
        act=lambda form: screening.rate(
            session, subject, partner_id, evaluator_email=optional(form, "evaluator", 320),
            ratings=forms_of.ratings(form, rubric), notes=optional(form, "notes")),
        inputs=("evaluator", "notes", *forms_of.rating_inputs(rubric)),
        # A rating's error names its criterion; the input carries a prefix.
        renames={c.key: forms_of.RATING_PREFIX + c.key for c in rubric.criteria},
        place=lambda state: Forms(rate=state), done=f"/partners/{partner_id}#scorecard",
        flash=RATED)


@router.post("/partners/{partner_id}/diligence/{key}")
async def update_check(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int, key: str
) -> Response:
    return await candidate_form(
        request, session, subject, partner_id,
        act=lambda form: diligence.update_item(
            session, subject, partner_id, key[:60], status=optional(form, "status", 20) or "",
            evidence=optional(form, "evidence", 5000), answer=optional(form, "answer", 10_000),
            checked_on=optional_date(form, "checked_on")),
        inputs=forms_of.CHECK_FIELDS, place=lambda state: Forms(checks={key: state}),
        done=f"/partners/{partner_id}#check-{key}", flash=CHECKED)


@router.post("/partners/{partner_id}/diligence")
async def add_check(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int
) -> Response:
    return await candidate_form(
        request, session, subject, partner_id,
        act=lambda form: diligence.add_item(
            session, subject, partner_id, label=optional(form, "label", 300) or "",
            category=optional(form, "category", 30) or "custom",
            required=checkbox(form, "required"), question=optional(form, "question", 2000)),
        inputs=forms_of.ADD_CHECK_FIELDS, place=lambda state: Forms(add_check=state),
        done=f"/partners/{partner_id}#diligence", flash=CHECK_ADDED)
