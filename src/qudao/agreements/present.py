"""Agreements as the API, the pages and the CLI show them: computed state, KPI actuals,
milestone status and the onboarding checklist, with labels in the reader's language."""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.accounts.invitation_models import Invitation
from qudao.accounts.invitations import status as invitation_status
from qudao.accounts.models import User
from qudao.accounts.subject import AuthSubject
from qudao.agreements import onboarding, repository, states
from qudao.agreements.measures import (
    MILESTONE_STATUSES,
    PERIODS,
    KpiProgress,
    MilestoneProgress,
    kpi_progress,
    milestone_progress,
)
from qudao.agreements.models import Agreement, AgreementEvent
from qudao.agreements.schemas import (
    AgreementDetail,
    AgreementOut,
    EventOut,
    InvitationOut,
    KpiOut,
    MilestoneOut,
    OnboardingItemOut,
    OnboardingOut,
)
from qudao.agreements.service import currency_of, program_of
from qudao.core import clock
from qudao.core.i18n import LocaleCode, translate
from qudao.goals.metrics import CATALOGUE, MetricKey
from qudao.programs.models import CommissionPlan


def today() -> date:
    return clock.now().date()


def agreement_out(agreement: Agreement, locale: LocaleCode, day: date) -> AgreementOut:
    shown = states.shown_state(agreement.state, agreement.ends_on, day)
    return AgreementOut(
        id=agreement.id, partner_id=agreement.partner_id, partner=agreement.partner.name,
        program_id=agreement.program_id, plan_id=agreement.plan_id,
        partner_type=agreement.partner_type, territory=agreement.territory,
        starts_on=agreement.starts_on, ends_on=agreement.ends_on,
        exclusive=agreement.exclusive, state=agreement.state, shown_state=shown,
        state_label=translate(locale, states.STATE_LABELS[shown]),
        days_left=(agreement.ends_on - day).days, signed_at=agreement.signed_at,
        activated_at=agreement.activated_at, terminated_at=agreement.terminated_at,
        document_id=agreement.document_id)


def _metric_label(metric: str, locale: LocaleCode) -> str:
    known = CATALOGUE.get(cast(MetricKey, metric))
    return translate(locale, known.label) if known else metric


def kpi_out(progress: KpiProgress, currency: str, locale: LocaleCode) -> KpiOut:
    kpi = progress.kpi
    return KpiOut(id=kpi.id, metric=kpi.metric, metric_label=_metric_label(kpi.metric, locale),
                  unit="money" if progress.money else "count",
                  currency=currency if progress.money else None, period=kpi.period,
                  period_label=translate(locale, PERIODS[kpi.period]),  # type: ignore[index]
                  period_start=progress.first, period_end=progress.last,
                  target=progress.target, actual=progress.actual, percent=progress.percent)


def milestone_out(progress: MilestoneProgress, currency: str,
                  locale: LocaleCode) -> MilestoneOut:
    milestone = progress.milestone
    return MilestoneOut(
        id=milestone.id, title=milestone.title, due_on=milestone.due_on,
        measured=milestone.metric is not None, metric=milestone.metric,
        metric_label=_metric_label(milestone.metric, locale) if milestone.metric else None,
        currency=currency if progress.money else None, target=progress.target,
        actual=progress.actual, status=progress.status,
        status_label=translate(locale, MILESTONE_STATUSES[progress.status]),
        done_at=milestone.done_at)


def kpis(session: Session, agreement: Agreement, day: date) -> list[KpiProgress]:
    currency = currency_of(session, agreement)
    return [kpi_progress(session, agreement, kpi, day, currency) for kpi in agreement.kpis]


def milestones(session: Session, agreement: Agreement, day: date) -> list[MilestoneProgress]:
    currency = currency_of(session, agreement)
    return [milestone_progress(session, agreement, m, day, currency)
            for m in agreement.milestones]


def _people(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.name, User.email).where(User.id.in_(ids)))
    return {i: (n or e) for i, n, e in rows}


def onboarding_out(session: Session, agreement: Agreement, locale: LocaleCode,
                   day: date) -> OnboardingOut | None:
    checklist = onboarding.checklist(session, agreement, day)
    if not checklist.items:
        return None
    owners = _people(session, {v.item.owner_user_id for v in checklist.items
                               if v.item.owner_user_id is not None})
    return OnboardingOut(
        agreement_id=agreement.id, done=checklist.done, total=checklist.total,
        percent=checklist.percent,
        items=[OnboardingItemOut(
            key=v.item.key, label=translate(locale, v.step.label),
            hint=translate(locale, v.step.hint), computed=v.step.computed,
            owner_user_id=v.item.owner_user_id,
            owner=owners.get(v.item.owner_user_id) if v.item.owner_user_id else None,
            due_on=v.item.due_on, done=v.done, done_at=v.done_at,
            done_by=_done_by(v.done_by, locale), overdue=v.overdue)
            for v in checklist.items])


def _done_by(label: str | None, locale: LocaleCode) -> str | None:
    if label == onboarding.SYSTEM_LABEL:
        return translate(locale, onboarding.SYSTEM_NAME)
    return label


def event_out(event: AgreementEvent, locale: LocaleCode) -> EventOut:
    return EventOut(action=event.action,
                    action_label=translate(locale, states.ACTION_LABELS[event.action]),
                    from_state=event.from_state, to_state=event.to_state, reason=event.reason,
                    previous_ends_on=event.previous_ends_on, new_ends_on=event.new_ends_on,
                    override=event.override, actor=event.actor_label,
                    occurred_at=event.occurred_at)


def detail_out(session: Session, subject: AuthSubject, agreement: Agreement,
               locale: LocaleCode) -> AgreementDetail:
    day = today()
    program = program_of(session, agreement)
    plan = session.get(CommissionPlan, agreement.plan_id) if agreement.plan_id else None
    base = agreement_out(agreement, locale, day).model_dump()
    history = ([event_out(e, locale) for e in repository.history(session, agreement.id)]
               if subject.is_staff else None)
    return AgreementDetail(
        **base, program=program.name, plan=plan.name if plan else None,
        currency=program.currency, ip_clause=agreement.ip_clause,
        termination_terms=agreement.termination_terms,
        termination_reason=agreement.termination_reason,
        allowed_actions=list(states.allowed_actions(agreement.state)),
        kpis=[kpi_out(p, program.currency, locale) for p in kpis(session, agreement, day)],
        milestones=[milestone_out(p, program.currency, locale)
                    for p in milestones(session, agreement, day)],
        onboarding=onboarding_out(session, agreement, locale, day), history=history)


def invitation_out(invitation: Invitation) -> InvitationOut:
    return InvitationOut(id=invitation.id, partner_id=invitation.partner_id,
                         email=invitation.email, role=invitation.role,
                         status=invitation_status(invitation),
                         created_at=invitation.created_at, expires_at=invitation.expires_at,
                         accepted_at=invitation.accepted_at, revoked_at=invitation.revoked_at)
