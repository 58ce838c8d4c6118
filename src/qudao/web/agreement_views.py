"""Staff pages of agreements and onboarding: the list, a new draft, one agreement with its
forms, and the agreement section of the staff partner page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from qudao.accounts import invitations
from qudao.accounts.subject import AuthSubject
from qudao.agreements import contract, onboarding, present, repository, service, states
from qudao.agreements.schemas import MilestoneTick
from qudao.core.errors import NotFound, QudaoError
from qudao.core.i18n import N_, LocaleCode
from qudao.http.auth import DbSession, PageStaff
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.partners import repository as partners
from qudao.partners.models import Partner
from qudao.web import agreement_forms as forms_of
from qudao.web import invitation_views, partner_sections
from qudao.web.actions import FORM_ERRORS
from qudao.web.agreement_page import (
    INVITATION_ROWS,
    INVITE_FIELDS,
    ITEM_FIELDS,
    ROLE_LABELS,
    Forms,
    agreement_form,
    agreement_page,
    term_options,
)
from qudao.web.choices import as_options, partner_choices, translated
from qudao.web.forms import (
    REQUIRED,
    FormInvalid,
    FormState,
    checkbox,
    failure,
    optional,
    optional_date,
    optional_int,
)
from qudao.web.paging import PageNumber, pager, with_total

router = APIRouter(include_in_schema=False)
router.include_router(invitation_views.router)

DRAFTED = notice("agreement.drafted", N_("The agreement was drafted. Sign it when the "
                                         "partner's due diligence is done."))
SAVED = notice("agreement.saved", N_("The draft was saved."))
SIGNED = notice("agreement.signed", N_("The agreement was signed. Onboarding has started and "
                                       "the contract was generated."))
ACTIVATED = notice("agreement.activated", N_("The agreement is active."))
RENEWED = notice("agreement.renewed", N_("The agreement was renewed; the contract was "
                                         "generated again with the new end date."))
TERMINATED = notice("agreement.terminated", N_("The agreement was terminated."))
STEP_SAVED = notice("agreement.step_saved", N_("The onboarding step was saved."))
MILESTONE_SAVED = notice("agreement.milestone_saved", N_("The milestone was saved."))
INVITATION_REVOKED = notice("agreement.invitation_revoked",
                            N_("The invitation was withdrawn; its link no longer works."))


def _filters(state: str | None, q: str | None, partner_id: int | None) -> dict[str, str]:
    return {"state": state or "", "q": q or "", "partner_id": str(partner_id or "")}


@router.get("/agreements")
def agreements(
    request: Request, subject: PageStaff, session: DbSession, page: PageNumber = 1,
    state: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    partner_id: Annotated[int | None, Query()] = None,
) -> Response:
    locale = request_locale(request)
    state = state if state in states.SHOWN_STATES else None
    draft = pager("/agreements", page, state=state, q=q, partner_id=partner_id)
    day = present.today()
    rows, total = repository.search(session, subject, today=day, limit=draft.per_page,
                                    offset=draft.offset, state=state, q=q,
                                    partner_id=partner_id)
    return render(request, "agreements/list.html", {
        "agreements": [present.agreement_out(a, locale, day) for a in rows],
        "progress": onboarding.checklists(session, rows, day), "pager": with_total(draft, total),
        "filters": _filters(state, q, partner_id), "filtering": bool(state or q or partner_id),
        "state_options": translated(states.STATE_LABELS, locale),
    })


def _new_page(request: Request, session: Session, subject: AuthSubject,
              form: FormState, posted: FormData | None = None) -> Response:
    locale = request_locale(request)
    program_id = form.value("program_id")
    context: dict[str, Any] = {
        "form": form, "rows": forms_of.row_count(posted, 1),
        "partner_options": as_options(partner_choices(session, subject)),
        **term_options(session, locale, int(program_id) if program_id.isdigit() else None,
                       form.value("partner_type") or None),
    }
    return render(request, "agreements/new.html", context, status=form.status)


@router.get("/agreements/new")
def new_agreement(
    request: Request, subject: PageStaff, session: DbSession,
    partner_id: Annotated[int | None, Query()] = None,
) -> Response:
    values = {"exclusive": ""}
    if partner_id is not None:
        partner = partners.get(session, subject, partner_id)
        values.update(partner_id=str(partner.id), partner_type=partner.partner_type or "",
                      territory=partner.region or partner.country or "")
    return _new_page(request, session, subject, FormState(values=values))


@router.post("/agreements")
async def create_agreement(request: Request, subject: PageStaff, session: DbSession
                           ) -> Response:
    form = await checked_form(request)
    try:
        agreement = service.create_draft(session, subject, forms_of.agreement_create(form))
    except FORM_ERRORS as error:
        rows = forms_of.row_count(form, 0)
        state = failure(error, request_locale(request), form, forms_of.input_names(rows),
                        locate=forms_of.locate)
        session.rollback()
        return _new_page(request, session, subject, state, form)
    return see_other(request, f"/agreements/{agreement.id}", flash=DRAFTED)


@router.get("/agreements/{agreement_id}")
def agreement_detail(request: Request, subject: PageStaff, session: DbSession,
                     agreement_id: int) -> Response:
    return agreement_page(request, session, subject, agreement_id)


@router.post("/agreements/{agreement_id}")
async def update_agreement(request: Request, subject: PageStaff, session: DbSession,
                           agreement_id: int) -> Response:
    return await agreement_form(
        request, session, subject, agreement_id,
        act=lambda form: service.update_draft(session, subject, agreement_id,
                                              forms_of.agreement_update(form)),
        inputs=forms_of.input_names(forms_of.MAX_ROWS),
        place=lambda state, form: Forms(edit=state, posted=form), locate=forms_of.locate,
        done=f"/agreements/{agreement_id}#terms", flash=SAVED)


@router.post("/agreements/{agreement_id}/sign")
async def sign(request: Request, subject: PageStaff, session: DbSession,
               agreement_id: int) -> Response:
    # The due-diligence gate's refusal (409) names the open checks; it is shown with the
    # signing form, like every other reason a move is refused.
    return await agreement_form(
        request, session, subject, agreement_id,
        act=lambda form: service.sign(
            session, subject, agreement_id,
            override_diligence=checkbox(form, "override_diligence"),
            reason=optional(form, "reason", 2000)),
        inputs=("reason", "override_diligence"),
        place=lambda state, form: Forms(sign=state),
        done=f"/agreements/{agreement_id}#state", flash=SIGNED)


@router.post("/agreements/{agreement_id}/activate")
async def activate(request: Request, subject: PageStaff, session: DbSession,
                   agreement_id: int) -> Response:
    return await agreement_form(
        request, session, subject, agreement_id,
        act=lambda form: service.activate(session, subject, agreement_id,
                                          optional(form, "reason", 2000)),
        inputs=("reason",), place=lambda state, form: Forms(activate=state),
        done=f"/agreements/{agreement_id}#state", flash=ACTIVATED)


def _renew(session: Session, subject: AuthSubject, agreement_id: int, form: FormData) -> None:
    until = optional_date(form, "until")
    if until is None:
        raise FormInvalid("until", REQUIRED)
    service.renew(session, subject, agreement_id, until, optional(form, "reason", 2000))


@router.post("/agreements/{agreement_id}/renew")
async def renew(request: Request, subject: PageStaff, session: DbSession,
                agreement_id: int) -> Response:
    return await agreement_form(
        request, session, subject, agreement_id,
        act=lambda form: _renew(session, subject, agreement_id, form),
        inputs=("until", "reason"), place=lambda state, form: Forms(renew=state),
        done=f"/agreements/{agreement_id}#state", flash=RENEWED)


@router.post("/agreements/{agreement_id}/terminate")
async def terminate(request: Request, subject: PageStaff, session: DbSession,
                    agreement_id: int) -> Response:
    return await agreement_form(
        request, session, subject, agreement_id,
        act=lambda form: service.terminate(session, subject, agreement_id,
                                           optional(form, "reason", 2000)),
        inputs=("reason",), place=lambda state, form: Forms(terminate=state),
        done=f"/agreements/{agreement_id}#state", flash=TERMINATED)


@router.post("/agreements/{agreement_id}/milestones/{milestone_id}/tick")
async def tick_milestone(request: Request, subject: PageStaff, session: DbSession,
                         agreement_id: int, milestone_id: int) -> Response:
    return await agreement_form(
        request, session, subject, agreement_id,
        act=lambda form: service.tick_milestone(
            session, subject, agreement_id, milestone_id,
            MilestoneTick(done=checkbox(form, "done")).done),
        inputs=("done",), place=lambda state, form: Forms(milestones={milestone_id: state}),
        done=f"/agreements/{agreement_id}#milestones", flash=MILESTONE_SAVED)


def _update_step(session: Session, subject: AuthSubject, agreement_id: int, key: str,
                 form: FormData) -> None:
    agreement = repository.get(session, subject, agreement_id)
    owner = optional_int(form, "owner_user_id")
    onboarding.update_item(session, subject, agreement, key,
                           done=checkbox(form, "done") if "done_sent" in form else None,
                           owner_user_id=owner, clear_owner=owner is None,
                           due_on=optional_date(form, "due_on"))


@router.post("/agreements/{agreement_id}/onboarding/{item_key}")
async def update_step(request: Request, subject: PageStaff, session: DbSession,
                      agreement_id: int, item_key: str) -> Response:
    return await agreement_form(
        request, session, subject, agreement_id,
        act=lambda form: _update_step(session, subject, agreement_id, item_key, form),
        inputs=ITEM_FIELDS, place=lambda state, form: Forms(items={item_key: state}),
        done=f"/agreements/{agreement_id}#onboarding", flash=STEP_SAVED)


@router.post("/agreements/{agreement_id}/invitations")
async def invite(request: Request, subject: PageStaff, session: DbSession,
                 agreement_id: int) -> Response:
    """The link is shown on the page that answers this POST, and never again."""
    form = await checked_form(request)
    agreement = repository.get(session, subject, agreement_id)
    try:
        issued = invitations.invite(session, subject, agreement.partner_id,
                                    optional(form, "email", 320) or "",
                                    optional(form, "role", 32) or "partner_member")
    except (QudaoError, ValidationError) as error:
        state = failure(error, request_locale(request), form, INVITE_FIELDS)
        session.rollback()
        return agreement_page(request, session, subject, agreement_id, Forms(invite=state))
    return agreement_page(request, session, subject, agreement_id, Forms(issued=issued))


@router.post("/agreements/{agreement_id}/invitations/{invitation_id}/revoke")
async def revoke_invitation(request: Request, subject: PageStaff, session: DbSession,
                            agreement_id: int, invitation_id: int) -> Response:
    await checked_form(request)
    agreement = repository.get(session, subject, agreement_id)
    invitations.revoke(session, subject, invitation_id, partner_id=agreement.partner_id)
    return see_other(request, f"/agreements/{agreement_id}#invite", flash=INVITATION_REVOKED)


@router.get("/agreements/{agreement_id}/contract")
def download_contract(subject: PageStaff, session: DbSession, agreement_id: int) -> Response:
    agreement = repository.get(session, subject, agreement_id)
    return attachment(contract.stored(session, subject, agreement))


@router.post("/agreements/{agreement_id}/contract")
async def generate_contract(request: Request, subject: PageStaff, session: DbSession,
                            agreement_id: int) -> Response:
    """A fresh copy of the contract, in the format and language asked for, to download."""
    form = await checked_form(request)
    agreement = repository.get(session, subject, agreement_id)
    fmt = "pdf" if optional(form, "format", 10) == "pdf" else "docx"
    document = contract.generate_on_request(session, subject, agreement, fmt=fmt,
                                            locale=optional(form, "locale", 10))
    return attachment(contract.file_of(document))


def _invite_page(request: Request, session: Session, subject: AuthSubject, partner_id: int,
                 *, form: FormState | None = None,
                 issued: invitations.IssuedInvitation | None = None) -> Response:
    partner = partners.get(session, subject, partner_id)
    locale = request_locale(request)
    state = form or FormState(values={"role": "partner_admin"})
    return render(request, "invitations/new.html", {
        "partner": partner, "form": state, "issued": issued,
        "issued_url": (str(request.base_url).rstrip("/") + issued.link if issued else None),
        "no_mail": invitations.NO_MAIL,
        "invitations": [(i, invitations.status(i))
                        for i in invitations.list_for_partner(session, subject, partner.id,
                                                              INVITATION_ROWS)],
        "invitation_status_labels": invitations.STATUS_LABELS,
        "role_labels": ROLE_LABELS, "role_options": translated(ROLE_LABELS, locale),
        "revoke_base": f"/partners/{partner.id}/invitations",
    }, status=state.status if form is not None else (201 if issued else 200))


@router.get("/partners/{partner_id}/invitations")
def partner_invitations(request: Request, subject: PageStaff, session: DbSession,
                        partner_id: int) -> Response:
    """A partner's invitations and the form for a new one, with or without an agreement."""
    return _invite_page(request, session, subject, partner_id)


@router.post("/partners/{partner_id}/invitations")
async def invite_to_partner(request: Request, subject: PageStaff, session: DbSession,
                            partner_id: int) -> Response:
    form = await checked_form(request)
    try:
        issued = invitations.invite(session, subject, partner_id,
                                    optional(form, "email", 320) or "",
                                    optional(form, "role", 32) or "partner_member")
    except (QudaoError, ValidationError) as error:
        if isinstance(error, NotFound):
            raise
        state = failure(error, request_locale(request), form, INVITE_FIELDS)
        session.rollback()
        return _invite_page(request, session, subject, partner_id, form=state)
    return _invite_page(request, session, subject, partner_id, issued=issued)


@router.post("/partners/{partner_id}/invitations/{invitation_id}/revoke")
async def revoke_partner_invitation(request: Request, subject: PageStaff, session: DbSession,
                                    partner_id: int, invitation_id: int) -> Response:
    await checked_form(request)
    invitations.revoke(session, subject, invitation_id, partner_id=partner_id)
    return see_other(request, f"/partners/{partner_id}/invitations",
                     flash=INVITATION_REVOKED)


def attachment(found: contract.ContractFile) -> Response:
    return Response(found.content, media_type=found.media_type,
                    headers={"Content-Disposition": found.disposition})


@partner_sections.register
def partner_section(session: Session, subject: AuthSubject, partner: Partner,
                    locale: LocaleCode) -> partner_sections.Section:
    """The partner page's agreement card: state, onboarding progress, invitation."""
    agreement = repository.current_for_partner(session, subject, partner.id)
    day = present.today()
    context: dict[str, Any] = {"agreement": None, "checklist": None}
    if agreement is not None:
        context["agreement"] = present.agreement_out(agreement, locale, day)
        checklist = onboarding.checklist(session, agreement, day)
        context["checklist"] = checklist if checklist.items else None
    return partner_sections.Section("agreements/_partner_section.html", context, "side")
