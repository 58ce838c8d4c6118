"""JSON routes for rubrics, evaluations, the shortlist and due diligence (staff only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from qudao.core.i18n import LocaleCode
from qudao.http.auth import DbSession, Staff, StaffWriter
from qudao.http.locale import RequestLocale
from qudao.partners import repository as partners
from qudao.screening import diligence, exports, present, rubrics, service
from qudao.screening.rubrics import CriterionSpec
from qudao.screening.schemas import (
    DiligenceAdd,
    DiligenceOut,
    DiligenceUpdate,
    RankedOut,
    RatingsIn,
    RubricIn,
    RubricOut,
    ScorecardOut,
)

router = APIRouter(tags=["screening"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/screening/rubric", summary="The rubric in use")
def current_rubric(subject: Staff, session: DbSession, locale: RequestLocale) -> RubricOut:
    return present.rubric_out(rubrics.current(session), locale)


@router.get("/screening/rubrics", summary="Every version of the rubric, newest first")
def rubric_versions(subject: Staff, session: DbSession, locale: RequestLocale) -> list[RubricOut]:
    rubrics.current(session)
    return [present.rubric_out(r, locale) for r in rubrics.versions(session)]


@router.post("/screening/rubric", status_code=201,
             summary="Edit the rubric: makes a new version; old evaluations keep theirs")
def edit_rubric(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, data: RubricIn
) -> RubricOut:
    rubric = rubrics.new_version(
        session, subject, name=data.name, threshold=data.threshold,
        shortlist_size=data.shortlist_size, large_company_employees=data.large_company_employees,
        criteria=[CriterionSpec(c.key, c.label_en, c.label_zh, c.weight_percent)
                  for c in data.criteria])
    return present.rubric_out(rubric, locale)


@router.get("/screening/ranking", summary="Evaluated candidates, best first")
def ranking(subject: Staff, session: DbSession, locale: RequestLocale) -> list[RankedOut]:
    return present.ranked_out(service.ranking(session, subject), locale)


@router.get("/screening/shortlist", summary="The best candidates that pass the threshold")
def shortlist(
    subject: Staff, session: DbSession, locale: RequestLocale,
    size: Annotated[int | None, Query(ge=1, le=50)] = None,
) -> list[RankedOut]:
    return present.ranked_out(service.shortlist(session, subject, size), locale)


@router.get("/screening/tracking-table", summary="The guide's tracking table as XLSX",
            response_class=Response, responses={200: {"content": {XLSX: {}}}})
def tracking_table(
    subject: Staff, session: DbSession, locale: RequestLocale,
    lang: Annotated[LocaleCode | None, Query(description="zh-CN or en headers")] = None,
) -> Response:
    body = exports.tracking_table(session, subject, lang or locale)
    return Response(body, media_type=XLSX, headers={
        "Content-Disposition": 'attachment; filename="qudao-screening.xlsx"'})


@router.get("/partners/{partner_id}/scorecard", summary="A candidate's weighted score")
def scorecard(
    subject: Staff, session: DbSession, locale: RequestLocale, partner_id: int
) -> ScorecardOut:
    return present.scorecard_out(session, service.scorecard(session, subject, partner_id),
                                 locale)


@router.post("/partners/{partner_id}/evaluations",
             summary="Rate a candidate (one evaluator; rating again replaces)")
def rate(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, partner_id: int,
    data: RatingsIn,
) -> ScorecardOut:
    service.rate(session, subject, partner_id, evaluator_email=data.evaluator,
                 ratings=dict(data.ratings), notes=data.notes)
    return present.scorecard_out(session, service.scorecard(session, subject, partner_id),
                                 locale)


@router.get("/partners/{partner_id}/diligence", summary="The due-diligence checklist")
def checklist(
    subject: Staff, session: DbSession, locale: RequestLocale, partner_id: int
) -> DiligenceOut:
    partner = partners.get(session, subject, partner_id)
    items = diligence.checklist(session, partner)
    return present.diligence_out(session, partner, items, locale)


@router.patch("/partners/{partner_id}/diligence/{key}", summary="Record a check")
def update_check(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, partner_id: int, key: str,
    data: DiligenceUpdate,
) -> DiligenceOut:
    diligence.update_item(session, subject, partner_id, key, status=data.status,
                          evidence=data.evidence, answer=data.answer,
                          checked_on=data.checked_on)
    partner = partners.get(session, subject, partner_id)
    return present.diligence_out(session, partner, diligence.checklist(session, partner),
                                 locale)


@router.post("/partners/{partner_id}/diligence", status_code=201, summary="Add a check")
def add_check(
    subject: StaffWriter, session: DbSession, locale: RequestLocale, partner_id: int,
    data: DiligenceAdd,
) -> DiligenceOut:
    diligence.add_item(session, subject, partner_id, label=data.label, category=data.category,
                       required=data.required, question=data.question)
    partner = partners.get(session, subject, partner_id)
    return present.diligence_out(session, partner, diligence.checklist(session, partner),
                                 locale)
