"""The screening page: the ranking, the shortlist, the rubric with its versions, and the
form that edits the rubric (which makes a new version; old evaluations keep theirs)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import QudaoError
from qudao.core.i18n import N_
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.screening import present, rubrics, service
from qudao.web import rubric_forms
from qudao.web.choices import LABELS, people_by_id, staff_people
from qudao.web.forms import FormInvalid, FormState, failure
from qudao.web.scores import ranking

router = APIRouter(include_in_schema=False)
RUBRIC_SAVED = notice("rubric.saved", N_("The rubric was saved as a new version. Evaluations "
                                         "made before keep the version they used."))


def _screening_page(
    request: Request, session: Session, subject: AuthSubject, *,
    form: FormState | None = None, posted: FormData | None = None,
) -> Response:
    locale = request_locale(request)
    rubric = rubrics.current(session)
    state = form or rubric_forms.values(rubric)
    return render(request, "screening/index.html", {
        "ranking": ranking(session, subject, locale),
        "shortlist": present.ranked_out(service.shortlist(session, subject), locale),
        "rubric": present.rubric_out(rubric, locale),
        "versions": [(present.rubric_out(r, locale), r.created_at, r.created_by_id)
                     for r in rubrics.versions(session)],
        "authors": people_by_id(staff_people(session, subject)),
        "rows": rubric_forms.row_count(posted, rubric),
        "form": state,
        **LABELS,
    }, status=state.status)


@router.get("/screening")
def screening(request: Request, subject: PageStaff, session: DbSession) -> Response:
    return _screening_page(request, session, subject)


@router.post("/screening/rubric")
async def edit_rubric(request: Request, subject: PageStaff, session: DbSession) -> Response:
    form = await checked_form(request)
    rows = rubric_forms.row_count(form, rubrics.current(session))
    locate: Callable[[tuple[int | str, ...]], str] | None = None
    try:
        criteria, used_rows = rubric_forms.criteria_rows(form, rows)
        locate = rubric_forms.locator(used_rows)
        data = rubric_forms.rubric_in(form, criteria)
        rubrics.new_version(session, subject, criteria=rubric_forms.specs(data),
                            threshold=data.threshold, shortlist_size=data.shortlist_size,
                            large_company_employees=data.large_company_employees,
                            name=data.name)
    except (QudaoError, ValidationError, FormInvalid) as error:
        # "The weights must sum to 100%" belongs to the weights, not to one row.
        state = failure(error, request_locale(request), form, rubric_forms.input_names(rows),
                        locate=locate)
        session.rollback()
        return _screening_page(request, session, subject, form=state, posted=form)
    return see_other(request, "/screening#rubric", flash=RUBRIC_SAVED)
