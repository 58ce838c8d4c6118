"""Staff pages for the candidate list: filter, sort, search, add, and the spreadsheet
exports (served to the signed-in reader as downloads)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core.errors import Conflict, QudaoError
from qudao.core.i18n import N_, LocaleCode
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.partners import pipeline, repository, service
from qudao.partners.repository import SortKey
from qudao.partners.schemas import PartnerCreate
from qudao.partners.types import PARTNER_TYPES, SOURCES
from qudao.screening import exports
from qudao.web import partner_dashboard_views
from qudao.web.choices import LABELS, SORT_LABELS, people_by_id, staff_people, translated
from qudao.web.forms import FormState, checkbox, failure, optional
from qudao.web.paging import PageNumber, pager, with_total
from qudao.web.scores import by_partner

router = APIRouter(include_in_schema=False)
# The partner's dashboard as staff read it (the partner page links to it).
router.include_router(partner_dashboard_views.router)
FIELDS = ("name", "website", "country", "partner_type", "industry", "source", "notes")
ADDED = notice("partner.added", N_("The partner was added."))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}
ExportFormat = Literal["csv", "xlsx"]


def _similar_name(error: Exception) -> bool:
    """Whether the refusal is "looks like another partner", which the user may overrule
    (an identical name or web domain may not be). The service's error names the other
    partner as ``other`` only in that case."""
    return isinstance(error, Conflict) and "other" in error.params


def _list_page(
    request: Request, session: Session, subject: AuthSubject, *, q: str | None, page: int,
    stage: str | None = None, partner_type: str | None = None, sort: SortKey = "name",
    form: FormState | None = None, confirm_similar: bool = False,
) -> Response:
    locale = request_locale(request)
    draft = pager("/partners", page, q=q, stage=stage, partner_type=partner_type,
                  sort=None if sort == "name" else sort)
    rows, total = repository.search(session, subject, q=q, limit=draft.per_page,
                                    offset=draft.offset, stage=stage,
                                    partner_type=partner_type, sort=sort)
    state = form or FormState()
    return render(request, "partners/list.html", {
        "partners": rows, "pager": with_total(draft, total), "q": q or "", "form": state,
        "confirm_similar": confirm_similar,
        "filters": {"q": q or "", "stage": stage or "", "partner_type": partner_type or "",
                    "sort": sort},
        "filtering": bool(q or stage or partner_type or sort != "name"),
        "scores": by_partner(session, subject, locale),
        "owners": people_by_id(staff_people(session, subject)),
        "stage_options": translated(pipeline.STAGE_LABELS, locale),
        "type_options": translated(PARTNER_TYPES, locale),
        "source_options": translated(SOURCES, locale),
        "sort_options": translated(SORT_LABELS, locale),
        **LABELS,
    }, status=state.status)


@router.get("/partners")
def list_partners(
    request: Request, subject: PageStaff, session: DbSession,
    q: Annotated[str | None, Query(max_length=200)] = None, page: PageNumber = 1,
    stage: Annotated[str | None, Query(max_length=20)] = None,
    partner_type: Annotated[str | None, Query(max_length=60)] = None,
    sort: SortKey = "name",
) -> Response:
    return _list_page(request, session, subject, q=q, page=page, stage=stage or None,
                      partner_type=partner_type or None, sort=sort)


@router.post("/partners")
async def add_partner(request: Request, subject: PageStaff, session: DbSession) -> Response:
    form = await checked_form(request)
    try:
        data = PartnerCreate(name=optional(form, "name", 1000) or "",
                             website=optional(form, "website"),
                             country=optional(form, "country"), notes=optional(form, "notes"),
                             partner_type=optional(form, "partner_type"),
                             industry=optional(form, "industry"),
                             source=optional(form, "source"),
                             allow_similar=checkbox(form, "allow_similar"))
        partner = service.create_partner(session, subject, data)
    except (QudaoError, ValidationError) as error:
        state = failure(error, request_locale(request), form, (*FIELDS, "allow_similar"))
        return _list_page(request, session, subject, q=None, page=1, form=state,
                          confirm_similar=_similar_name(error))
    return see_other(request, f"/partners/{partner.id}", flash=ADDED)


def download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/partners/export.{fmt}")
def export_partners(
    request: Request, subject: PageStaff, session: DbSession, fmt: ExportFormat
) -> Response:
    """The candidate list with its ratings, re-importable; headers in the reader's language."""
    body = exports.export_candidates(session, subject, request_locale(request), fmt)
    return download(body, MEDIA_TYPES[fmt], f"qudao-candidates.{fmt}")


@router.get("/screening/tracking-table.xlsx")
def tracking_table(
    request: Request, subject: PageStaff, session: DbSession,
    lang: Annotated[LocaleCode | None, Query()] = None,
) -> Response:
    """The guide's tracking table, with Chinese or English headers whatever the page's
    language: the table often goes to someone who reads the other one."""
    locale = lang or request_locale(request)
    body = exports.tracking_table(session, subject, locale)
    return download(body, XLSX, f"qudao-screening-{locale}.xlsx")
