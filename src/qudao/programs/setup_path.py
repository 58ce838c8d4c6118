"""The set-up path of a new company (guide §1): value proposition → goals → catalogue →
commission plans → documents. Each step's state is computed from the data, never ticked."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from qudao.core.i18n import N_
from qudao.documents.kinds import VALUE_PROPOSITION
from qudao.documents.models import GeneratedDocument
from qudao.goals.models import Goal
from qudao.programs import repository
from qudao.programs.models import CommissionPlan, Program


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    description: str
    href: str
    count: int
    # "Versions: %(n)s" and the like: what the count counts.
    count_label: str

    @property
    def done(self) -> bool:
        return self.count > 0


def _count(session: Session, query: Select[int]) -> int:
    return int(session.scalar(query) or 0)


def steps(session: Session, program: Program | None) -> list[Step]:
    """The five steps and how far each is, for ``program`` (none yet: nothing is done)."""
    program_id = program.id if program is not None else None
    versions = repository.version_count(session, program_id) if program_id else 0
    goals = plans = documents = 0
    if program_id is not None:
        goals = _count(session, select(func.count()).select_from(Goal).where(
            Goal.program_id == program_id, Goal.archived_at.is_(None)))
        plans = _count(session, select(func.count()).select_from(CommissionPlan).where(
            CommissionPlan.program_id == program_id, CommissionPlan.active.is_(True)))
        # Legal documents made for this program, or for no program in particular; the
        # value proposition has its own step.
        documents = _count(session, select(func.count()).select_from(GeneratedDocument).where(
            or_(GeneratedDocument.program_id == program_id,
                GeneratedDocument.program_id.is_(None)),
            GeneratedDocument.kind != VALUE_PROPOSITION))
    products = repository.product_count(session, active_only=True)
    return [
        Step("value_proposition", N_("Value proposition"),
             N_("The pain points your product solves, its unique selling point, proof points "
                "such as “saves retailers 20% of logistics cost”, competitors and a SWOT "
                "analysis: the business card partners see."),
             "/program/value-proposition", versions, N_("Versions: %(n)s")),
        Step("goals", N_("Goals"),
             N_("SMART goals, measured from the data: for example 100 new customers through "
                "partners within 6 months."),
             "/goals", goals, N_("Goals: %(n)s")),
        Step("catalogue", N_("Product catalogue"),
             N_("Products with their features, price list and use cases, for the product "
                "handbook and for the deals partners register."),
             "/program/catalogue", products, N_("Products on sale: %(n)s")),
        Step("plans", N_("Commission plans"),
             N_("How partners earn: a flat rate, or tiers such as 15% below 100,000 and 20% "
                "above."),
             "/program/plans", plans, N_("Active plans: %(n)s")),
        Step("documents", N_("Documents"),
             N_("The NDA, the letter of intent and the partner agreement, filled from the "
                "data."),
             "/program/documents", documents, N_("Documents made: %(n)s")),
    ]
