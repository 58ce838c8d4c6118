"""JSON routes for partner companies and the sourcing pipeline."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response

from qudao.core.i18n import translate
from qudao.core.pagination import Page, PageParams, page_params
from qudao.core.pagination import page as paged
from qudao.core.tabular import ImportRejected, read_table
from qudao.http.auth import AnyUser, DbSession, Staff, StaffWriter
from qudao.http.locale import RequestLocale
from qudao.partners import importer, pipeline, repository, service
from qudao.partners.repository import SortKey
from qudao.partners.schemas import (
    ContactIn,
    ContactOut,
    DuplicateCheckOut,
    ImportReportOut,
    MergeRequest,
    PartnerCreate,
    PartnerDetail,
    PartnerOut,
    PartnerPublic,
    PartnerUpdate,
    PossibleDuplicate,
    StageCount,
    StageEventOut,
    StageMove,
    TypeSuggestionOut,
)
from qudao.partners.types import PARTNER_TYPES, suggest_types
from qudao.programs.service import suggest_partner_types
from qudao.screening.exports import export_candidates

router = APIRouter(prefix="/partners", tags=["partners"])
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def detail(session: DbSession, partner_id: int, subject: Staff) -> PartnerDetail:
    partner = repository.get(session, subject, partner_id)
    base = PartnerOut.model_validate(partner).model_dump()
    return PartnerDetail(**base, notes=partner.notes,
                         contacts=[ContactOut.model_validate(c) for c in partner.contacts],
                         history=[StageEventOut.model_validate(e)
                                  for e in repository.history(session, partner.id)])


@router.get("", summary="List partners and candidates the caller may see")
def list_partners(
    subject: AnyUser, session: DbSession, page: Annotated[PageParams, Depends(page_params)],
    q: Annotated[str | None, Query(max_length=200)] = None,
    stage: Annotated[str | None, Query(max_length=20)] = None,
    partner_type: Annotated[str | None, Query(max_length=60)] = None,
    owner_id: Annotated[int | None, Query()] = None,
    sort: SortKey = "name",
) -> Page[PartnerOut] | Page[PartnerPublic]:
    rows, total = repository.search(session, subject, q=q, limit=page.limit,
                                    offset=page.offset, stage=stage, partner_type=partner_type,
                                    owner_id=owner_id, sort=sort)
    if subject.is_staff:
        return paged(PartnerOut, rows, total, page)
    return paged(PartnerPublic, rows, total, page)


@router.post("", status_code=201, summary="Add a candidate partner (checks duplicates)")
def create_partner(subject: StaffWriter, session: DbSession, data: PartnerCreate) -> PartnerDetail:
    partner = service.create_partner(session, subject, data)
    return detail(session, partner.id, subject)


@router.get("/stages", summary="Candidates per pipeline stage")
def stage_counts(subject: Staff, session: DbSession, locale: RequestLocale) -> list[StageCount]:
    counts = repository.stage_counts(session, subject)
    return [StageCount(stage=s, label=translate(locale, pipeline.STAGE_LABELS[s]),
                       count=counts.get(s, 0)) for s in pipeline.STAGES]


@router.get("/duplicates", summary="Would this name or website duplicate a partner?")
def check_duplicates(
    subject: Staff, session: DbSession, name: Annotated[str, Query(min_length=1, max_length=200)],
    website: Annotated[str | None, Query(max_length=300)] = None,
) -> DuplicateCheckOut:
    found = service.check_duplicates(session, name, website)
    return DuplicateCheckOut(
        duplicate=PossibleDuplicate(id=found.duplicate.id, name=found.duplicate.name)
        if found.duplicate else None, field=found.field,
        similar=[PossibleDuplicate(id=k.id, name=k.name) for k in found.similar])


@router.get("/type-suggestion", summary="Partner types that fit an industry, and why")
def type_suggestion(
    subject: Staff, session: DbSession, locale: RequestLocale,
    industry: Annotated[str | None, Query(max_length=120)] = None,
) -> TypeSuggestionOut:
    if industry is None:
        # No industry asked about: the company's own, from its program (guide §2.1).
        found = suggest_partner_types(session, None)
        types, reason, industry = found.types, found.reason, found.industry
    else:
        types, reason = suggest_types(industry)
    return TypeSuggestionOut(industry=industry, types=types,
                             labels=[translate(locale, PARTNER_TYPES[t]) for t in types],
                             reason=translate(locale, reason))


@router.post("/import", summary="Import candidates from CSV or XLSX, all or nothing",
             responses={422: {"description": "The report of every bad row; nothing written"}})
def import_partners(
    subject: StaffWriter, session: DbSession, locale: RequestLocale,
    file: Annotated[UploadFile, File(description=".csv or .xlsx, at most 10 MiB")],
    dry_run: bool = False,
    evaluator: Annotated[str | None, Query(max_length=320)] = None,
) -> ImportReportOut:
    table = read_table(file.filename or "", file.file.read())
    if dry_run:
        _planned, report = importer.plan(session, subject, table, evaluator)
        return importer.report_out(report, locale, True)
    try:
        report = importer.import_table(session, subject, table, evaluator)
    except ImportRejected as rejected:
        rejected.extra["report"] = importer.report_out(rejected.report, locale, False).model_dump()
        raise
    return importer.report_out(report, locale, False)


@router.get("/export", summary="Export the candidate list (re-importable, with ratings)",
            response_class=Response,
            responses={200: {"content": {t: {} for t in EXPORT_TYPES.values()}}})
def export_partners(
    subject: Staff, session: DbSession, locale: RequestLocale,
    format: Literal["csv", "xlsx"] = "xlsx",
) -> Response:
    body = export_candidates(session, subject, locale, format)
    return Response(body, media_type=EXPORT_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="qudao-candidates.{format}"'})


@router.get("/{partner_id}", summary="One partner: staff see everything, partners their own")
def get_partner(
    subject: AnyUser, session: DbSession, partner_id: int
) -> PartnerDetail | PartnerPublic:
    if subject.is_staff:
        return detail(session, partner_id, subject)
    return PartnerPublic.model_validate(repository.get(session, subject, partner_id))


@router.patch("/{partner_id}", summary="Change a partner's details")
def update_partner(
    subject: StaffWriter, session: DbSession, partner_id: int, data: PartnerUpdate
) -> PartnerDetail:
    service.update_partner(session, subject, partner_id, data)
    return detail(session, partner_id, subject)


@router.post("/{partner_id}/stage", summary="Move a candidate through the pipeline")
def move_stage(
    subject: StaffWriter, session: DbSession, partner_id: int, data: StageMove
) -> PartnerDetail:
    service.move_stage(session, subject, partner_id, data.stage, data.reason,
                       override_diligence=data.override_diligence)
    return detail(session, partner_id, subject)


@router.post("/{partner_id}/contacts", status_code=201, summary="Add a contact person")
def add_contact(
    subject: StaffWriter, session: DbSession, partner_id: int, data: ContactIn
) -> ContactOut:
    return ContactOut.model_validate(service.add_contact(session, subject, partner_id, data))


@router.delete("/{partner_id}/contacts/{contact_id}", status_code=204,
               summary="Remove a contact person")
def remove_contact(
    subject: StaffWriter, session: DbSession, partner_id: int, contact_id: int
) -> Response:
    service.remove_contact(session, subject, partner_id, contact_id)
    return Response(status_code=204)


@router.post("/{partner_id}/merge", summary="Fold a duplicate into this partner")
def merge(
    subject: StaffWriter, session: DbSession, partner_id: int, data: MergeRequest
) -> PartnerDetail:
    service.merge_partners(session, subject, partner_id, data.merge_id)
    return detail(session, partner_id, subject)
