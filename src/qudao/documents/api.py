"""JSON API of document templates and generated documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from qudao.core.i18n import translate
from qudao.core.pagination import Page, PageParams, page_params
from qudao.core.pagination import page as paged
from qudao.documents import repository, service, templates
from qudao.documents.kinds import MEDIA_TYPES, check_locale, check_template_kind
from qudao.documents.models import GeneratedDocument
from qudao.documents.placeholders import PLACEHOLDERS
from qudao.documents.schemas import (
    DocumentCreate,
    DocumentOut,
    DocumentPublic,
    GeneratedOut,
    KindName,
    Placeholder,
    TemplateDetail,
    TemplateSave,
    TemplateSummary,
    TemplateVersionOut,
)
from qudao.documents.templates import TemplateView
from qudao.http.auth import Admin, AnyUser, DbSession, Staff, StaffWriter
from qudao.http.locale import RequestLocale

router = APIRouter(tags=["documents"])
# A generated web page is shown on its own: no script, no fetching, no framing.
DOCUMENT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
                "form-action 'none'; frame-ancestors 'none'; sandbox")


def _version_out(view: TemplateView) -> TemplateVersionOut:
    return TemplateVersionOut(version=view.version, builtin=view.builtin,
                              created_at=view.created_at, created_by_id=view.created_by_id,
                              note=view.note)


def _summary(view: TemplateView) -> TemplateSummary:
    return TemplateSummary(kind=view.kind, locale=view.locale,
                           **_version_out(view).model_dump())


def _detail(session: DbSession, view: TemplateView, locale: RequestLocale) -> TemplateDetail:
    history = templates.versions(session, view.kind, view.locale)
    return TemplateDetail(
        **_summary(view).model_dump(), body=view.body,
        versions=[_version_out(v) for v in history],
        placeholders=[Placeholder(name=name, description=translate(locale, text))
                      for name, text in PLACEHOLDERS])


@router.get("/document-templates", summary="The template in use of every kind and language")
def list_templates(subject: Staff, session: DbSession) -> list[TemplateSummary]:
    return [_summary(view) for view in templates.overview(session)]


@router.get("/document-templates/{template_kind}/{template_locale}",
            summary="A template: the version in use, its versions and its placeholders")
def get_template(
    subject: Staff, session: DbSession, locale: RequestLocale, template_kind: str,
    template_locale: str, version: Annotated[int | None, Query(ge=1)] = None,
) -> TemplateDetail:
    kind, language = check_template_kind(template_kind), check_locale(template_locale)
    view = (templates.active(session, kind, language) if version is None
            else templates.version(session, kind, language, version))
    return _detail(session, view, locale)


@router.put("/document-templates/{template_kind}/{template_locale}",
            summary="Save a new version of a template (administrators)",
            responses={422: {"description": "The template breaks a sandbox rule or fails "
                                            "with the sample data; nothing saved"}})
def save_template(
    subject: Admin, session: DbSession, locale: RequestLocale, template_kind: str,
    template_locale: str, data: TemplateSave,
) -> TemplateDetail:
    kind, language = check_template_kind(template_kind), check_locale(template_locale)
    templates.save(session, subject, kind, language, body=data.body, note=data.note)
    return _detail(session, templates.active(session, kind, language), locale)


def _out(document: GeneratedDocument, *, staff: bool) -> DocumentOut | DocumentPublic:
    return (DocumentOut if staff else DocumentPublic).model_validate(document)


@router.post("/documents", status_code=201,
             summary="Generate a document (the same inputs return the stored one)",
             responses={200: {"description": "A document with the same inputs existed; it is "
                                             "returned (reused: true)", "model": GeneratedOut}})
def generate_document(
    subject: StaffWriter, session: DbSession, data: DocumentCreate, response: Response,
) -> GeneratedOut:
    made = service.generate_document(
        session, subject, kind=data.kind, locale=data.locale, fmt=data.format,
        program_id=data.program_id, partner_id=data.partner_id, plan_id=data.plan_id)
    if made.reused:
        response.status_code = 200
    return GeneratedOut(**DocumentOut.model_validate(made.document).model_dump(),
                        reused=made.reused)


@router.get("/documents", summary="Generated documents the caller may read, newest first")
def list_documents(
    subject: AnyUser, session: DbSession, page: Annotated[PageParams, Depends(page_params)],
    kind: KindName | None = None, partner_id: int | None = None,
    agreement_id: int | None = None,
) -> Page[DocumentOut] | Page[DocumentPublic]:
    rows, total = repository.search(session, subject, limit=page.limit, offset=page.offset,
                                    kind=kind, partner_id=partner_id,
                                    agreement_id=agreement_id)
    return paged(DocumentOut if subject.is_staff else DocumentPublic, rows, total, page)


@router.get("/documents/{document_id}", summary="One generated document's details")
def get_document(
    subject: AnyUser, session: DbSession, document_id: int
) -> DocumentOut | DocumentPublic:
    return _out(repository.get(session, subject, document_id), staff=subject.is_staff)


@router.get("/documents/{document_id}/file", summary="The generated file itself",
            response_class=Response,
            responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}}})
def document_file(
    subject: AnyUser, session: DbSession, document_id: int,
    inline: Annotated[bool, Query(description="Show in the browser instead of saving")] = False,
) -> Response:
    document = repository.get(session, subject, document_id, with_content=True)
    return file_response(document, inline=inline)


def file_response(document: GeneratedDocument, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="{document.filename}"'}
    if document.format == "html":
        headers["Content-Security-Policy"] = DOCUMENT_CSP
    return Response(document.content, media_type=document.media_type, headers=headers)
