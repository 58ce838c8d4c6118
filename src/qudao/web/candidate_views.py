"""The candidate page and its company forms: details, contacts, stage moves, merging.
The scorecard's and the checklist's forms are in ``evaluation_views``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from qudao.core.errors import QudaoError
from qudao.core.i18n import N_
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, see_other
from qudao.partners import service
from qudao.web import candidate_forms as forms_of
from qudao.web.candidate_page import Forms, candidate_page
from qudao.web.forms import FormInvalid, checkbox, failure, optional, optional_int

router = APIRouter(include_in_schema=False)
SAVED = notice("partner.saved", N_("The partner's details were saved."))
MOVED = notice("partner.moved", N_("The candidate was moved; the move is in its history."))
CONTACT_ADDED = notice("partner.contact_added", N_("The contact was added."))
CONTACT_REMOVED = notice("partner.contact_removed", N_("The contact was removed."))
MERGED = notice("partner.merged", N_("The duplicate was merged into this partner. Its "
                                     "contacts, ratings, checks and history are here now."))
CHOOSE_DUPLICATE = N_("Choose the duplicate to merge into this partner.")


@router.get("/partners/{partner_id}")
def partner_detail(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int
) -> Response:
    return candidate_page(request, session, subject, partner_id)


@router.post("/partners/{partner_id}")
async def edit_partner(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int
) -> Response:
    form = await checked_form(request)
    try:
        service.update_partner(session, subject, partner_id, forms_of.company_update(form))
    except (QudaoError, ValidationError, FormInvalid) as error:
        state = failure(error, request_locale(request), form, forms_of.COMPANY_FIELDS,
                        fields=forms_of.COMPANY_RENAMES)
        # A refused change may have touched the loaded row: the page shows what is stored.
        session.rollback()
        return candidate_page(request, session, subject, partner_id, Forms(edit=state))
    return see_other(request, f"/partners/{partner_id}", flash=SAVED)


@router.post("/partners/{partner_id}/stage")
async def move_stage(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int
) -> Response:
    form = await checked_form(request)
    try:
        service.move_stage(session, subject, partner_id, optional(form, "stage", 40) or "",
                           optional(form, "reason", 2000),
                           override_diligence=checkbox(form, "override_diligence"))
    except QudaoError as error:
        # The due-diligence gate's refusal (409) names the open checks; it is shown at the
        # stage field, like any other reason the move was refused.
        state = failure(error, request_locale(request), form, forms_of.STAGE_FIELDS)
        session.rollback()
        return candidate_page(request, session, subject, partner_id, Forms(stage=state))
    return see_other(request, f"/partners/{partner_id}#stage", flash=MOVED)


@router.post("/partners/{partner_id}/contacts")
async def add_contact(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int
) -> Response:
    form = await checked_form(request)
    try:
        service.add_contact(session, subject, partner_id, forms_of.contact_in(form))
    except (QudaoError, ValidationError) as error:
        state = failure(error, request_locale(request), form, forms_of.CONTACT_FIELDS)
        session.rollback()
        return candidate_page(request, session, subject, partner_id, Forms(contact=state))
    return see_other(request, f"/partners/{partner_id}#contacts", flash=CONTACT_ADDED)


@router.post("/partners/{partner_id}/contacts/{contact_id}/remove")
async def remove_contact(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int, contact_id: int
) -> Response:
    await checked_form(request)
    service.remove_contact(session, subject, partner_id, contact_id)
    return see_other(request, f"/partners/{partner_id}#contacts", flash=CONTACT_REMOVED)


@router.post("/partners/{partner_id}/merge")
async def merge(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int
) -> Response:
    form = await checked_form(request)
    try:
        merge_id = optional_int(form, "merge_id")
        if merge_id is None:
            raise FormInvalid("merge_id", CHOOSE_DUPLICATE)
        service.merge_partners(session, subject, partner_id, merge_id)
    except (QudaoError, FormInvalid) as error:
        state = failure(error, request_locale(request), form, forms_of.MERGE_FIELDS)
        session.rollback()
        return candidate_page(request, session, subject, partner_id, Forms(merge=state))
    return see_other(request, f"/partners/{partner_id}", flash=MERGED)
