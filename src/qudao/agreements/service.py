"""Rules of agreements: drafting, the moves of their life, KPIs and milestones. Services
flush and audit; the boundary commits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_admin, require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.agreements import contract, onboarding, repository, states
from qudao.agreements.measures import check_metric, check_period, parse_target
from qudao.agreements.models import Agreement, AgreementEvent, AgreementKpi, AgreementMilestone
from qudao.agreements.schemas import AgreementCreate, AgreementUpdate, KpiIn, MilestoneIn
from qudao.audit import service as audit
from qudao.audit.snapshot import JSONValue, changes, snapshot
from qudao.core import clock
from qudao.core.context import get_context
from qudao.core.errors import Conflict, Unprocessable
from qudao.core.i18n import N_, LocaleCode, translate
from qudao.partners import repository as partners
from qudao.partners import service as partner_service
from qudao.partners.models import Partner
from qudao.partners.types import normalize_type
from qudao.programs.models import CommissionPlan, Program
from qudao.screening import diligence

TERMS = ("plan_id", "partner_type", "territory", "starts_on", "ends_on", "exclusive",
         "ip_clause", "termination_terms")


def program_of(session: Session, agreement: Agreement) -> Program:
    program = session.get(Program, agreement.program_id)
    assert program is not None  # a foreign key with ON DELETE RESTRICT
    return program


def currency_of(session: Session, agreement: Agreement) -> str:
    return program_of(session, agreement).currency


def _program(session: Session, program_id: int) -> Program:
    program = session.get(Program, program_id)
    if program is None:
        raise Unprocessable(N_("Program %(id)s was not found."), field="program_id",
                            id=program_id)
    return program


def _check_plan(session: Session, plan_id: int | None, program: Program) -> None:
    if plan_id is None:
        return
    plan = session.get(CommissionPlan, plan_id)
    if plan is None or plan.program_id != program.id:
        raise Unprocessable(N_("Commission plan %(id)s is not a plan of the program "
                               "%(program)s."), field="plan_id", id=plan_id,
                            program=program.name)


def _check_term(starts_on: date, ends_on: date) -> None:
    if ends_on <= starts_on:
        raise Unprocessable(N_("The agreement must end after it starts."), field="ends_on")


def _text(value: str | None) -> str | None:
    stripped = (value or "").strip()
    return stripped or None


def _kpis(rows: list[KpiIn], currency: str) -> list[AgreementKpi]:
    kpis = []
    for position, row in enumerate(rows):
        metric = check_metric(row.metric.strip(), "kpis")
        kpis.append(AgreementKpi(metric=metric, period=check_period(row.period),
                                 target=parse_target(metric, row.target, currency, "kpis"),
                                 position=position))
    return kpis


def _milestone(row: MilestoneIn, currency: str) -> AgreementMilestone:
    title = row.title.strip()
    if not title:
        raise Unprocessable(N_("A milestone needs a title."), field="milestones")
    if (row.metric is None) != (row.target is None):
        raise Unprocessable(N_("A measured milestone needs both a metric and a target; a "
                               "milestone ticked by hand needs neither."), field="milestones")
    milestone = AgreementMilestone(title=title, due_on=row.due_on)
    if row.metric is not None and row.target is not None:
        metric = check_metric(row.metric.strip(), "milestones")
        milestone.metric = metric
        milestone.target = parse_target(metric, row.target, currency, "milestones")
    return milestone


def _check_milestones(agreement: Agreement) -> None:
    for milestone in agreement.milestones:
        if not agreement.starts_on <= milestone.due_on <= agreement.ends_on:
            raise Unprocessable(
                N_("Milestone “%(title)s” is due on %(due)s, outside the term (%(start)s to "
                   "%(end)s)."), field="milestones", title=milestone.title,
                due=milestone.due_on.isoformat(), start=agreement.starts_on.isoformat(),
                end=agreement.ends_on.isoformat())


def _event(session: Session, subject: AuthSubject, agreement: Agreement, action: str,
           from_state: str | None, *, reason: str | None = None, override: bool = False,
           previous_ends_on: date | None = None) -> AgreementEvent:
    event = AgreementEvent(
        agreement_id=agreement.id, action=action, from_state=from_state,
        to_state=agreement.state, reason=reason, override=override,
        previous_ends_on=previous_ends_on,
        new_ends_on=agreement.ends_on if previous_ends_on is not None else None,
        actor_label=subject.label, actor_user_id=subject.user_id, occurred_at=clock.now())
    session.add(event)
    return event


def _audit_change(session: Session, agreement: Agreement, action: str,
                  before: dict[str, JSONValue], reason: str | None = None) -> None:
    old, new = changes(before, snapshot(agreement))
    audit.record(session, action=action, target_type="agreement", target_id=agreement.id,
                 partner_id=agreement.partner_id, before=old, after=new, reason=reason)


def _terms_snapshot(agreement: Agreement) -> dict[str, JSONValue]:
    values = snapshot(agreement)
    values["kpis"] = [f"{k.metric}:{k.target}:{k.period}" for k in agreement.kpis]
    values["milestones"] = [f"{m.title}:{m.due_on.isoformat()}:{m.metric or ''}:"
                            f"{m.target if m.target is not None else ''}"
                            for m in agreement.milestones]
    return values


def create_draft(session: Session, subject: AuthSubject, data: AgreementCreate) -> Agreement:
    require_staff_writer(subject)
    partner = partners.get(session, subject, data.partner_id)
    if partner.merged_into_id is not None:
        raise Unprocessable(N_("%(name)s was merged into another partner; draft the "
                               "agreement for that one."), field="partner_id",
                            name=partner.name)
    program = _program(session, data.program_id)
    _check_plan(session, data.plan_id, program)
    _check_term(data.starts_on, data.ends_on)
    territory = data.territory.strip()
    if not territory:
        raise Unprocessable(N_("Name the territory: a region, a country or a market."),
                            field="territory")
    agreement = Agreement(
        partner_id=partner.id, program_id=program.id, plan_id=data.plan_id,
        partner_type=normalize_type(_text(data.partner_type)) or partner.partner_type,
        territory=territory, starts_on=data.starts_on, ends_on=data.ends_on,
        exclusive=data.exclusive, ip_clause=_text(data.ip_clause),
        termination_terms=_text(data.termination_terms),
        state="draft", in_force=None, created_by_id=subject.user_id)
    agreement.kpis = _kpis(data.kpis, program.currency)
    agreement.milestones = [_milestone(row, program.currency) for row in data.milestones]
    _check_milestones(agreement)
    session.add(agreement)
    session.flush()
    _event(session, subject, agreement, "create", None)
    session.flush()
    audit.record(session, action="agreement.create", target_type="agreement",
                 target_id=agreement.id, partner_id=partner.id,
                 after=_terms_snapshot(agreement))
    return agreement


def _draft(session: Session, subject: AuthSubject, agreement_id: int) -> Agreement:
    agreement = repository.get(session, subject, agreement_id)
    require_staff_writer(subject)
    if agreement.state != "draft":
        raise Conflict(N_("Only a draft can be changed. A signed agreement changes by "
                          "renewal, or by terminating it and drafting a new one."),
                       field="state")
    return agreement


def update_draft(session: Session, subject: AuthSubject, agreement_id: int,
                 data: AgreementUpdate) -> Agreement:
    agreement = _draft(session, subject, agreement_id)
    program = program_of(session, agreement)
    before = _terms_snapshot(agreement)
    values = data.model_dump(exclude_unset=True)
    if "plan_id" in values:
        _check_plan(session, values["plan_id"], program)
        agreement.plan_id = values["plan_id"]
    if "territory" in values:
        territory = (values["territory"] or "").strip()
        if not territory:
            raise Unprocessable(N_("Name the territory: a region, a country or a market."),
                                field="territory")
        agreement.territory = territory
    if "partner_type" in values:
        agreement.partner_type = normalize_type(_text(values["partner_type"]))
    for key in ("starts_on", "ends_on"):
        if values.get(key) is not None:
            setattr(agreement, key, values[key])
    if values.get("exclusive") is not None:
        agreement.exclusive = bool(values["exclusive"])
    for key in ("ip_clause", "termination_terms"):
        if key in values:
            setattr(agreement, key, _text(values[key]))
    _check_term(agreement.starts_on, agreement.ends_on)
    if data.kpis is not None:
        agreement.kpis = _kpis(data.kpis, program.currency)
    if data.milestones is not None:
        agreement.milestones = [_milestone(row, program.currency) for row in data.milestones]
    _check_milestones(agreement)
    session.flush()
    old, new = changes(before, _terms_snapshot(agreement))
    if new:
        _event(session, subject, agreement, "update", "draft")
        session.flush()
        audit.record(session, action="agreement.update", target_type="agreement",
                     target_id=agreement.id, partner_id=agreement.partner_id, before=old,
                     after=new)
    return agreement


def add_kpi(session: Session, subject: AuthSubject, agreement_id: int,
            data: KpiIn) -> AgreementKpi:
    agreement = _draft(session, subject, agreement_id)
    (kpi,) = _kpis([data], currency_of(session, agreement))
    kpi.position = len(agreement.kpis)
    agreement.kpis.append(kpi)
    session.flush()
    audit.record(session, action="agreement.kpi_add", target_type="agreement_kpi",
                 target_id=kpi.id, partner_id=agreement.partner_id, after=snapshot(kpi))
    return kpi


def add_milestone(session: Session, subject: AuthSubject, agreement_id: int,
                  data: MilestoneIn) -> AgreementMilestone:
    agreement = _draft(session, subject, agreement_id)
    milestone = _milestone(data, currency_of(session, agreement))
    agreement.milestones.append(milestone)
    _check_milestones(agreement)
    session.flush()
    audit.record(session, action="agreement.milestone_add", target_type="agreement_milestone",
                 target_id=milestone.id, partner_id=agreement.partner_id,
                 after=snapshot(milestone))
    return milestone


def tick_milestone(session: Session, subject: AuthSubject, agreement_id: int,
                   milestone_id: int, done: bool = True) -> AgreementMilestone:
    agreement = repository.get(session, subject, agreement_id)
    milestone = repository.milestone(session, agreement.id, milestone_id)
    require_staff_writer(subject)
    if agreement.state not in states.IN_FORCE:
        raise Conflict(N_("Milestones are ticked while the agreement is in force (signed, "
                          "active or renewed)."), field="state")
    if milestone.metric is not None:
        raise Unprocessable(N_("This milestone is measured from the data; it cannot be ticked "
                               "by hand."), field="done")
    before = snapshot(milestone)
    if done and milestone.done_at is None:
        milestone.done_at, milestone.done_by_id = clock.now(), subject.user_id
        milestone.done_by_label = subject.label
    elif not done:
        milestone.done_at, milestone.done_by_id, milestone.done_by_label = None, None, None
    session.flush()
    old, new = changes(before, snapshot(milestone))
    if new:
        audit.record(session, action="agreement.milestone_tick",
                     target_type="agreement_milestone", target_id=milestone.id,
                     partner_id=agreement.partner_id, before=old, after=new)
    return milestone


def _refuse(agreement: Agreement, action: states.Action) -> None:
    refusal = states.refusal(agreement.state, action)
    if refusal is not None:
        raise Conflict(refusal, field="state")


def _diligence_gate(session: Session, subject: AuthSubject, partner: Partner,
                    override: bool, reason: str | None) -> bool:
    """The due-diligence gate of the pipeline. A candidate not yet at "signed" is moved
    there through the pipeline's own rule; one already there is checked the same way.
    Returns whether open checks were overridden."""
    missing = diligence.open_required(session, partner)
    if partner.stage != "signed":
        partner_service.move_stage(session, subject, partner.id, "signed", reason,
                                   override_diligence=override)
        return bool(missing) and override
    if not missing:
        return False
    if not override:
        locale = get_context(session).locale
        raise Conflict(
            N_("Signing is blocked until the required due-diligence checks are done: "
               "%(items)s."), field="stage",
            items=", ".join(translate(locale, label)
                            for label in diligence.open_labels(session, partner)))
    require_admin(subject)
    if reason is None:
        raise Unprocessable(N_("An override of open due-diligence checks needs a reason."),
                            field="reason")
    audit.record(session, action="partner.diligence_override", target_type="partner",
                 target_id=partner.id, partner_id=partner.id,
                 after={"open_checks": missing}, reason=reason)
    return True


def sign(
    session: Session, subject: AuthSubject, agreement_id: int, *,
    override_diligence: bool = False, reason: str | None = None,
    locale: LocaleCode | None = None, contract_format: Literal["pdf", "docx"] = "pdf",
) -> Agreement:
    """Sign a draft: the partner's required due-diligence checks must be done (or overridden
    by an administrator, with a reason). The partner moves to "signed" in the pipeline, the
    onboarding checklist starts, and the contract is generated (a PDF unless asked for the
    editable DOCX)."""
    agreement = repository.get(session, subject, agreement_id)
    require_staff_writer(subject)
    _refuse(agreement, "sign")
    partner = agreement.partner
    if partner.merged_into_id is not None:
        raise Conflict(N_("%(name)s was merged into another partner; draft the agreement for "
                          "that one."), field="partner_id", name=partner.name)
    other = repository.in_force_for(session, partner.id, agreement.program_id,
                                    exclude_id=agreement.id)
    if other is not None:
        raise Conflict(N_("%(partner)s already has agreement %(id)s in force under this "
                          "program: renew or terminate that one first."), field="state",
                       partner=partner.name, id=other.id)
    reason = _text(reason)
    overridden = _diligence_gate(session, subject, partner, override_diligence, reason)
    before = snapshot(agreement)
    now = clock.now()
    agreement.state, agreement.in_force = "signed", True
    agreement.signed_at, agreement.signed_by_id = now, subject.user_id
    agreement.signed_by_label = subject.label
    try:
        session.flush()
    except IntegrityError:
        # Another signing of this partner and program won the race.
        raise Conflict(N_("%(partner)s already has an agreement in force under this "
                          "program."), field="state", partner=partner.name) from None
    _event(session, subject, agreement, "sign", "draft", reason=reason, override=overridden)
    session.flush()
    _audit_change(session, agreement, "agreement.sign", before, reason)
    onboarding.apply_template(session, agreement, partner, now.date())
    onboarding.sync(session, agreement)
    document = contract.generate(session, subject, agreement, fmt=contract_format,
                                 locale=locale)
    agreement.document_id = document.id
    session.flush()
    return agreement


def activate(session: Session, subject: AuthSubject, agreement_id: int,
             reason: str | None = None) -> Agreement:
    """Put a signed agreement into effect: by hand, or by the daily job once it starts."""
    agreement = repository.get(session, subject, agreement_id)
    require_staff_writer(subject)
    return _activate(session, subject, agreement, _text(reason))


def _activate(session: Session, subject: AuthSubject, agreement: Agreement,
              reason: str | None) -> Agreement:
    _refuse(agreement, "activate")
    before = snapshot(agreement)
    agreement.state, agreement.activated_at = "active", clock.now()
    session.flush()
    _event(session, subject, agreement, "activate", "signed", reason=reason)
    session.flush()
    _audit_change(session, agreement, "agreement.activate", before, reason)
    onboarding.sync(session, agreement)
    return agreement


def renew(session: Session, subject: AuthSubject, agreement_id: int, until: date,
          reason: str | None = None, locale: LocaleCode | None = None) -> Agreement:
    """Extend a running agreement to a new end date; the contract is generated again."""
    agreement = repository.get(session, subject, agreement_id)
    require_staff_writer(subject)
    _refuse(agreement, "renew")
    if until <= agreement.ends_on:
        raise Unprocessable(N_("The new end date must come after the current one "
                               "(%(date)s)."), field="until", date=agreement.ends_on.isoformat())
    before = snapshot(agreement)
    previous, from_state = agreement.ends_on, agreement.state
    agreement.state, agreement.ends_on = "renewed", until
    session.flush()
    reason = _text(reason)
    _event(session, subject, agreement, "renew", from_state, reason=reason,
           previous_ends_on=previous)
    session.flush()
    _audit_change(session, agreement, "agreement.renew", before, reason)
    document = contract.generate(session, subject, agreement, fmt="pdf", locale=locale)
    agreement.document_id = document.id
    session.flush()
    return agreement


def terminate(session: Session, subject: AuthSubject, agreement_id: int,
              reason: str | None) -> Agreement:
    agreement = repository.get(session, subject, agreement_id)
    require_staff_writer(subject)
    _refuse(agreement, "terminate")
    reason = _text(reason)
    if reason is None:
        raise Unprocessable(N_("Say why the agreement ends: a reason is required."),
                            field="reason")
    before = snapshot(agreement)
    from_state = agreement.state
    agreement.state, agreement.in_force = "terminated", None
    agreement.terminated_at, agreement.termination_reason = clock.now(), reason
    session.flush()
    _event(session, subject, agreement, "terminate", from_state, reason=reason)
    session.flush()
    _audit_change(session, agreement, "agreement.terminate", before, reason)
    return agreement


def expiring_agreements(session: Session, now: datetime,
                        within_days: int = states.EXPIRING_DAYS) -> list[Agreement]:
    """Running agreements (active or renewed) that end within ``within_days`` of ``now``,
    soonest first; those already past their end are included."""
    return repository.expiring(session, clock.as_utc(now).date(), within_days)


def activate_due(session: Session, subject: AuthSubject, now: datetime) -> list[Agreement]:
    """For the daily job: signed agreements whose start date has come become active."""
    require_staff_writer(subject)
    due = repository.due_for_activation(session, clock.as_utc(now).date())
    return [_activate(session, subject, agreement, None) for agreement in due]

