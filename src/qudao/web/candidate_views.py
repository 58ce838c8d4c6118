"""The candidate page and its company forms: details, contacts, stage moves, merging.
The scorecard's and the checklist's forms are in ``evaluation_views``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from qudao.core.i18n import N_
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.templates import notice, see_other
from qudao.partners import service
from qudao.web import candidate_forms as forms_of
from qudao.web.candidate_page import Forms, candidate_form, candidate_page
from qudao.web.forms import FormInvalid, checkbox, optional, optional_int

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
async def update(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int
) -> Response:
    return await candidate_form(
        request, session, subject, partner_id,
        act=lambda form: service.update_partner(session, subject, partner_id,
                                                forms_of.company_update(form)),
        inputs=forms_of.COMPANY_FIELDS, renames=forms_of.COMPANY_RENAMES,
        place=lambda state: Forms(edit=state), done=f"/partners/{partner_id}", flash=SAVED)


@router.post("/partners/{partner_id}/stage")
async def move_stage(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int
) -> Response:
    # The due-diligence gate's refusal (409) names the open checks; it is shown at the
    # stage field, like any other reason the move was refused.
    return await candidate_form(
        request, session, subject, partner_id,
        act=lambda form: service.move_stage(
            session, subject, partner_id, optional(form, "stage", 40) or "",
            optional(form, "reason", 2000),
            override_diligence=checkbox(form, "override_diligence")),
        inputs=forms_of.STAGE_FIELDS, place=lambda state: Forms(stage=state),
        done=f"/partners/{partner_id}#stage", flash=MOVED)


@router.post("/partners/{partner_id}/contacts")
async def add_contact(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int
) -> Response:
    return await candidate_form(
        request, session, subject, partner_id,
        act=lambda form: service.add_contact(session, subject, partner_id,
                                             forms_of.contact_in(form)),
        inputs=forms_of.CONTACT_FIELDS, place=lambda state: Forms(contact=state),
        done=f"/partners/{partner_id}#contacts", flash=CONTACT_ADDED)


@router.post("/partners/{partner_id}/contacts/{contact_id}/remove")
async def remove_contact(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int, contact_id: int
) -> Response:
    await checked_form(request)
    service.remove_contact(session, subject, partner_id, contact_id)
    return see_other(request, f"/partners/{partner_id}#contacts", flash=CONTACT_REMOVED)


def _merge(session: DbSession, subject: PageStaff, partner_id: int, form: FormData) -> None:
    merge_id = optional_int(form, "merge_id")
    if merge_id is None:
        raise FormInvalid("merge_id", CHOOSE_DUPLICATE)
    service.merge_partners(session, subject, partner_id, merge_id)


@router.post("/partners/{partner_id}/merge")
async def merge(
    request: Request, subject: PageStaff, session: DbSession, partner_id: int
) -> Response:
    return await candidate_form(
        request, session, subject, partner_id,
        act=lambda form: _merge(session, subject, partner_id, form),
        inputs=forms_of.MERGE_FIELDS, place=lambda state: Forms(merge=state),
        done=f"/partners/{partner_id}", flash=MERGED)
