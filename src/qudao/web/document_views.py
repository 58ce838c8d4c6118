"""Staff pages of document templates and generated documents: the list of documents with
their downloads and the form that generates one; a template's page, where administrators
edit it (a save makes a new version) and everyone sees its versions, its placeholders and a
preview with sample data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import QudaoError
from qudao.core.i18n import LANGUAGE_NAMES, LOCALES, N_, LocaleCode, translate
from qudao.documents import markdown_render, repository, service, templates
from qudao.documents.kinds import (
    FORMAT_LABELS,
    FORMATS,
    KIND_LABELS,
    KINDS,
    TEMPLATE_KINDS,
    check_locale,
    check_template_kind,
)
from qudao.documents.placeholders import PLACEHOLDERS, sample_contexts
from qudao.documents.sandbox import render_template
from qudao.documents.templates import TemplateView
from qudao.http.auth import DbSession, PageAdmin, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.partners.models import Partner
from qudao.programs import repository as programs
from qudao.web import partner_sections
from qudao.web.forms import FormInvalid, FormState, failure, optional, optional_int
from qudao.web.paging import PageNumber, pager, with_total
from qudao.web.program_page_views import ProgramChoice, program_context, selected_program

router = APIRouter(include_in_schema=False)
GENERATED = notice("documents.generated", N_("The document was generated and kept."))
REUSED = notice("documents.reused", N_("A document with exactly the same inputs already "
                                       "existed: it is offered again instead of a copy."))
TEMPLATE_SAVED = notice("documents.template_saved",
                        N_("The template was saved as a new version. Documents made before "
                           "keep the version they were made with."))
GENERATE_FIELDS = ("kind", "locale", "format", "program_id", "partner_id", "plan_id")
KindFilter = Annotated[str | None, Query(max_length=30)]
PartnerFilter = Annotated[int | None, Query(ge=1, le=2**62)]
VersionChoice = Annotated[int | None, Query(ge=1, le=1_000_000)]


def _choices(session: Session, subject: AuthSubject, locale: LocaleCode) -> dict[str, Any]:
    plans = repository.plan_choices(session)
    return {
        "kind_options": [(k, translate(locale, KIND_LABELS[k])) for k in KINDS],
        "locale_options": [(code, LANGUAGE_NAMES[code]) for code in LOCALES],
        "format_options": [(f, translate(locale, FORMAT_LABELS[f])) for f in FORMATS],
        "partner_options": [(str(i), name) for i, name in repository.partner_choices(session)],
        "plans": plans,
        "program_options": [(str(p.id), p.name) for p in programs.list_programs(session,
                                                                                 subject)],
    }


def _documents_page(
    request: Request, session: Session, subject: AuthSubject, *, program_id: int | None,
    kind: str | None, partner_id: int | None, page: int, form: FormState | None = None,
) -> Response:
    locale = request_locale(request)
    chosen = selected_program(session, subject, program_id)
    draft = pager("/program/documents", page, kind=kind, partner_id=partner_id,
                  program=program_id)
    rows, total = repository.search(session, subject, limit=draft.per_page,
                                    offset=draft.offset, kind=kind if kind in KINDS else None,
                                    partner_id=partner_id)
    state = form or FormState(values={
        "kind": "nda", "locale": locale, "format": "pdf",
        "program_id": str(chosen.id) if chosen else "",
        "partner_id": str(partner_id or "")})
    names = dict(repository.partner_choices(session))
    return render(request, "documents/index.html", {
        **program_context(session, subject, chosen),
        **_choices(session, subject, locale),
        "documents": rows, "pager": with_total(draft, total), "partner_names": names,
        "kind_labels": KIND_LABELS, "format_labels": FORMAT_LABELS,
        "templates": templates.overview(session), "form": state,
        "filter_kind": kind or "", "filter_partner": partner_id,
        "highlight": request.query_params.get("document"),
    }, status=state.status)


@router.get("/program/documents")
def documents_page(
    request: Request, subject: PageStaff, session: DbSession, program: ProgramChoice = None,
    kind: KindFilter = None, partner_id: PartnerFilter = None, page: PageNumber = 1,
) -> Response:
    return _documents_page(request, session, subject, program_id=program, kind=kind,
                           partner_id=partner_id, page=page)


def _body(form: FormData) -> str:
    """The template as typed: its spaces and line breaks are part of it."""
    value = form.get("body")
    return value.replace("\r\n", "\n")[:200_000] if isinstance(value, str) else ""


@router.post("/program/documents")
async def generate(
    request: Request, subject: PageStaff, session: DbSession, program: ProgramChoice = None,
) -> Response:
    form = await checked_form(request)
    try:
        made = service.generate_document(
            session, subject, kind=optional(form, "kind", 30) or "",
            locale=optional(form, "locale", 10) or "", fmt=optional(form, "format", 10) or "",
            program_id=optional_int(form, "program_id"),
            partner_id=optional_int(form, "partner_id"),
            plan_id=optional_int(form, "plan_id"))
    except (QudaoError, FormInvalid) as error:
        state = failure(error, request_locale(request), form, GENERATE_FIELDS)
        session.rollback()
        return _documents_page(request, session, subject, program_id=program, kind=None,
                               partner_id=None, page=1, form=state)
    query = f"?document={made.document.id}"
    if program is not None:
        query += f"&program={program}"
    return see_other(request, f"/program/documents{query}#document-{made.document.id}",
                     flash=REUSED if made.reused else GENERATED)


def _preview(body: str, locale: LocaleCode) -> tuple[str | None, str | None]:
    """The template rendered with the sample data, as HTML; or why it cannot be."""
    try:
        markdown = render_template(body, sample_contexts(locale)["full"])
    except QudaoError as error:
        return None, error.render(locale)
    return markdown_render.html_fragment(markdown_render.parse(markdown)), None


def _template_page(
    request: Request, session: Session, subject: AuthSubject, view: TemplateView, *,
    form: FormState | None = None, preview_body: str | None = None,
) -> Response:
    locale = request_locale(request)
    state = form or FormState(values={"body": view.body})
    preview, problem = _preview(preview_body if preview_body is not None else view.body,
                                view.locale)
    active = templates.active(session, view.kind, view.locale)
    return render(request, "documents/template.html", {
        "view": view, "active": active, "form": state,
        "versions": templates.versions(session, view.kind, view.locale),
        "placeholders": [(name, translate(locale, text)) for name, text in PLACEHOLDERS],
        "preview": preview, "preview_problem": problem,
        "previewing": preview_body is not None,
        "kind_label": KIND_LABELS[view.kind], "language_name": LANGUAGE_NAMES[view.locale],
        "template_kinds": TEMPLATE_KINDS, "kind_labels": KIND_LABELS,
    }, status=state.status)


@router.get("/program/documents/templates/{template_kind}/{template_locale}")
def template_page(
    request: Request, subject: PageStaff, session: DbSession, template_kind: str,
    template_locale: str, version: VersionChoice = None,
) -> Response:
    kind, language = check_template_kind(template_kind), check_locale(template_locale)
    view = (templates.active(session, kind, language) if version is None
            else templates.version(session, kind, language, version))
    return _template_page(request, session, subject, view)


@router.post("/program/documents/templates/{template_kind}/{template_locale}")
async def save_template(
    request: Request, subject: PageAdmin, session: DbSession, template_kind: str,
    template_locale: str,
) -> Response:
    form = await checked_form(request)
    kind, language = check_template_kind(template_kind), check_locale(template_locale)
    body = _body(form)
    if form.get("action") == "preview":
        view = templates.active(session, kind, language)
        return _template_page(request, session, subject, view,
                              form=FormState(values={"body": body,
                                                     "note": optional(form, "note") or ""}),
                              preview_body=body)
    try:
        templates.save(session, subject, kind, language, body=body,
                       note=optional(form, "note", 300))
    except QudaoError as error:
        state = failure(error, request_locale(request), form, ("body", "note"))
        state.values["body"] = body
        session.rollback()
        return _template_page(request, session, subject,
                              templates.active(session, kind, language), form=state,
                              preview_body=body)
    return see_other(request, f"/program/documents/templates/{kind}/{language}",
                     flash=TEMPLATE_SAVED)


PARTNER_SECTION_ROWS = 8


@partner_sections.register
def partner_section(session: Session, subject: AuthSubject, partner: Partner,
                    locale: LocaleCode) -> partner_sections.Section:
    """The partner page's documents card: the newest documents made for the partner."""
    rows, total = repository.search(session, subject, limit=PARTNER_SECTION_ROWS, offset=0,
                                    partner_id=partner.id)
    return partner_sections.Section("documents/_partner_section.html", {
        "documents": rows, "total": total, "kind_labels": KIND_LABELS,
        "format_labels": FORMAT_LABELS}, "side")
