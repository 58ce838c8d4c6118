"""The placeholders of a document: the program, the partner, the commission plan and the
agreement's terms, as plain values already formatted for the document's language (dates,
money and percentages per locale). Plain values hash the same way every time, and a
template cannot reach a database object through them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel import dates, numbers

from qudao.core import clock
from qudao.core.i18n import N_, LocaleCode, Translator, translate
from qudao.core.money import from_minor
from qudao.partners.models import Partner
from qudao.partners.types import PARTNER_TYPES
from qudao.programs.models import CommissionPlan, Program
from qudao.programs.plans import KIND_LABELS, LEVEL_LABELS, PERIOD_LABELS, ROUNDING_LABELS

Context = dict[str, Any]
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")

TIER_MODE_TEXT = {
    "whole": N_("The rate of the tier reached applies to the whole volume of the period."),
    "marginal": N_("Each band of the period's volume earns its own rate."),
}
BOUNDARY_TEXT = {
    "inclusive": N_("A volume equal to a threshold reaches that tier."),
    "exclusive": N_("A volume must exceed a threshold to reach that tier."),
}
FIRST_BAND = N_("below %(upper)s")
FIRST_BAND_EXCLUSIVE = N_("up to %(upper)s")
MIDDLE_BAND_INCLUSIVE = N_("from %(lower)s to below %(upper)s")
MIDDLE_BAND_EXCLUSIVE = N_("above %(lower)s up to %(upper)s")
LAST_BAND_INCLUSIVE = N_("%(lower)s and above")
LAST_BAND_EXCLUSIVE = N_("above %(lower)s")
ONLY_BAND = N_("any volume")
ROUNDING = N_("Commission is rounded %(mode)s, %(level)s.")

# The agreement's terms, as the agreements domain passes them (already formatted).
AGREEMENT_DEFAULTS: dict[str, Any] = {
    "territory": "", "starts_on": "", "ends_on": "", "exclusive": None, "exclusivity": "",
    "partner_type": "", "kpis": [], "milestones": [], "ip_clause": "",
    "termination_terms": "",
}


class Formats:
    """Dates, money and percentages in the document's language."""

    def __init__(self, locale: LocaleCode) -> None:
        self.locale = locale
        self.translator = Translator(locale)
        self.babel = self.translator.babel_locale

    def text(self, message: str, **params: object) -> str:
        return translate(self.locale, message, **params)

    def date(self, value: date | datetime) -> str:
        return str(dates.format_date(value, "long", locale=self.babel))

    def money_minor(self, minor: int, currency: str) -> str:
        return self.translator.money(from_minor(minor, currency), currency)

    def percent(self, rate: Decimal) -> str:
        return str(numbers.format_percent(rate, "#,##0.####%", locale=self.babel))


def program_values(program: Program, f: Formats) -> tuple[Context, Context]:
    company = {"name": program.company_name, "profile": program.company_profile or "",
               "industry": program.industry or ""}
    values = {
        "name": program.name,
        "currency": program.currency,
        "support_training": program.support_training or "",
        "support_marketing": program.support_marketing or "",
        "mdf_budget": (f.money_minor(program.mdf_budget_minor, program.currency)
                       if program.mdf_budget_minor is not None else ""),
        "exit_terms": program.exit_terms or "",
        "protection_days": program.protection_days,
        "attribution_days": program.attribution_days,
    }
    return company, values


def partner_values(partner: Partner, f: Formats) -> Context:
    contacts = [{"name": c.name, "role": c.role or "", "email": c.email or "",
                 "phone": c.phone or ""} for c in partner.contacts]
    kind = partner.partner_type
    return {
        "name": partner.name,
        "country": partner.country or "",
        "region": partner.region or "",
        "website": partner.website or "",
        "industry": partner.industry or "",
        "partner_type": f.text(PARTNER_TYPES[kind]) if kind in PARTNER_TYPES else kind or "",
        "contacts": contacts,
        "contact": contacts[0] if contacts else None,
    }


def band(index: int, thresholds: list[int], labels: list[str], inclusive: bool,
         f: Formats) -> str:
    """The volumes a tier covers, in words: "below ¥100,000.00", "¥100,000.00 and above"."""
    last = index == len(thresholds) - 1
    if thresholds[index] == 0 and last:
        return f.text(ONLY_BAND)
    if thresholds[index] == 0:
        return f.text(FIRST_BAND if inclusive else FIRST_BAND_EXCLUSIVE, upper=labels[1])
    if last:
        return f.text(LAST_BAND_INCLUSIVE if inclusive else LAST_BAND_EXCLUSIVE,
                      lower=labels[index])
    return f.text(MIDDLE_BAND_INCLUSIVE if inclusive else MIDDLE_BAND_EXCLUSIVE,
                  lower=labels[index], upper=labels[index + 1])


def plan_values(plan: CommissionPlan, f: Formats) -> Context:
    currency = plan.currency
    tiers = sorted(plan.tiers, key=lambda t: t.threshold_minor)
    thresholds = [f.money_minor(t.threshold_minor, currency) for t in tiers]
    inclusive = plan.boundary != "exclusive"
    minors = [t.threshold_minor for t in tiers]
    tier_rows = [{"threshold": thresholds[i], "rate": f.percent(tier.rate),
                  "band": band(i, minors, thresholds, inclusive, f)}
                 for i, tier in enumerate(tiers)]
    tiered = plan.kind == "tiered"
    return {
        "name": plan.name,
        "currency": currency,
        "kind": plan.kind,
        "kind_label": f.text(KIND_LABELS.get(plan.kind, plan.kind)),
        "tiered": tiered,
        "flat_rate": f.percent(plan.flat_rate) if plan.flat_rate is not None else "",
        "tiers": tier_rows if tiered else [],
        "tier_mode": plan.tier_mode,
        "tier_mode_text": f.text(TIER_MODE_TEXT[plan.tier_mode])
        if plan.tier_mode in TIER_MODE_TEXT else plan.tier_mode,
        "boundary": plan.boundary,
        "boundary_text": f.text(BOUNDARY_TEXT[plan.boundary])
        if plan.boundary in BOUNDARY_TEXT else plan.boundary,
        "rounding_text": f.text(ROUNDING,
                                mode=f.text(ROUNDING_LABELS.get(plan.rounding_mode,
                                                              plan.rounding_mode)),
                                level=f.text(LEVEL_LABELS.get(plan.rounding_level,
                                                            plan.rounding_level))),
        "period": plan.period,
        "period_text": f.text(PERIOD_LABELS[plan.period])
        if plan.period in PERIOD_LABELS else plan.period,
        "min_payout": f.money_minor(plan.min_payout_minor, currency)
        if plan.min_payout_minor else "",
        "cap": f.money_minor(plan.cap_minor, currency) if plan.cap_minor is not None else "",
    }


def plain(value: object, f: Formats) -> Any:
    """A caller's value as plain data: dates formatted, Decimals as text, nothing else
    than str, int, bool, None, lists and string-keyed dicts."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime | date):
        return f.date(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Mapping):
        return {str(k): plain(v, f) for k, v in value.items() if _KEY.match(str(k))}
    if isinstance(value, list | tuple):
        return [plain(item, f) for item in value]
    return str(value)


def build_context(
    *, locale: LocaleCode, program: Program, partner: Partner | None = None,
    plan: CommissionPlan | None = None, extra: Mapping[str, object] | None = None,
    today: date | None = None,
) -> Context:
    f = Formats(locale)
    day = today or clock.now().date()
    company, program_context = program_values(program, f)
    agreement = dict(AGREEMENT_DEFAULTS)
    given = plain(dict(extra or {}), f)
    assert isinstance(given, dict)
    agreement.update(given)
    return {
        "language": locale,
        "today": f.date(day),
        "today_iso": day.isoformat(),
        "company": company,
        "program": program_context,
        "partner": partner_values(partner, f) if partner is not None else None,
        "plan": plan_values(plan, f) if plan is not None else None,
        "agreement": agreement,
    }
