"""Which plan pays each partner in a period: the plan of its agreement with the program that
was in force during the period (the latest one starting, if several were), and the uplift
its partner tier earns."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from qudao.agreements.models import Agreement
from qudao.commissions.periods import Period
from qudao.programs.models import CommissionPlan

# A partner tier names a level (gold, silver…) a plan may add a rate to. Tiers are kept by
# the partner-tier feature, which registers its reader here; until then no partner has one.
TierReader = Callable[[Session, Collection[int]], Mapping[int, str]]


def _no_tiers(session: Session, partner_ids: Collection[int]) -> Mapping[int, str]:
    return {}


tier_reader: TierReader = _no_tiers


def uplift(plan: CommissionPlan, tier: str | None) -> Decimal:
    return plan.tier_uplifts.get(tier, Decimal(0)) if tier else Decimal(0)


def plans_in_force(session: Session, program_id: int, period: Period,
                   ) -> dict[int, CommissionPlan]:
    """Month and quarter runs pay the plans with that period; a custom run pays every plan."""
    rows = session.execute(
        select(Agreement.partner_id, Agreement.plan_id, Agreement.state, Agreement.terminated_at)
        .where(Agreement.program_id == program_id, Agreement.plan_id.is_not(None),
               Agreement.state != "draft", Agreement.starts_on < period.end,
               Agreement.ends_on >= period.start)
        .order_by(Agreement.starts_on, Agreement.id)).all()
    chosen: dict[int, int] = {}
    for partner_id, plan_id, state, terminated_at in rows:
        if state == "terminated" and terminated_at is not None and (
                terminated_at.date() < period.start):
            continue
        if plan_id is not None:
            chosen[partner_id] = plan_id
    plans = {plan.id: plan for plan in session.scalars(
        select(CommissionPlan).where(CommissionPlan.id.in_(set(chosen.values())))
        .options(selectinload(CommissionPlan.tiers)))}
    return {partner_id: plans[plan_id] for partner_id, plan_id in chosen.items()
            if period.kind == "custom" or plans[plan_id].period == period.kind}
