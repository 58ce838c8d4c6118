"""Builders for the pipeline and screening page tests: candidates made through the real
service, and the forms the candidate page posts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from qudao.accounts.subject import SYSTEM
from qudao.audit.models import AuditEntry
from qudao.db.session import Database
from qudao.partners import service
from qudao.partners.models import Partner, StageEvent
from qudao.partners.schemas import PartnerCreate
from qudao.screening.models import DiligenceItem, Evaluation, Rubric

CRITERIA = ("market_coverage", "resource_match", "reputation", "culture_fit")
# The guide's own table: 8, 7, 9, 6 scores 7.5 and passes.
GUIDE_RATINGS = (8, 7, 9, 6)


def make_candidate(db: Database, name: str, **fields: Any) -> int:
    with db.unit_of_work() as session:
        data = PartnerCreate(name=name, allow_similar=True, **fields)
        return service.create_partner(session, SYSTEM, data).id


def rating_form(evaluator: str, ratings: tuple[float, ...], notes: str = "") -> dict[str, str]:
    """The evaluation form of the candidate page, filled in."""
    form = {f"rating_{key}": str(value) for key, value in zip(CRITERIA, ratings, strict=True)}
    return {**form, "evaluator": evaluator, "notes": notes}


def stage_of(db: Database, partner_id: int) -> str:
    with db.unit_of_work(read_only=True) as session:
        partner = session.get(Partner, partner_id)
        assert partner is not None
        return partner.stage


def written(db: Database) -> dict[str, int]:
    """Row counts of everything the candidate pages write: a refused form changes none."""
    counts: dict[str, int] = {}
    with db.unit_of_work(read_only=True) as session:
        for model in (Partner, StageEvent, Evaluation, DiligenceItem, Rubric, AuditEntry):
            counts[model.__name__] = int(session.scalar(
                select(func.count()).select_from(model)) or 0)
    return counts
