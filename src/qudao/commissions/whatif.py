"""What-if: a plan with other rates, thresholds or tier mode applied to past periods, beside
the plan as it is, per partner and in total, without posting anything. Projections cover
sales; refunds follow the commissions they reverse and are left out of both columns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff
from qudao.accounts.subject import AuthSubject
from qudao.commissions.engine import Sale, Terms, Tier, compute
from qudao.commissions.periods import parse_period
from qudao.commissions.plans_in_force import plans_in_force, tier_reader, uplift
from qudao.commissions.rates import RateBook
from qudao.commissions.sources import period_sources
from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_
from qudao.deals import repository as deals
from qudao.programs import plans
from qudao.programs.models import CommissionPlan

MAX_PERIODS = 24


@dataclass
class Projection:
    partner_id: int
    partner_name: str
    volume_minor: int = 0
    current_minor: int = 0
    proposed_minor: int = 0

    @property
    def change_minor(self) -> int:
        return self.proposed_minor - self.current_minor

    @property
    def current_margin_minor(self) -> int:
        return self.volume_minor - self.current_minor

    @property
    def proposed_margin_minor(self) -> int:
        return self.volume_minor - self.proposed_minor


@dataclass
class WhatIf:
    plan: CommissionPlan
    proposed: Terms
    periods: list[str]
    rows: list[Projection]
    total: Projection
    # Sales left out for want of an exchange rate.
    unconverted: int


def proposed_terms(plan: CommissionPlan, changes: dict[str, Any]) -> Terms:
    """The plan's terms with the changes sent: ``flat_rate``, ``tiers``, ``tier_mode``,
    ``boundary``. A flat plan given tiers becomes tiered, and the reverse."""
    terms = Terms.of_plan(plan)
    if changes.get("flat_rate") not in (None, ""):
        rate = plans.parse_rate(changes["flat_rate"], "flat_rate")
        if not 0 < rate <= 1:
            raise Unprocessable(plans.FLAT_RANGE, field="flat_rate", **plans.PERCENTS)
        terms = replace(terms, kind="flat", tiers=(Tier(0, rate),))
    elif changes.get("tiers"):
        tiers = plans.parse_tiers(changes["tiers"], plan.currency)
        terms = replace(terms, kind="tiered", tiers=tuple(Tier(t, r) for t, r in tiers))
    for key in ("tier_mode", "boundary"):
        value = changes.get(key)
        if value not in (None, ""):
            if value not in plans.CHOICES[key]:
                raise Unprocessable(N_("Choose one of the offered options."), field=key)
            terms = replace(terms, **{key: value})
    return terms


def what_if(session: Session, subject: AuthSubject, *, plan_id: int, periods: Sequence[str],
            changes: dict[str, Any]) -> WhatIf:
    require_staff(subject)
    plan = plans.get_plan(session, subject, plan_id)
    if not periods:
        raise Unprocessable(N_("Choose at least one past period."), field="periods")
    if len(periods) > MAX_PERIODS:
        raise Unprocessable(N_("Compare at most %(n)s periods at once."), field="periods",
                            n=MAX_PERIODS)
    parsed = [parse_period(p) for p in dict.fromkeys(periods)]
    proposed = proposed_terms(plan, changes)
    book = RateBook.load(session)
    rows: dict[int, Projection] = {}
    unconverted = 0
    for period in parsed:
        # Every period length: the plan's own period decides only which runs pay it.
        in_force = plans_in_force(session, plan.program_id, replace(period, kind="custom"))
        partner_ids = {p for p, found in in_force.items() if found.id == plan.id}
        tiers = tier_reader(session, partner_ids)
        sources = period_sources(session, plan.program_id, period, partner_ids)
        for partner_id in partner_ids:
            extra = uplift(plan, tiers.get(partner_id))
            sales: list[Sale] = []
            for source in sources.get(partner_id, []):
                if source.kind != "sale":
                    continue
                converted = book.convert(source.amount_minor, source.currency, plan.currency,
                                         source.day)
                if converted is None:
                    unconverted += 1
                    continue
                sales.append(Sale(source.key, converted.minor, source.sku))
            row = rows.setdefault(partner_id, Projection(partner_id, ""))
            row.volume_minor += sum(s.base_minor for s in sales
                                    if s.sku not in proposed.excluded_skus)
            row.current_minor += sum(line.minor for line in compute(
                Terms.of_plan(plan, extra), sales))
            row.proposed_minor += sum(line.minor for line in compute(
                proposed.with_uplift(extra), sales))
    names = deals.partner_names(session, set(rows))
    for row in rows.values():
        row.partner_name = names.get(row.partner_id, str(row.partner_id))
    ordered = sorted(rows.values(), key=lambda r: (-r.volume_minor, r.partner_name))
    total = Projection(0, "", sum(r.volume_minor for r in ordered),
                       sum(r.current_minor for r in ordered),
                       sum(r.proposed_minor for r in ordered))
    return WhatIf(plan, proposed, [p.key for p in parsed], ordered, total, unconverted)
