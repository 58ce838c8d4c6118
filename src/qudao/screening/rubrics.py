"""Rubrics: the guide's default (market coverage 30%, resource match 30%, reputation 20%,
culture fit 20%, threshold 7), and new versions when one is edited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.accounts.policy import require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.core import clock
from qudao.core.errors import NotFound, Unprocessable
from qudao.core.i18n import N_, LocaleCode
from qudao.screening.models import Criterion, Rubric
from qudao.screening.scoring import WHOLE_BP, CriterionWeight, check_weights

DEFAULT_FAMILY = "default"


@dataclass(frozen=True)
class CriterionSpec:
    key: str
    label_en: str
    label_zh: str
    weight_percent: Decimal


DEFAULT_CRITERIA = (
    CriterionSpec("market_coverage", "Market coverage", "市场覆盖", Decimal(30)),
    CriterionSpec("resource_match", "Resource match", "资源匹配", Decimal(30)),
    CriterionSpec("reputation", "Reputation", "声誉", Decimal(20)),
    CriterionSpec("culture_fit", "Culture fit", "文化契合", Decimal(20)),
)
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


def label(criterion: Criterion, locale: LocaleCode) -> str:
    return criterion.label_zh if locale == "zh-CN" else criterion.label_en


def current(session: Session, family: str = DEFAULT_FAMILY) -> Rubric:
    """The rubric in use, created from the guide's defaults on first use."""
    rubric = session.scalar(select(Rubric).where(Rubric.family == family,
                                                 Rubric.is_current.is_(True)))
    if rubric is not None:
        return rubric
    if family != DEFAULT_FAMILY:
        raise NotFound(N_("Rubric %(family)s was not found."), family=family)
    rubric = _build(family, 1, "Partner fit (default)", Decimal(7), 5, 1000, DEFAULT_CRITERIA,
                    None)
    session.add(rubric)
    session.flush()
    audit.record(session, action="rubric.create", target_type="rubric", target_id=rubric.id,
                 after=describe(rubric))
    return rubric


def get(session: Session, rubric_id: int) -> Rubric:
    rubric = session.get(Rubric, rubric_id)
    if rubric is None:
        raise NotFound(N_("Rubric %(id)s was not found."), id=rubric_id)
    return rubric


def versions(session: Session, family: str = DEFAULT_FAMILY) -> list[Rubric]:
    return list(session.scalars(select(Rubric).where(Rubric.family == family)
                                .order_by(Rubric.version.desc())))


def _percent_to_bp(value: Decimal) -> int:
    bp = value * 100
    if bp != bp.to_integral_value():
        raise Unprocessable(N_("Weights may have at most two decimal places."), field="weights")
    return int(bp)


def _build(
    family: str, version: int, name: str, threshold: Decimal, shortlist_size: int,
    large_company_employees: int, criteria: tuple[CriterionSpec, ...] | list[CriterionSpec],
    created_by_id: int | None,
) -> Rubric:
    rubric = Rubric(family=family, version=version, name=name,
                    threshold_centi=int(threshold * 100), scale_max=10,
                    shortlist_size=shortlist_size,
                    large_company_employees=large_company_employees, is_current=True,
                    created_at=clock.now(), created_by_id=created_by_id)
    rubric.criteria = [
        Criterion(key=c.key, label_en=c.label_en, label_zh=c.label_zh,
                  weight_bp=_percent_to_bp(c.weight_percent), position=i)
        for i, c in enumerate(criteria)
    ]
    return rubric


def validate(criteria: list[CriterionSpec], threshold: Decimal, shortlist_size: int,
             large_company_employees: int) -> None:
    keys = [c.key for c in criteria]
    for key in keys:
        if not KEY_PATTERN.match(key):
            raise Unprocessable(N_("%(key)s is not a valid criterion key: use lower-case "
                                   "letters, digits and _."), field="criteria", key=key)
    if len(set(keys)) != len(keys):
        raise Unprocessable(N_("Each criterion key may appear once."), field="criteria")
    weights = [CriterionWeight(c.key, _percent_to_bp(c.weight_percent)) for c in criteria]
    try:
        check_weights(weights)
    except ValueError:
        total = sum((c.weight_percent for c in criteria), Decimal(0))
        raise Unprocessable(N_("The weights must sum to 100%%; they sum to %(total)s%%."),
                            field="weights", total=f"{total:f}") from None
    if not Decimal(0) <= threshold <= Decimal(10) or threshold * 100 != int(threshold * 100):
        raise Unprocessable(N_("The threshold must lie between 0 and 10, with at most two "
                               "decimals."), field="threshold")
    if not 1 <= shortlist_size <= 50:
        raise Unprocessable(N_("The shortlist holds between 1 and 50 candidates."),
                            field="shortlist_size")
    if large_company_employees < 1:
        raise Unprocessable(N_("The large-company head-count must be at least 1."),
                            field="large_company_employees")


def new_version(
    session: Session, subject: AuthSubject, *, criteria: list[CriterionSpec],
    threshold: Decimal, shortlist_size: int, large_company_employees: int,
    name: str | None = None, family: str = DEFAULT_FAMILY,
) -> Rubric:
    """Editing a rubric makes a new version; evaluations made under the old one keep it."""
    require_staff_writer(subject)
    validate(criteria, threshold, shortlist_size, large_company_employees)
    old = current(session, family)
    old.is_current = False
    session.flush()
    rubric = _build(family, old.version + 1, name or old.name, threshold, shortlist_size,
                    large_company_employees, criteria, subject.user_id)
    session.add(rubric)
    session.flush()
    audit.record(session, action="rubric.version", target_type="rubric", target_id=rubric.id,
                 before=describe(old), after=describe(rubric))
    return rubric


def describe(rubric: Rubric) -> dict[str, object]:
    return {
        "family": rubric.family, "version": rubric.version, "name": rubric.name,
        "threshold": f"{Decimal(rubric.threshold_centi) / 100:.2f}",
        "shortlist_size": rubric.shortlist_size,
        "large_company_employees": rubric.large_company_employees,
        "criteria": [{"key": c.key, "label_en": c.label_en, "label_zh": c.label_zh,
                      "weight": f"{Decimal(c.weight_bp) / 100:f}"} for c in rubric.criteria],
    }


def parse_percent(value: str) -> Decimal:
    try:
        parsed = Decimal(value.strip().rstrip("%"))
    except InvalidOperation:
        raise Unprocessable(N_("%(value)s is not a percentage."), field="weights",
                            value=value) from None
    return parsed


assert sum(int(c.weight_percent) for c in DEFAULT_CRITERIA) * 100 == WHOLE_BP
