"""Staff pages of registered deals: the list with its filters, and registering a deal for a
partner. The deal's own page and its forms are in ``deal_detail_views``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core import clock
from qudao.core.i18n import N_, LocaleCode, translate
from qudao.deals import repository, service
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.web import deal_detail_views, deal_section
from qudao.web.choices import as_options, partner_choices
from qudao.web.deal_forms import (
    Registered,
    labels,
    new_form_key,
    program_options,
    register_from_form,
)
from qudao.web.forms import FormState
from qudao.web.paging import PageNumber, pager, with_total

router = APIRouter(include_in_schema=False)
REGISTERED = notice("deal.registered", N_("The deal was registered; its customer is now "
                                          "protected for the partner."))
ALREADY = notice("deal.already_registered", N_("This form was already sent: here is the "
                                               "deal it registered."))
deal_section.install()


def stage_options(locale: LocaleCode) -> list[tuple[str, str]]:
    return [(code, translate(locale, label)) for code, label in service.STAGE_LABELS.items()]


@router.get("/deals")
def deals(
    request: Request, subject: PageStaff, session: DbSession, page: PageNumber = 1,
    stage: Annotated[str | None, Query(max_length=12)] = None,
    partner: Annotated[str | None, Query(alias="partner_id", max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    # The filter form sends empty fields for "all"; unknown values filter nothing.
    locale = request_locale(request)
    stage = stage if stage in service.STAGE_LABELS else None
    partner_id = int(partner) if partner and partner.isdigit() else None
    q = q.strip() if q and q.strip() else None
    draft = pager("/deals", page, stage=stage, partner_id=partner_id, q=q)
    rows, total = repository.search(session, subject, limit=draft.per_page,
                                    offset=draft.offset, stage=stage, partner_id=partner_id,
                                    q=q)
    counts = repository.stage_counts(session, subject)
    return render(request, "deals/list.html", {
        "deals": rows, "pager": with_total(draft, total),
        "partner_names": repository.partner_names(session, {d.partner_id for d in rows}),
        "conflicts": repository.conflict_counts(session, [d.id for d in rows]),
        "filters": {"stage": stage or "", "partner_id": str(partner_id or ""), "q": q or ""},
        "filtering": bool(stage or partner_id or q),
        "stage_counts": counts, "stage_options": stage_options(locale),
        "partner_options": as_options(partner_choices(session, subject)),
        "now": clock.now(), **labels(),
    })


def _new_page(request: Request, session: Session, subject: AuthSubject,
              form: FormState | None = None) -> Response:
    state = form or FormState()
    program = repository.default_program(session)
    if "currency" not in state.values and program is not None:
        state.values["currency"] = program.currency
    return render(request, "deals/new.html", {
        "form": state, "form_key": new_form_key(),
        "partner_options": as_options(partner_choices(session, subject)),
        "program_options": program_options(session), "catalogue": repository.catalogue(session),
        "protection_days": service.protection_days(program), **labels(),
    }, status=state.status)


@router.get("/deals/new")
def new_deal(
    request: Request, subject: PageStaff, session: DbSession,
    partner_id: Annotated[int | None, Query()] = None,
) -> Response:
    state = FormState(values={"partner_id": str(partner_id)} if partner_id else {})
    return _new_page(request, session, subject, state)


@router.post("/deals/new")
async def register(request: Request, subject: PageStaff, session: DbSession) -> Response:
    form = await checked_form(request)
    result = register_from_form(request, session, subject, form, source="staff")
    if isinstance(result, Registered):
        return see_other(request, f"/deals/{result.deal_id}",
                         flash=ALREADY if result.replayed else REGISTERED)
    return _new_page(request, session, subject, result)


router.include_router(deal_detail_views.router)
