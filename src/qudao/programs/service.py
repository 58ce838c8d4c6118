"""Rules of the partner program: the company, its currency and language, the windows that
deals, referrals and the cadence read, the support policy, the MDF budget and the exit
terms. Services flush and audit; the boundary commits."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.audit.snapshot import changes, snapshot
from qudao.core.context import get_context
from qudao.core.errors import Conflict, Unprocessable
from qudao.core.i18n import LOCALES, N_, LocaleCode, coerce_locale
from qudao.core.money import check_currency, from_minor, parse_amount, to_minor
from qudao.partners.types import suggest_types
from qudao.programs import repository
from qudao.programs.models import Program
from qudao.programs.schemas import ProgramCreate, ProgramOut, ProgramUpdate

MAX_DAYS = 3650
DAY_FIELDS = ("protection_days", "attribution_days", "inactivity_days")
DEFAULT_DAYS = {"protection_days": 90, "attribution_days": 90, "inactivity_days": 30}
DEFAULT_ALERT_PCT = 40
TEXT_FIELDS = ("company_profile", "industry", "support_training", "support_marketing",
               "exit_terms")


def default_program(session: Session) -> Program | None:
    """The program that deals and referrals use: the only one, or the lowest id."""
    return repository.default_program(session)


def check_locale(value: str | None) -> LocaleCode:
    found = coerce_locale(value)
    if found is None or found not in LOCALES:
        raise Unprocessable(N_("Choose Chinese (zh-CN) or English (en) as the language."),
                            field="default_locale")
    return found


def check_days(name: str, value: int | None) -> int:
    if value is None or isinstance(value, bool) or not 1 <= value <= MAX_DAYS:
        raise Unprocessable(N_("Give a number of days from 1 to %(max)s."), field=name,
                            max=MAX_DAYS)
    return value


def check_percent(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100:
        raise Unprocessable(N_("Give a whole percentage from 1 to 100."), field=name)
    return value


def mdf_budget(program: Program) -> Decimal | None:
    if program.mdf_budget_minor is None:
        return None
    return from_minor(program.mdf_budget_minor, program.currency)


def program_out(program: Program) -> ProgramOut:
    return ProgramOut(
        id=program.id, name=program.name, company_name=program.company_name,
        company_profile=program.company_profile, industry=program.industry,
        currency=program.currency,
        default_locale=coerce_locale(program.default_locale) or program.default_locale,
        protection_days=program.protection_days, attribution_days=program.attribution_days,
        inactivity_days=program.inactivity_days,
        concentration_alert_pct=program.concentration_alert_pct,
        support_training=program.support_training,
        support_marketing=program.support_marketing, mdf_budget=mdf_budget(program),
        exit_terms=program.exit_terms, created_at=program.created_at,
        updated_at=program.updated_at)


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _budget(raw: object, currency: str) -> int | None:
    if raw is None or raw == "":
        return None
    amount = parse_amount(raw, currency, "mdf_budget")
    if amount < 0:
        raise Unprocessable(N_("The MDF budget cannot be negative."), field="mdf_budget")
    return to_minor(amount, currency, "mdf_budget")


def _apply(program: Program, values: dict[str, object]) -> None:
    """Sets the fields of a create or an update, checked; nothing is set on a refusal."""
    if "company_name" in values:
        company = _text(values["company_name"])
        if company is None:
            raise Unprocessable(N_("Give the company's name."), field="company_name")
        program.company_name = company
    if "currency" in values:
        currency = check_currency(str(values["currency"] or ""))
        if program.mdf_budget_minor is not None and currency != program.currency \
                and "mdf_budget" not in values:
            # The budget keeps its amount in the new currency, if that currency can hold it.
            amount = from_minor(program.mdf_budget_minor, program.currency)
            program.mdf_budget_minor = to_minor(amount, currency, "mdf_budget")
        program.currency = currency
    if "default_locale" in values:
        program.default_locale = check_locale(str(values["default_locale"] or ""))
    for name in DAY_FIELDS:
        if name in values:
            raw = values[name]
            setattr(program, name, check_days(name, raw if isinstance(raw, int) else None))
    if "concentration_alert_pct" in values:
        program.concentration_alert_pct = check_percent(
            "concentration_alert_pct", values["concentration_alert_pct"])
    if "mdf_budget" in values:
        program.mdf_budget_minor = _budget(values["mdf_budget"], program.currency)
    for name in TEXT_FIELDS:
        if name in values:
            setattr(program, name, _text(values[name]))


def _check_name(session: Session, name: str, exclude_id: int | None) -> str:
    name = name.strip()
    if not name:
        raise Unprocessable(N_("A program needs a name."), field="name")
    same = repository.program_by_name(session, name)
    if same is not None and same.id != exclude_id:
        raise Conflict(N_("A program named %(name)s already exists."), field="name", name=name)
    return name


def create_program(session: Session, subject: AuthSubject, data: ProgramCreate) -> Program:
    require_staff_writer(subject)
    name = _check_name(session, data.name, None)
    values = data.model_dump(exclude_unset=True, exclude={"name"})
    # A new program speaks the language of whoever sets it up, unless told otherwise.
    values.setdefault("default_locale", get_context(session).locale)
    for day_field, days in DEFAULT_DAYS.items():
        values.setdefault(day_field, days)
    values.setdefault("concentration_alert_pct", DEFAULT_ALERT_PCT)
    program = Program(name=name, currency=check_currency(data.currency))
    _apply(program, values)
    session.add(program)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(N_("A program named %(name)s already exists."), field="name",
                       name=name) from None
    audit.record(session, action="program.create", target_type="program",
                 target_id=program.id, after=snapshot(program))
    return program


def update_program(
    session: Session, subject: AuthSubject, program_id: int, data: ProgramUpdate
) -> Program:
    program = repository.get_program(session, subject, program_id)
    require_staff_writer(subject)
    before = snapshot(program)
    values = data.model_dump(exclude_unset=True)
    if "name" in values:
        program.name = _check_name(session, str(values.pop("name") or ""), program.id)
    _apply(program, values)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(N_("A program named %(name)s already exists."), field="name",
                       name=program.name) from None
    old, new = changes(before, snapshot(program))
    if new:
        audit.record(session, action="program.update", target_type="program",
                     target_id=program.id, before=old, after=new)
    return program


@dataclass(frozen=True)
class TypeSuggestion:
    """Partner types that fit, why, and whose industry decided it."""

    types: list[str]
    reason: str
    industry: str | None
    # "program": the company's own industry (the guide: choose by *your* industry);
    # "partner": the candidate's, when no program names one; None: neither is known.
    source: str | None


def suggest_partner_types(session: Session, partner_industry: str | None) -> TypeSuggestion:
    """The guide's rule (§2.1): the company's industry decides which partner types fit
    (B2B software → system integrators; consumer goods → distributors). Without a program
    industry, the candidate's own industry is the best clue left."""
    program = repository.default_program(session)
    industry, source = None, None
    if program is not None and program.industry:
        industry, source = program.industry, "program"
    elif partner_industry and partner_industry.strip():
        industry, source = partner_industry.strip(), "partner"
    types, reason = suggest_types(industry)
    return TypeSuggestion(types, reason, industry, source)
