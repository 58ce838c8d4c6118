"""The staff page of one agreement: terms, the moves of its life with the reason a move is
refused, KPIs against targets, milestones, the onboarding checklist, invitations, the
contract and the history. Each form posts to its own route; when one fails, the page is
drawn again with that form's values and message."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from qudao.accounts import invitations
from qudao.accounts import repository as accounts
from qudao.accounts.invitations import IssuedInvitation
from qudao.accounts.subject import AuthSubject
from qudao.agreements import present, repository, service, states
from qudao.agreements.measures import KPI_METRICS, MILESTONE_STATUSES, PERIODS
from qudao.core.i18n import LocaleCode, translate
from qudao.goals.metrics import CATALOGUE
from qudao.http.locale import request_locale
from qudao.http.templates import render
from qudao.partners.types import PARTNER_TYPES
from qudao.programs.models import CommissionPlan, Program
from qudao.screening import diligence
from qudao.web import agreement_forms as forms_of
from qudao.web.actions import form_action
from qudao.web.choices import staff_people, translated, with_current
from qudao.web.forms import FormState

INVITE_FIELDS = ("email", "role")
ITEM_FIELDS = ("done", "owner_user_id", "due_on")
ROLE_LABELS = {role.value: role.label for role in invitations.INVITABLE_ROLES}
# Invitations listed on the page; older ones stay in the audit log.
INVITATION_ROWS = 20


@dataclass
class Forms:
    """The page's forms that differ from their defaults: the one whose POST failed."""

    edit: FormState | None = None
    sign: FormState | None = None
    activate: FormState | None = None
    renew: FormState | None = None
    terminate: FormState | None = None
    invite: FormState | None = None
    contract: FormState | None = None
    items: dict[str, FormState] = field(default_factory=dict)
    milestones: dict[int, FormState] = field(default_factory=dict)
    issued: IssuedInvitation | None = None
    posted: FormData | None = None

    @property
    def status(self) -> int:
        states_ = [self.edit, self.sign, self.activate, self.renew, self.terminate,
                   self.invite, self.contract, *self.items.values(),
                   *self.milestones.values()]
        worst = max((s.status for s in states_ if s is not None), default=200)
        return 201 if worst == 200 and self.issued is not None else worst


def metric_options(locale: LocaleCode) -> list[tuple[str, str]]:
    return translated({k: CATALOGUE[k].label for k in KPI_METRICS}, locale)


def term_options(session: Session, locale: LocaleCode, program_id: int | None,
                 current_type: str | None) -> dict[str, Any]:
    """The pickers of the terms form: programs, their plans, types, metrics, periods."""
    programs = list(session.scalars(select(Program).order_by(Program.name).limit(200)))
    names = {p.id: p.name for p in programs}
    plans = select(CommissionPlan).order_by(CommissionPlan.program_id, CommissionPlan.name
                                            ).limit(200)
    if program_id is not None:
        plans = plans.where(CommissionPlan.program_id == program_id)
    return {
        "program_options": [(str(p.id), f"{p.name} ({p.currency})") for p in programs],
        # Before a program is chosen, each plan says which program it belongs to.
        "plan_options": [(str(p.id), p.name if program_id is not None
                          else f"{names.get(p.program_id, '')} · {p.name}")
                         for p in session.scalars(plans)],
        "type_options": with_current(translated(PARTNER_TYPES, locale), current_type),
        "metric_options": metric_options(locale),
        "period_options": translated(PERIODS, locale),
    }


def owner_choices(session: Session, subject: AuthSubject, partner_id: int
                  ) -> list[tuple[str, str]]:
    """Who may own an onboarding step: staff, and the partner's own people."""
    options = [(str(p.id), p.label) for p in staff_people(session, subject)]
    users, _total = accounts.list_users(session, subject, partner_id=partner_id, limit=100,
                                        offset=0)
    options += [(str(u.id), f"{u.name or u.email} ({u.email})") for u in users
                if u.is_active]
    return options


def item_forms(detail_items: Iterable[Any], failed: Mapping[str, FormState]
               ) -> dict[str, FormState]:
    return {item.key: failed.get(item.key) or FormState(values={
        "owner_user_id": str(item.owner_user_id or ""), "due_on": item.due_on.isoformat(),
        "done": "on" if item.done else ""}) for item in detail_items}


def agreement_page(request: Request, session: Session, subject: AuthSubject,
                   agreement_id: int, forms: Forms | None = None) -> Response:
    forms = forms or Forms()
    locale = request_locale(request)
    agreement = repository.get(session, subject, agreement_id)
    detail = present.detail_out(session, subject, agreement, locale)
    partner = agreement.partner
    currency = service.currency_of(session, agreement)
    open_checks = ([translate(locale, label) for label in diligence.open_labels(session, partner)]
                   if agreement.state == "draft" else [])
    may_invite = subject.can_write
    pending = (invitations.list_for_partner(session, subject, partner.id, INVITATION_ROWS)
               if may_invite else [])
    rows = forms_of.row_count(forms.posted if forms.edit else None,
                              max(len(agreement.kpis), len(agreement.milestones)))
    context: dict[str, Any] = {
        "agreement": agreement, "detail": detail, "partner": partner,
        "open_checks": open_checks,
        "can_override": subject.is_admin and bool(open_checks),
        "actions": detail.allowed_actions,
        "state_labels": states.STATE_LABELS,
        "type_labels": PARTNER_TYPES,
        "milestone_status_labels": MILESTONE_STATUSES,
        "owner_options": owner_choices(session, subject, partner.id),
        "item_forms": item_forms(detail.onboarding.items if detail.onboarding else [],
                                 forms.items),
        "milestone_forms": forms.milestones,
        "invitations": [(i, invitations.status(i)) for i in pending],
        "revoke_base": f"/agreements/{agreement.id}/invitations",
        "invitation_status_labels": invitations.STATUS_LABELS,
        "role_options": translated(ROLE_LABELS, locale),
        "role_labels": ROLE_LABELS,
        "issued": forms.issued,
        "issued_url": (str(request.base_url).rstrip("/") + forms.issued.link
                       if forms.issued else None),
        "no_mail": invitations.NO_MAIL,
        "rows": rows,
        "currency": currency,
        "forms": {
            "edit": forms.edit or forms_of.agreement_values(agreement, currency),
            "sign": forms.sign or FormState(),
            "activate": forms.activate or FormState(),
            "renew": forms.renew or FormState(),
            "terminate": forms.terminate or FormState(),
            "invite": forms.invite or FormState(values={"role": "partner_admin"}),
            "contract": forms.contract or FormState(values={"format": "docx"}),
        },
        **term_options(session, locale, agreement.program_id, agreement.partner_type),
    }
    return render(request, "agreements/detail.html", context, status=forms.status)


async def agreement_form(
    request: Request, session: Session, subject: AuthSubject, agreement_id: int, *,
    act: Callable[[FormData], object], inputs: Iterable[str],
    place: Callable[[FormState, FormData], Forms], done: str, flash: str,
    renames: Mapping[str, str] | None = None,
    locate: Callable[[tuple[int | str, ...]], str] | None = None,
) -> Response:
    """One form of the agreement page (see ``form_action``)."""
    return await form_action(
        request, session, act=act, inputs=inputs, done=done, flash=flash, renames=renames,
        locate=locate,
        redraw=lambda state, form: agreement_page(request, session, subject, agreement_id,
                                                  place(state, form)))
