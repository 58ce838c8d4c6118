"""Commission plans as data: flat, or tiered by period volume. This module checks and keeps
plans and says them in words; the commissions engine computes with them.

A tiered plan's tiers start at 0 and rise. ``boundary`` "inclusive" means a period volume
equal to a threshold reaches that tier (the guide's "under 100,000 at 15%, at or above at
20%"); "exclusive" means it must exceed it. ``tier_mode`` "whole" pays the reached rate on
the whole period volume, "marginal" pays each band at its own rate.

Rates are exact fractions (``Decimal``, kept as text): "15%" and "15" both mean 0.15; a bare
number below 1 is a fraction ("0.15"). Amounts are minor units of the plan's currency."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any, TypeVarTuple

from babel.numbers import format_percent
from sqlalchemy import Select, false, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import SYSTEM, AuthSubject
from qudao.audit import service as audit
from qudao.audit.snapshot import JSONValue, changes, snapshot
from qudao.core.errors import Conflict, NotFound, Unprocessable
from qudao.core.i18n import N_, LocaleCode, Translator
from qudao.core.money import ROUNDING, check_currency, from_minor, money_context, parse_amount
from qudao.core.money import to_minor as amount_to_minor
from qudao.db.paging import page_of
from qudao.programs import repository as programs
from qudao.programs.models import CommissionPlan, PlanTier, Program
from qudao.programs.plan_schemas import PlanCreate, PlanOut, PlanUpdate, TierOut

Ts = TypeVarTuple("Ts")
KIND_LABELS = {"flat": N_("Flat rate"), "tiered": N_("Tiered by period volume")}
TIER_MODE_LABELS = {"whole": N_("Whole volume at the rate reached"),
                    "marginal": N_("Each band at its own rate (marginal)")}
BOUNDARY_LABELS = {"inclusive": N_("Inclusive: a volume equal to a threshold reaches it"),
                   "exclusive": N_("Exclusive: a volume must exceed a threshold")}
ROUNDING_LABELS = {"half_up": N_("half up"), "half_even": N_("half to even"),
                   "down": N_("down (toward zero)"), "up": N_("up (away from zero)")}
LEVEL_LABELS = {"line": N_("per line"), "statement": N_("per statement")}
PERIOD_LABELS = {"month": N_("calendar month"), "quarter": N_("calendar quarter")}
DEFAULTS: dict[str, Any] = {"kind": "flat", "tier_mode": "whole", "boundary": "inclusive",
                            "rounding_mode": "half_up", "rounding_level": "line",
                            "period": "month"}
CHOICES: dict[str, dict[str, str]] = {
    "kind": KIND_LABELS, "tier_mode": TIER_MODE_LABELS, "boundary": BOUNDARY_LABELS,
    "rounding_mode": ROUNDING_LABELS, "rounding_level": LEVEL_LABELS, "period": PERIOD_LABELS,
}
# A rate is kept to a millionth: 12.3456%.
RATE_PLACES = 6
MAX_TIERS = 20
# Far below the 64-bit columns' limit, far above any real volume.
MAX_MINOR = 10**17

NOT_A_RATE = N_("%(value)s is not a rate; write it as 15%%, 15 or 0.15.")
# Percent signs travel as parameters: a message without any is shown as written.
RATE_RANGE = N_("A rate lies between %(low)s and %(high)s.")
FLAT_RANGE = N_("A flat rate lies above %(low)s and at most %(high)s.")
RATE_PLACES_MESSAGE = N_("A rate may have at most four decimals as a percentage, such as "
                         "%(example)s.")
PERCENTS = {"low": "0%", "high": "100%"}


def parse_rate(value: object, field: str = "rate") -> Decimal:
    """"15%" and "15" are 15%; a bare number below 1 is a fraction (0.15). A JSON float is
    refused, as for amounts."""
    if isinstance(value, bool | float):
        raise Unprocessable(NOT_A_RATE, field=field, value=str(value))
    text = str(value).strip().replace(" ", "")
    percent = text.endswith("%") or text.endswith("％")
    number = text.rstrip("%％")
    try:
        parsed = Decimal(number)
    except InvalidOperation:
        raise Unprocessable(NOT_A_RATE, field=field, value=text) from None
    if not parsed.is_finite():
        raise Unprocessable(NOT_A_RATE, field=field, value=text)
    if parsed and parsed.adjusted() > 3:
        raise Unprocessable(RATE_RANGE, field=field, **PERCENTS)
    with money_context():
        rate = parsed / 100 if percent or parsed >= 1 else parsed
        if rate != rate.quantize(Decimal(1).scaleb(-RATE_PLACES), rounding=ROUND_DOWN):
            raise Unprocessable(RATE_PLACES_MESSAGE, field=field, example="12.3456%")
        return rate.normalize() if rate else Decimal(0)


def percent_of(rate: Decimal) -> Decimal:
    with money_context():
        value = (rate * 100).normalize()
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


# -- reading ------------------------------------------------------------------------------


def scoped(subject: AuthSubject, query: Select[*Ts]) -> Select[*Ts]:
    """Plans are the company's own terms: staff read them, nobody else."""
    return query if subject.is_staff else query.where(false())


def get_plan(session: Session, subject: AuthSubject, plan_id: int) -> CommissionPlan:
    plan = session.scalar(scoped(subject, select(CommissionPlan))
                          .where(CommissionPlan.id == plan_id)
                          .options(selectinload(CommissionPlan.tiers)))
    if plan is None:
        raise NotFound(N_("Commission plan %(id)s was not found."), id=plan_id)
    return plan


def list_plans(
    session: Session, subject: AuthSubject, *, limit: int, offset: int,
    program_id: int | None = None, active: bool | None = None,
) -> tuple[list[CommissionPlan], int]:
    query = scoped(subject, select(CommissionPlan)).options(selectinload(CommissionPlan.tiers))
    if program_id is not None:
        query = query.where(CommissionPlan.program_id == program_id)
    if active is not None:
        query = query.where(CommissionPlan.active.is_(active))
    return page_of(session, query, CommissionPlan.active.desc(), func.lower(CommissionPlan.name),
                   CommissionPlan.id, limit=limit, offset=offset)


def plan_by_name(session: Session, program_id: int, name: str) -> CommissionPlan | None:
    return session.scalar(select(CommissionPlan).where(
        CommissionPlan.program_id == program_id,
        func.lower(CommissionPlan.name) == name.strip().lower()))


# -- the rules ----------------------------------------------------------------------------


def program_for(session: Session, program_id: int | None) -> Program:
    """The program named, or the only one; several programs need a choice."""
    if program_id is not None:
        return programs.get_program(session, SYSTEM, program_id)
    found = programs.list_programs(session, SYSTEM)
    if len(found) == 1:
        return found[0]
    if not found:
        raise Unprocessable(N_("Set up the program first: a commission plan belongs to a "
                               "program."), field="program_id")
    raise Unprocessable(N_("Choose the program this plan belongs to."), field="program_id")


def _amount(value: object, currency: str, field: str) -> int:
    text = value if isinstance(value, int) else str(value).strip()
    minor = amount_to_minor(parse_amount(text, currency, field), currency, field)
    if abs(minor) >= MAX_MINOR:
        raise Unprocessable(N_("This amount is too large."), field=field)
    return minor


def parse_tiers(raw: Sequence[Any], currency: str) -> list[tuple[int, Decimal]]:
    """Tiers as sent ({threshold, rate} each), checked: from 0, rising, rates in range."""
    if not raw:
        raise Unprocessable(N_("A tiered plan needs at least one tier."), field="tiers")
    if len(raw) > MAX_TIERS:
        raise Unprocessable(N_("A plan has at most %(n)s tiers."), field="tiers", n=MAX_TIERS)
    tiers: list[tuple[int, Decimal]] = []
    for index, tier in enumerate(raw):
        threshold = _amount(tier["threshold"], currency, f"tiers.{index}.threshold")
        rate = parse_rate(tier["rate"], f"tiers.{index}.rate")
        if not Decimal(0) <= rate <= Decimal(1):
            raise Unprocessable(RATE_RANGE, field=f"tiers.{index}.rate", **PERCENTS)
        if index == 0 and threshold != 0:
            raise Unprocessable(N_("The first tier starts at 0."),
                                field=f"tiers.{index}.threshold")
        if index > 0 and threshold <= tiers[-1][0]:
            raise Unprocessable(N_("Each tier starts above the one before: the thresholds "
                                   "must rise."), field=f"tiers.{index}.threshold")
        tiers.append((threshold, rate))
    return tiers


def _resolve(session: Session, values: dict[str, Any], program: Program) -> dict[str, Any]:
    """Every field of a plan checked and in stored form; the first fault is refused."""
    name = str(values.get("name") or "").strip()
    if not name:
        raise Unprocessable(N_("A plan needs a name."), field="name")
    currency = check_currency(str(values.get("currency") or program.currency))
    kind = values.get("kind") or DEFAULTS["kind"]
    resolved: dict[str, Any] = {"name": name, "currency": currency, "kind": kind,
                                "flat_rate": None, "tiers": []}
    for key in ("tier_mode", "boundary", "rounding_mode", "rounding_level", "period"):
        choice = values.get(key) or DEFAULTS[key]
        if choice not in CHOICES[key] or (key == "rounding_mode" and choice not in ROUNDING):
            raise Unprocessable(N_("Choose one of the offered options."), field=key)
        resolved[key] = choice
    if kind == "flat":
        if values.get("tiers"):
            raise Unprocessable(N_("A flat plan has no tiers: choose a tiered plan, or remove "
                                   "the tiers."), field="tiers")
        if values.get("flat_rate") in (None, ""):
            raise Unprocessable(N_("A flat plan needs its rate."), field="flat_rate")
        rate = parse_rate(values["flat_rate"], "flat_rate")
        if not Decimal(0) < rate <= Decimal(1):
            raise Unprocessable(FLAT_RANGE, field="flat_rate", **PERCENTS)
        resolved["flat_rate"] = rate
    elif kind == "tiered":
        if values.get("flat_rate") not in (None, ""):
            raise Unprocessable(N_("A tiered plan has no flat rate: its tiers give the rates."),
                                field="flat_rate")
        resolved["tiers"] = parse_tiers(values.get("tiers") or [], currency)
    else:
        raise Unprocessable(N_("Choose one of the offered options."), field="kind")
    minimum = values.get("min_payout")
    resolved["min_payout_minor"] = 0 if minimum in (None, "") else _amount(
        minimum, currency, "min_payout")
    if resolved["min_payout_minor"] < 0:
        raise Unprocessable(N_("The minimum payout cannot be negative."), field="min_payout")
    cap = values.get("cap")
    resolved["cap_minor"] = None if cap in (None, "") else _amount(cap, currency, "cap")
    if resolved["cap_minor"] is not None and (
            resolved["cap_minor"] <= 0 or resolved["cap_minor"] < resolved["min_payout_minor"]):
        raise Unprocessable(N_("The cap must be above 0 and not below the minimum payout."),
                            field="cap")
    skus = [str(s).strip() for s in values.get("excluded_skus") or [] if str(s).strip()]
    resolved["excluded_skus_json"] = (json.dumps(list(dict.fromkeys(skus)), ensure_ascii=False)
                                      if skus else None)
    same = plan_by_name(session, program.id, name)
    if same is not None and same.id != values.get("id"):
        raise Conflict(N_("A plan named %(name)s already exists in this program."),
                       field="name", name=name)
    return resolved


def _write(plan: CommissionPlan, resolved: dict[str, Any]) -> None:
    for key in ("name", "currency", "kind", "flat_rate", "tier_mode", "boundary",
                "rounding_mode", "rounding_level", "period", "min_payout_minor", "cap_minor",
                "excluded_skus_json"):
        setattr(plan, key, resolved[key])


def _state(plan: CommissionPlan) -> dict[str, JSONValue]:
    """The plan for the audit log: its columns and its tiers."""
    state = snapshot(plan)
    state["tiers"] = [[t.threshold_minor, format(t.rate, "f")] for t in plan.tiers]
    return state


def create_plan(session: Session, subject: AuthSubject, data: PlanCreate) -> CommissionPlan:
    require_staff_writer(subject)
    values = data.model_dump(exclude_unset=True)
    program = program_for(session, data.program_id)
    resolved = _resolve(session, values, program)
    plan = CommissionPlan(program_id=program.id, active=True)
    _write(plan, resolved)
    plan.tiers = [PlanTier(threshold_minor=t, rate=r) for t, r in resolved["tiers"]]
    session.add(plan)
    _flush_named(session, resolved["name"])
    audit.record(session, action="plan.create", target_type="commission_plan",
                 target_id=plan.id, after=_state(plan))
    return plan


def _stored(plan: CommissionPlan) -> dict[str, Any]:
    """The plan's fields in the form a caller sends them (amounts, not minor units)."""
    currency = plan.currency

    def amount(minor: int | None) -> str | None:
        return None if minor is None else format(from_minor(minor, currency), "f")

    return {
        "id": plan.id, "name": plan.name, "currency": currency, "kind": plan.kind,
        "flat_rate": None if plan.flat_rate is None else format(plan.flat_rate, "f"),
        "tiers": [{"threshold": amount(t.threshold_minor), "rate": format(t.rate, "f")}
                  for t in plan.tiers],
        "tier_mode": plan.tier_mode, "boundary": plan.boundary,
        "rounding_mode": plan.rounding_mode, "rounding_level": plan.rounding_level,
        "period": plan.period, "min_payout": amount(plan.min_payout_minor),
        "cap": amount(plan.cap_minor), "excluded_skus": plan.excluded_skus,
    }


def update_plan(
    session: Session, subject: AuthSubject, plan_id: int, data: PlanUpdate
) -> CommissionPlan:
    """Changes the fields sent. Switching kind drops what belongs to the other kind unless
    it is sent again; a new currency keeps the amounts' numbers."""
    plan = get_plan(session, subject, plan_id)
    require_staff_writer(subject)
    sent = data.model_dump(exclude_unset=True)
    active = sent.pop("active", None)
    values = _stored(plan)
    if sent.get("kind") == "flat" and "tiers" not in sent:
        values["tiers"] = []
    if sent.get("kind") == "tiered" and "flat_rate" not in sent:
        values["flat_rate"] = None
    values.update(sent)
    program = programs.get_program(session, SYSTEM, plan.program_id)
    resolved = _resolve(session, values, program)
    before = _state(plan)
    _write(plan, resolved)
    if active is not None:
        plan.active = active
    new_tiers = resolved["tiers"]
    if [(t.threshold_minor, t.rate) for t in plan.tiers] != new_tiers:
        # The old rows go first: a new tier may reuse a threshold (one row per threshold).
        plan.tiers.clear()
        session.flush()
        plan.tiers.extend(PlanTier(threshold_minor=t, rate=r) for t, r in new_tiers)
    _flush_named(session, resolved["name"])
    old, new = changes(before, _state(plan))
    if new:
        audit.record(session, action="plan.update", target_type="commission_plan",
                     target_id=plan.id, before=old, after=new)
    return plan


def deactivate_plan(session: Session, subject: AuthSubject, plan_id: int) -> CommissionPlan:
    """An inactive plan stays for the agreements that use it; new ones cannot pick it."""
    return update_plan(session, subject, plan_id, PlanUpdate(active=False))


def _flush_named(session: Session, name: str) -> None:
    try:
        session.flush()
    except IntegrityError:
        # Two requests raced past the name check: the unique key decides, cleanly.
        raise Conflict(N_("A plan named %(name)s already exists in this program."),
                       field="name", name=name) from None


# -- the plan in use and in words -----------------------------------------------------------


def reached_rate(plan: CommissionPlan, volume_minor: int) -> Decimal:
    """The rate of the tier a period volume reaches (a flat plan's rate). The first tier
    holds from 0 whatever the boundary; each later one from its threshold on ("inclusive")
    or from just above it ("exclusive")."""
    if plan.kind == "flat":
        assert plan.flat_rate is not None
        return plan.flat_rate
    reached = plan.tiers[0]
    for tier in plan.tiers[1:]:
        if volume_minor > tier.threshold_minor or (
                plan.boundary == "inclusive" and volume_minor == tier.threshold_minor):
            reached = tier
    return reached.rate


def format_rate(rate: Decimal, locale: LocaleCode) -> str:
    return format_percent(rate, "#,##0.####%", locale=Translator(locale).babel_locale)


def _tier_lines(plan: CommissionPlan, t: Translator) -> list[str]:
    tiers = plan.tiers
    if len(tiers) == 1:
        return [t.gettext(N_("Any volume: %(rate)s"), rate=format_rate(tiers[0].rate, t.locale))]
    inclusive = plan.boundary == "inclusive"
    lines: list[str] = []
    for index, tier in enumerate(tiers):
        rate = format_rate(tier.rate, t.locale)
        start = t.money(from_minor(tier.threshold_minor, plan.currency), plan.currency)
        if index + 1 < len(tiers):
            end = t.money(from_minor(tiers[index + 1].threshold_minor, plan.currency),
                          plan.currency)
        if index == 0:
            message = N_("Below %(end)s: %(rate)s") if inclusive else N_("Up to %(end)s: "
                                                                          "%(rate)s")
            lines.append(t.gettext(message, end=end, rate=rate))
        elif index + 1 < len(tiers):
            message = (N_("From %(start)s to below %(end)s: %(rate)s") if inclusive
                       else N_("Above %(start)s up to %(end)s: %(rate)s"))
            lines.append(t.gettext(message, start=start, end=end, rate=rate))
        else:
            message = N_("From %(start)s: %(rate)s") if inclusive else N_("Above %(start)s: "
                                                                           "%(rate)s")
            lines.append(t.gettext(message, start=start, rate=rate))
    return lines


def describe(plan: CommissionPlan, locale: LocaleCode) -> list[str]:
    """The plan in words, one line per term, in the reader's language: what pages, the CLI
    and generated agreements show."""
    t = Translator(locale)
    if plan.kind == "flat":
        assert plan.flat_rate is not None
        lines = [t.gettext(N_("%(rate)s on every sale"),
                           rate=format_rate(plan.flat_rate, locale))]
    else:
        lines = _tier_lines(plan, t)
        lines.append(t.gettext(N_("The rate reached applies to the whole period volume.")
                               if plan.tier_mode == "whole" else
                               N_("Each band of the period volume is paid at its own rate.")))
    lines.append(t.gettext(N_("Period: %(period)s"),
                           period=t.gettext(PERIOD_LABELS.get(plan.period, plan.period))))
    lines.append(t.gettext(N_("Rounding: %(mode)s, %(level)s"),
                           mode=t.gettext(ROUNDING_LABELS.get(plan.rounding_mode,
                                                              plan.rounding_mode)),
                           level=t.gettext(LEVEL_LABELS.get(plan.rounding_level,
                                                            plan.rounding_level))))
    if plan.min_payout_minor:
        lines.append(t.gettext(N_("Minimum payout: %(amount)s"), amount=t.money(
            from_minor(plan.min_payout_minor, plan.currency), plan.currency)))
    if plan.cap_minor is not None:
        lines.append(t.gettext(N_("At most %(amount)s per period"), amount=t.money(
            from_minor(plan.cap_minor, plan.currency), plan.currency)))
    if plan.excluded_skus:
        lines.append(t.gettext(N_("No commission on: %(skus)s"),
                               skus=", ".join(plan.excluded_skus)))
    return lines


def plan_out(plan: CommissionPlan, locale: LocaleCode) -> PlanOut:
    """The API's shape of a plan, with its description in the reader's language."""
    currency = plan.currency
    return PlanOut(
        id=plan.id, program_id=plan.program_id, name=plan.name, currency=currency,
        kind=plan.kind, flat_rate=plan.flat_rate,
        flat_rate_percent=None if plan.flat_rate is None else percent_of(plan.flat_rate),
        tiers=[TierOut(threshold=from_minor(t.threshold_minor, currency),
                       threshold_minor=t.threshold_minor, rate=t.rate,
                       rate_percent=percent_of(t.rate)) for t in plan.tiers],
        tier_mode=plan.tier_mode, boundary=plan.boundary,
        rounding_mode=plan.rounding_mode,
        rounding_level=plan.rounding_level, period=plan.period,
        min_payout=from_minor(plan.min_payout_minor, currency),
        cap=None if plan.cap_minor is None else from_minor(plan.cap_minor, currency),
        excluded_skus=plan.excluded_skus, active=plan.active,
        description=describe(plan, locale), created_at=plan.created_at,
        updated_at=plan.updated_at)
