"""Portal pages: my agreement (terms, contract, KPIs against targets, milestones) and my
onboarding checklist; a partner's administrator invites its people here too."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from qudao.accounts import invitations
from qudao.accounts.invitations import IssuedInvitation
from qudao.accounts.subject import AuthSubject
from qudao.agreements import contract, present, repository
from qudao.core.errors import NotFound, QudaoError
from qudao.core.i18n import N_
from qudao.http.auth import DbSession, PagePartner
from qudao.http.forms import checked_form
from qudao.http.locale import request_locale
from qudao.http.templates import notice, render, see_other
from qudao.web.agreement_page import INVITE_FIELDS, ROLE_LABELS
from qudao.web.agreement_views import attachment
from qudao.web.choices import translated
from qudao.web.forms import FormState, failure, optional
from qudao.web.key_pages import may_manage

router = APIRouter()
REVOKED = notice("portal.invitation_revoked",
                 N_("The invitation was withdrawn; its link no longer works."))
NO_CONTRACT = N_("There is no signed contract to download yet.")


def _page(request: Request, session: Session, subject: AuthSubject, *,
          form: FormState | None = None, issued: IssuedInvitation | None = None) -> Response:
    assert subject.partner_id is not None
    locale = request_locale(request)
    agreement = repository.current_for_partner(session, subject, subject.partner_id)
    can_invite = may_manage(subject, subject.partner_id)
    pending = (invitations.list_for_partner(session, subject, subject.partner_id, 20)
               if can_invite else [])
    state = form or FormState(values={"role": "partner_member"})
    context: dict[str, Any] = {
        "detail": present.detail_out(session, subject, agreement, locale)
        if agreement is not None else None,
        "can_invite": can_invite, "form": state, "issued": issued,
        "issued_url": (str(request.base_url).rstrip("/") + issued.link if issued else None),
        "no_mail": invitations.NO_MAIL,
        "invitations": [(i, invitations.status(i)) for i in pending],
        "invitation_status_labels": invitations.STATUS_LABELS,
        "role_labels": ROLE_LABELS, "role_options": translated(ROLE_LABELS, locale),
        "revoke_base": "/portal/onboarding/invitations",
    }
    status = state.status if form is not None else (201 if issued else 200)
    return render(request, "portal/onboarding/index.html", context, status=status)


@router.get("/onboarding")
def onboarding(request: Request, subject: PagePartner, session: DbSession) -> Response:
    return _page(request, session, subject)


@router.get("/onboarding/contract")
def download_contract(subject: PagePartner, session: DbSession) -> Response:
    assert subject.partner_id is not None
    agreement = repository.current_for_partner(session, subject, subject.partner_id)
    if agreement is None or agreement.document_id is None:
        raise NotFound(NO_CONTRACT)
    return attachment(contract.stored(session, subject, agreement))


@router.post("/onboarding/invitations")
async def invite(request: Request, subject: PagePartner, session: DbSession) -> Response:
    """The link is shown on the page that answers this POST, and never again."""
    assert subject.partner_id is not None
    form = await checked_form(request)
    try:
        issued = invitations.invite(session, subject, subject.partner_id,
                                    optional(form, "email", 320) or "",
                                    optional(form, "role", 32) or "partner_member")
    except (QudaoError, ValidationError) as error:
        state = failure(error, request_locale(request), form, INVITE_FIELDS)
        session.rollback()
        return _page(request, session, subject, form=state)
    return _page(request, session, subject, issued=issued)


@router.post("/onboarding/invitations/{invitation_id}/revoke")
async def revoke(request: Request, subject: PagePartner, session: DbSession,
                 invitation_id: int) -> Response:
    await checked_form(request)
    invitations.revoke(session, subject, invitation_id)
    return see_other(request, "/portal/onboarding#invite", flash=REVOKED)
