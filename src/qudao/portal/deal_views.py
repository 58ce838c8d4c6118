"""Portal pages of the partner's deals: register a deal, my deals with their stage and
protection, and a deal's page where an extension of the protection is requested. Every
query goes through the deal repository with the signed-in partner user, which scopes it to
that user's company; another company's deal answers 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from qudao.accounts.subject import AuthSubject
from qudao.core import clock
from qudao.core.i18n import N_
from qudao.deals import repository, service
from qudao.http.auth import DbSession, PagePartner
from qudao.http.forms import checked_form
from qudao.http.templates import notice, render, see_other
from qudao.web.actions import form_action
from qudao.web.deal_forms import (
    Registered,
    labels,
    new_form_key,
    program_options,
    register_from_form,
)
from qudao.web.forms import FormState, optional
from qudao.web.paging import PageNumber, pager, with_total

router = APIRouter()
REGISTERED = notice("portal.deal.registered", N_("Your deal was registered. The customer is "
                                                 "protected for your company."))
ALREADY = notice("portal.deal.already_registered", N_("This form was already sent: here is "
                                                      "the deal it registered."))
EXTENSION_ASKED = notice("portal.deal.extension_asked", N_("Your request for a longer "
                                                           "protection was sent to us."))


@router.get("/deals")
def my_deals(
    request: Request, subject: PagePartner, session: DbSession, page: PageNumber = 1,
    stage: Annotated[str | None, Query(max_length=12)] = None,
) -> Response:
    stage = stage if stage in service.STAGE_LABELS else None
    draft = pager("/portal/deals", page, stage=stage)
    rows, total = repository.search(session, subject, limit=draft.per_page,
                                    offset=draft.offset, stage=stage)
    return render(request, "portal/deals/list.html", {
        "deals": rows, "pager": with_total(draft, total), "stage": stage or "",
        "stage_counts": repository.stage_counts(session, subject),
        "stages": list(service.STAGE_LABELS), "now": clock.now(), **labels(),
    })


def _new_page(request: Request, session: Session, subject: AuthSubject,
              form: FormState | None = None) -> Response:
    state = form or FormState()
    program = repository.default_program(session)
    if "currency" not in state.values and program is not None:
        state.values["currency"] = program.currency
    return render(request, "portal/deals/new.html", {
        "form": state, "form_key": new_form_key(),
        "program_options": program_options(session), "catalogue": repository.catalogue(session),
        "protection_days": service.protection_days(program), **labels(),
    }, status=state.status)


@router.get("/deals/new")
def new_deal(request: Request, subject: PagePartner, session: DbSession) -> Response:
    return _new_page(request, session, subject)


@router.post("/deals/new")
async def register(request: Request, subject: PagePartner, session: DbSession) -> Response:
    form = await checked_form(request)
    result = register_from_form(request, session, subject, form, source="portal")
    if isinstance(result, Registered):
        return see_other(request, f"/portal/deals/{result.deal_id}",
                         flash=ALREADY if result.replayed else REGISTERED)
    return _new_page(request, session, subject, result)


def _deal_page(request: Request, session: Session, subject: AuthSubject, deal_id: int,
               form: FormState | None = None) -> Response:
    deal = repository.get(session, subject, deal_id)
    reps = repository.users(session, {deal.sales_rep_id} if deal.sales_rep_id else set())
    state = form or FormState()
    return render(request, "portal/deals/detail.html", {
        "deal": deal, "now": clock.now(), "active": service.protection_active(deal),
        "open": deal.stage in service.OPEN_STAGES, "rep": reps[0] if reps else None,
        "registered": [line for line in deal.lines if line.kind == "registered"],
        "won": [line for line in deal.lines if line.kind == "won"],
        "form": state, **labels(),
    }, status=state.status)


@router.get("/deals/{deal_id}")
def deal_detail(request: Request, subject: PagePartner, session: DbSession,
                deal_id: int) -> Response:
    return _deal_page(request, session, subject, deal_id)


@router.post("/deals/{deal_id}/extension")
async def request_extension(request: Request, subject: PagePartner, session: DbSession,
                            deal_id: int) -> Response:
    return await form_action(
        request, session,
        act=lambda form: service.request_extension(session, subject, deal_id,
                                                   optional(form, "reason", 2000)),
        inputs=("reason",), done=f"/portal/deals/{deal_id}", flash=EXTENSION_ASKED,
        redraw=lambda state, _form: _deal_page(request, session, subject, deal_id, state))
