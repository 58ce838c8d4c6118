"""JSON API of agreements, KPIs, milestones, onboarding and partner-user invitations.

Staff write; a partner's users and keys read their own partner's signed agreements, KPIs,
milestones and checklist. A partner's administrator may invite people to its own company."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from qudao.accounts import invitations
from qudao.agreements import contract, onboarding, present, repository, service
from qudao.agreements.schemas import (
    ActivateRequest,
    AgreementCreate,
    AgreementDetail,
    AgreementOut,
    AgreementUpdate,
    ContractOut,
    ContractRequest,
    InvitationCreate,
    InvitationIssued,
    InvitationOut,
    KpiIn,
    KpiOut,
    MilestoneIn,
    MilestoneOut,
    MilestoneTick,
    OnboardingOut,
    OnboardingUpdate,
    RenewRequest,
    SignRequest,
    TerminateRequest,
)
from qudao.agreements.states import ShownState
from qudao.core.i18n import translate
from qudao.core.pagination import Page, PageParams, page_params
from qudao.http.auth import AnyUser, DbSession, StaffWriter, Writer
from qudao.http.locale import RequestLocale

router = APIRouter(tags=["agreements"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _detail(session: DbSession, subject: AnyUser, agreement_id: int,
            locale: RequestLocale) -> AgreementDetail:
    agreement = repository.get(session, subject, agreement_id)
    return present.detail_out(session, subject, agreement, locale)


@router.get("/agreements", summary="List agreements, newest first (partners: their own)")
def list_agreements(
    subject: AnyUser, session: DbSession, locale: RequestLocale,
    page: Annotated[PageParams, Depends(page_params)],
    partner_id: Annotated[int | None, Query()] = None,
    program_id: Annotated[int | None, Query()] = None,
    state: ShownState | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[AgreementOut]:
    day = present.today()
    rows, total = repository.search(session, subject, today=day, limit=page.limit,
                                    offset=page.offset, partner_id=partner_id,
                                    program_id=program_id, state=state, q=q)
    return Page[AgreementOut](items=[present.agreement_out(a, locale, day) for a in rows],
                              total=total, limit=page.limit, offset=page.offset)


@router.post("/agreements", status_code=201, summary="Draft an agreement")
def create_agreement(subject: StaffWriter, session: DbSession, locale: RequestLocale,
                     data: AgreementCreate) -> AgreementDetail:
    agreement = service.create_draft(session, subject, data)
    return present.detail_out(session, subject, agreement, locale)


@router.get("/agreements/{agreement_id}",
            summary="One agreement with KPI actuals, milestones and onboarding")
def get_agreement(subject: AnyUser, session: DbSession, locale: RequestLocale,
                  agreement_id: int) -> AgreementDetail:
    return _detail(session, subject, agreement_id, locale)


@router.patch("/agreements/{agreement_id}", summary="Change a draft's terms")
def update_agreement(subject: StaffWriter, session: DbSession, locale: RequestLocale,
                     agreement_id: int, data: AgreementUpdate) -> AgreementDetail:
    service.update_draft(session, subject, agreement_id, data)
    return _detail(session, subject, agreement_id, locale)


@router.post("/agreements/{agreement_id}/sign",
             summary="Sign a draft (the partner's due diligence must be done)")
def sign(subject: StaffWriter, session: DbSession, locale: RequestLocale, agreement_id: int,
         data: SignRequest) -> AgreementDetail:
    service.sign(session, subject, agreement_id, override_diligence=data.override_diligence,
                 reason=data.reason, locale=data.locale)
    return _detail(session, subject, agreement_id, locale)


@router.post("/agreements/{agreement_id}/activate", summary="Put a signed agreement in effect")
def activate(subject: StaffWriter, session: DbSession, locale: RequestLocale,
             agreement_id: int, data: ActivateRequest) -> AgreementDetail:
    service.activate(session, subject, agreement_id, data.reason)
    return _detail(session, subject, agreement_id, locale)


@router.post("/agreements/{agreement_id}/renew", summary="Extend a running agreement")
def renew(subject: StaffWriter, session: DbSession, locale: RequestLocale, agreement_id: int,
          data: RenewRequest) -> AgreementDetail:
    service.renew(session, subject, agreement_id, data.until, data.reason)
    return _detail(session, subject, agreement_id, locale)


@router.post("/agreements/{agreement_id}/terminate", summary="End an agreement (with a reason)")
def terminate(subject: StaffWriter, session: DbSession, locale: RequestLocale,
              agreement_id: int, data: TerminateRequest) -> AgreementDetail:
    service.terminate(session, subject, agreement_id, data.reason)
    return _detail(session, subject, agreement_id, locale)


@router.get("/agreements/{agreement_id}/kpis", summary="KPIs: targets and this period's actuals")
def list_kpis(subject: AnyUser, session: DbSession, locale: RequestLocale,
              agreement_id: int) -> list[KpiOut]:
    agreement = repository.get(session, subject, agreement_id)
    currency = service.currency_of(session, agreement)
    return [present.kpi_out(p, currency, locale)
            for p in present.kpis(session, agreement, present.today())]


@router.post("/agreements/{agreement_id}/kpis", status_code=201, summary="Add a KPI to a draft")
def add_kpi(subject: StaffWriter, session: DbSession, locale: RequestLocale,
            agreement_id: int, data: KpiIn) -> list[KpiOut]:
    service.add_kpi(session, subject, agreement_id, data)
    return list_kpis(subject, session, locale, agreement_id)


@router.get("/agreements/{agreement_id}/milestones", summary="Milestones and their status")
def list_milestones(subject: AnyUser, session: DbSession, locale: RequestLocale,
                    agreement_id: int) -> list[MilestoneOut]:
    agreement = repository.get(session, subject, agreement_id)
    currency = service.currency_of(session, agreement)
    return [present.milestone_out(p, currency, locale)
            for p in present.milestones(session, agreement, present.today())]


@router.post("/agreements/{agreement_id}/milestones", status_code=201,
             summary="Add a milestone to a draft")
def add_milestone(subject: StaffWriter, session: DbSession, locale: RequestLocale,
                  agreement_id: int, data: MilestoneIn) -> list[MilestoneOut]:
    service.add_milestone(session, subject, agreement_id, data)
    return list_milestones(subject, session, locale, agreement_id)


@router.post("/agreements/{agreement_id}/milestones/{milestone_id}/tick",
             summary="Tick (or untick) a milestone that is not measured from the data")
def tick_milestone(subject: StaffWriter, session: DbSession, locale: RequestLocale,
                   agreement_id: int, milestone_id: int, data: MilestoneTick
                   ) -> list[MilestoneOut]:
    service.tick_milestone(session, subject, agreement_id, milestone_id, data.done)
    return list_milestones(subject, session, locale, agreement_id)


@router.get("/agreements/{agreement_id}/onboarding", summary="The onboarding checklist")
def get_onboarding(subject: AnyUser, session: DbSession, locale: RequestLocale,
                   agreement_id: int) -> OnboardingOut | None:
    agreement = repository.get(session, subject, agreement_id)
    return present.onboarding_out(session, agreement, locale, present.today())


@router.patch("/agreements/{agreement_id}/onboarding/{item_key}",
              summary="Tick a step, or change its owner or due date")
def update_onboarding(subject: StaffWriter, session: DbSession, locale: RequestLocale,
                      agreement_id: int, item_key: str, data: OnboardingUpdate
                      ) -> OnboardingOut | None:
    agreement = repository.get(session, subject, agreement_id)
    sent = data.model_fields_set
    onboarding.update_item(session, subject, agreement, item_key, done=data.done,
                           owner_user_id=data.owner_user_id,
                           clear_owner="owner_user_id" in sent and data.owner_user_id is None,
                           due_on=data.due_on)
    return present.onboarding_out(session, agreement, locale, present.today())


@router.post("/agreements/{agreement_id}/contract", status_code=201,
             summary="Generate the contract again, as PDF or DOCX")
def generate_contract(subject: StaffWriter, session: DbSession, agreement_id: int,
                      data: ContractRequest) -> ContractOut:
    agreement = repository.get(session, subject, agreement_id)
    document = contract.generate_on_request(session, subject, agreement, fmt=data.format,
                                            locale=data.locale)
    return contract.contract_out(agreement, document)


@router.get("/agreements/{agreement_id}/contract", response_class=Response,
            summary="Download the contract generated at signing",
            responses={200: {"content": {"application/pdf": {}, DOCX: {}}}})
def download_contract(
    subject: AnyUser, session: DbSession, agreement_id: int,
    document_id: Annotated[int | None, Query(description="Another copy generated for this "
                                             "agreement; default: the signed contract")] = None,
) -> Response:
    agreement = repository.get(session, subject, agreement_id)
    found = contract.stored(session, subject, agreement, document_id)
    return Response(found.content, media_type=found.media_type,
                    headers={"Content-Disposition": found.disposition})


@router.post("/partners/{partner_id}/invitations", status_code=201,
             summary="Invite a person of the partner to the portal; answers the link once")
def invite(subject: Writer, session: DbSession, request: Request, locale: RequestLocale,
           partner_id: int, data: InvitationCreate) -> InvitationIssued:
    issued = invitations.invite(session, subject, partner_id, str(data.email), data.role)
    base = present.invitation_out(issued.invitation).model_dump()
    return InvitationIssued(**base, link=str(request.base_url).rstrip("/") + issued.link,
                            notice=translate(locale, invitations.NO_MAIL))


@router.get("/partners/{partner_id}/invitations", summary="A partner's invitations")
def list_invitations(subject: AnyUser, session: DbSession,
                     partner_id: int) -> list[InvitationOut]:
    return [present.invitation_out(i)
            for i in invitations.list_for_partner(session, subject, partner_id)]


@router.delete("/invitations/{invitation_id}", summary="Withdraw an invitation")
def revoke_invitation(subject: Writer, session: DbSession,
                      invitation_id: int) -> InvitationOut:
    return present.invitation_out(invitations.revoke(session, subject, invitation_id))
