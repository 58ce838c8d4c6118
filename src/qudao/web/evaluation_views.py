"""The candidate page's screening forms: an evaluator's ratings, and the due-diligence
checks (recorded one by one, or added by hand)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qudao.core.errors import NotFound, QudaoError
from qudao.core.i18n import N_
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, see_other
from qudao.screening import diligence, rubrics
from qudao.screening import service as screening
from qudao.web import candidate_forms as forms_of
from qudao.web.candidate_page import Forms, candidate_page
from qudao.web.forms import FormInvalid, checkbox, failure, optional, optional_date

router = APIRouter(include_in_schema=False)
RATED = notice("screening.rated", N_("The evaluation was saved; the scorecard counts it."))
CHECKED = notice("diligence.saved", N_("The check was saved."))
CHECK_ADDED = notice("diligence.added", N_("The check was added to the list."))


@router.post("/partners/{partner_id}/evaluations")
async def rate(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int
) -> Response:
    form = await checked_form(request)
    rubric = rubrics.current(session)
    inputs = forms_of.rating_inputs(rubric)
    try:
        screening.rate(session, subject, partner_id,
                       evaluator_email=optional(form, "evaluator", 320),
                       ratings=forms_of.ratings(form, rubric), notes=optional(form, "notes"))
    except QudaoError as error:
        # A rating's error names its criterion; the input carries a prefix.
        renames = {c.key: forms_of.RATING_PREFIX + c.key for c in rubric.criteria}
        state = failure(error, request_locale(request), form,
                        ("evaluator", "notes", *inputs), fields=renames)
        session.rollback()
        return candidate_page(request, session, subject, partner_id, Forms(rate=state))
    return see_other(request, f"/partners/{partner_id}#scorecard", flash=RATED)


@router.post("/partners/{partner_id}/diligence/{key}")
async def update_check(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int, key: str
) -> Response:
    form = await checked_form(request)
    try:
        diligence.update_item(session, subject, partner_id, key[:60],
                              status=optional(form, "status", 20) or "",
                              evidence=optional(form, "evidence", 5000),
                              answer=optional(form, "answer", 10_000),
                              checked_on=optional_date(form, "checked_on"))
    except (QudaoError, FormInvalid) as error:
        if isinstance(error, NotFound):
            # No such check (or candidate): there is no form on the page to explain it at.
            raise
        state = failure(error, request_locale(request), form, forms_of.CHECK_FIELDS)
        session.rollback()
        return candidate_page(request, session, subject, partner_id,
                              Forms(checks={key: state}))
    return see_other(request, f"/partners/{partner_id}#check-{key}", flash=CHECKED)


@router.post("/partners/{partner_id}/diligence")
async def add_check(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int
) -> Response:
    form = await checked_form(request)
    try:
        diligence.add_item(session, subject, partner_id, label=optional(form, "label", 300) or "",
                           category=optional(form, "category", 30) or "custom",
                           required=checkbox(form, "required"),
                           question=optional(form, "question", 2000))
    except QudaoError as error:
        state = failure(error, request_locale(request), form, forms_of.ADD_CHECK_FIELDS)
        session.rollback()
        return candidate_page(request, session, subject, partner_id, Forms(add_check=state))
    return see_other(request, f"/partners/{partner_id}#diligence", flash=CHECK_ADDED)
