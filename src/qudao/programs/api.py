"""JSON API of programs, value propositions and the product catalogue.

Programs and their value propositions are staff-only. Products are read by everybody signed
in (partners register deals on them; they see the products on sale) and changed by staff."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response

from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_, LocaleCode, coerce_locale
from qudao.core.pagination import Page, PageParams, page_params
from qudao.core.pagination import page as paged
from qudao.core.tabular import MAX_UPLOAD_BYTES, ImportRejected, read_table
from qudao.http.auth import AnyUser, DbSession, Staff, StaffWriter
from qudao.http.locale import RequestLocale
from qudao.programs import (
    catalogue,
    catalogue_io,
    repository,
    service,
    value_proposition,
    vp_diff,
    vp_document,
)
from qudao.programs.schemas import (
    CatalogueImportOut,
    ProductCreate,
    ProductOut,
    ProductUpdate,
    ProgramCreate,
    ProgramOut,
    ProgramUpdate,
    ValuePropositionDiff,
    ValuePropositionIn,
    ValuePropositionOut,
    VersionSummary,
)

router = APIRouter(tags=["programs"])
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
VP = "/programs/{program_id}/value-proposition"


def document_locale(lang: str | None, fallback: LocaleCode) -> LocaleCode:
    """zh, zh_CN, zh-CN or en; nothing means the reader's language."""
    if lang is None or not lang.strip():
        return fallback
    found = coerce_locale(lang)
    if found is None:
        raise Unprocessable(N_("Choose Chinese (zh-CN) or English (en) as the language."),
                            field="lang")
    return found


@router.get("/programs", summary="The company's partner programs")
def list_programs(subject: Staff, session: DbSession) -> list[ProgramOut]:
    return [service.program_out(p) for p in repository.list_programs(session, subject)]


@router.post("/programs", status_code=201, summary="Set up a partner program")
def create_program(subject: StaffWriter, session: DbSession, data: ProgramCreate) -> ProgramOut:
    return service.program_out(service.create_program(session, subject, data))


@router.get("/programs/{program_id}", summary="One program")
def get_program(subject: Staff, session: DbSession, program_id: int) -> ProgramOut:
    return service.program_out(repository.get_program(session, subject, program_id))


@router.patch("/programs/{program_id}", summary="Change a program's settings")
def update_program(
    subject: StaffWriter, session: DbSession, program_id: int, data: ProgramUpdate
) -> ProgramOut:
    return service.program_out(service.update_program(session, subject, program_id, data))


@router.get(VP, summary="The newest version of the value proposition")
def latest_value_proposition(
    subject: Staff, session: DbSession, program_id: int
) -> ValuePropositionOut:
    return value_proposition.version_out(
        value_proposition.get_version(session, subject, program_id, None))


@router.post(VP, status_code=201,
             summary="Save the value proposition as a new version (never an edit)")
def save_value_proposition(
    subject: StaffWriter, session: DbSession, program_id: int, data: ValuePropositionIn
) -> ValuePropositionOut:
    row = value_proposition.save_version(session, subject, program_id, data.content, data.note)
    return value_proposition.version_out(row)


@router.get(f"{VP}/versions", summary="Every version, newest first")
def list_versions(subject: Staff, session: DbSession, program_id: int) -> list[VersionSummary]:
    return [value_proposition.summary_out(v)
            for v in value_proposition.versions(session, subject, program_id)]


@router.get(f"{VP}/versions/{{vp_version}}", summary="One version")
def get_version(
    subject: Staff, session: DbSession, program_id: int, vp_version: int
) -> ValuePropositionOut:
    return value_proposition.version_out(
        value_proposition.get_version(session, subject, program_id, vp_version))


@router.get(f"{VP}/diff", summary="What changed between two versions, field by field")
def diff_versions(
    subject: Staff, session: DbSession, locale: RequestLocale, program_id: int,
    from_version: Annotated[int, Query(ge=1, le=1_000_000)],
    to_version: Annotated[int, Query(ge=1, le=1_000_000)],
) -> ValuePropositionDiff:
    return vp_diff.compare_versions(session, subject, program_id, from_version, to_version,
                                    locale)


@router.get(f"{VP}/render", summary="The value proposition as Markdown, HTML, DOCX or PDF",
            response_class=Response,
            responses={200: {"content": {t: {} for t in vp_document.MEDIA_TYPES.values()}}})
def render_value_proposition(
    subject: Staff, session: DbSession, locale: RequestLocale, program_id: int,
    format: vp_document.DocumentFormat = "html",
    lang: Annotated[str | None, Query(max_length=10, description="zh_CN or en")] = None,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    document = vp_document.render_value_proposition(
        session, subject, program_id=program_id, locale=document_locale(lang, locale),
        fmt=format, version=version)
    disposition = "inline" if format == "html" else "attachment"
    return Response(document.body, media_type=document.media_type, headers={
        "Content-Disposition": f'{disposition}; filename="{document.filename}"'})


@router.get("/products", summary="The product catalogue (partners see the products on sale)")
def list_products(
    subject: AnyUser, session: DbSession, page: Annotated[PageParams, Depends(page_params)],
    q: Annotated[str | None, Query(max_length=200)] = None,
    active: bool | None = None,
) -> Page[ProductOut]:
    rows, total = repository.search_products(session, subject, q=q, active=active,
                                             limit=page.limit, offset=page.offset)
    result: Page[ProductOut] = paged(ProductOut, [catalogue.product_out(r) for r in rows],
                                     total, page)
    return result


@router.post("/products", status_code=201, summary="Add a product with its price list")
def create_product(subject: StaffWriter, session: DbSession, data: ProductCreate) -> ProductOut:
    return catalogue.product_out(catalogue.create_product(session, subject, data))


@router.post("/products/import", summary="Import the catalogue from CSV or XLSX, all or nothing",
             responses={422: {"description": "The report of every bad row; nothing written"}})
def import_products(
    subject: StaffWriter, session: DbSession, locale: RequestLocale,
    file: Annotated[UploadFile, File(description=".csv or .xlsx, at most 10 MiB")],
    dry_run: bool = False,
) -> CatalogueImportOut:
    table = read_table(file.filename or "", file.file.read(MAX_UPLOAD_BYTES + 1))
    if dry_run:
        _planned, report = catalogue_io.plan(session, subject, table)
        return catalogue_io.report_out(report, locale, True)
    try:
        report = catalogue_io.import_table(session, subject, table)
    except ImportRejected as rejected:
        rejected.extra["report"] = catalogue_io.report_out(rejected.report, locale,
                                                           False).model_dump()
        raise
    return catalogue_io.report_out(report, locale, False)


@router.get("/products/export", summary="Export the catalogue (one row per price tier)",
            response_class=Response,
            responses={200: {"content": {t: {} for t in EXPORT_TYPES.values()}}})
def export_products(
    subject: Staff, session: DbSession, locale: RequestLocale,
    format: Literal["csv", "xlsx"] = "xlsx",
    lang: Annotated[str | None, Query(max_length=10, description="Headers: zh_CN or en")] = None,
) -> Response:
    body = catalogue_io.export_catalogue(session, subject, document_locale(lang, locale), format)
    return Response(body, media_type=EXPORT_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="qudao-catalogue.{format}"'})


@router.get("/products/{product_id}", summary="One product")
def get_product(subject: AnyUser, session: DbSession, product_id: int) -> ProductOut:
    return catalogue.product_out(repository.get_product(session, subject, product_id))


@router.patch("/products/{product_id}",
              summary="Change a product; prices replace the whole price list")
def update_product(
    subject: StaffWriter, session: DbSession, product_id: int, data: ProductUpdate
) -> ProductOut:
    return catalogue.product_out(catalogue.update_product(session, subject, product_id, data))
