"""Scorecards and checklists as API shapes, in the reader's language."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from qudao.core.i18n import LocaleCode, translate
from qudao.partners.models import Partner
from qudao.screening import diligence, rubrics
from qudao.screening.models import DiligenceItem, Rubric
from qudao.screening.schemas import (
    CriterionOut,
    CriterionScoreOut,
    DiligenceItemOut,
    DiligenceOut,
    EvaluatorOut,
    RankedOut,
    RubricOut,
    ScorecardOut,
)
from qudao.screening.scoring import to_decimal
from qudao.screening.service import Scorecard, evaluator_names


def rubric_out(rubric: Rubric, locale: LocaleCode) -> RubricOut:
    return RubricOut(
        id=rubric.id, family=rubric.family, version=rubric.version, name=rubric.name,
        threshold=Decimal(rubric.threshold_centi) / 100, scale_max=rubric.scale_max,
        shortlist_size=rubric.shortlist_size,
        large_company_employees=rubric.large_company_employees, is_current=rubric.is_current,
        criteria=[CriterionOut(key=c.key, label=rubrics.label(c, locale), label_en=c.label_en,
                               label_zh=c.label_zh, weight_percent=Decimal(c.weight_bp) / 100)
                  for c in rubric.criteria],
    )


def reason_text(card: Scorecard, locale: LocaleCode) -> str | None:
    if card.reason is None:
        return None
    message, params = card.reason
    return translate(locale, message, **params)


def scorecard_out(session: Session, card: Scorecard, locale: LocaleCode) -> ScorecardOut:
    labels = {c.key: rubrics.label(c, locale) for c in card.rubric.criteria}
    flag = diligence.size_flag(session, card.partner)
    names = evaluator_names(session, [e.evaluator_id for e in card.evaluations])
    return ScorecardOut(
        partner_id=card.partner.id, partner=card.partner.name, rubric_id=card.rubric.id,
        rubric_version=card.rubric.version, total=card.total, exact_total=card.exact_total,
        threshold=card.threshold_shown, passes=card.passes, complete=card.score.complete,
        reason=reason_text(card, locale),
        criteria=[CriterionScoreOut(
            key=r.key, label=labels[r.key], weight_percent=Decimal(r.weight_bp) / 100,
            mean=None if r.mean is None else to_decimal(r.mean, 2), evaluators=r.count,
            contribution=to_decimal(r.contribution, 2)) for r in card.score.criteria],
        evaluations=[EvaluatorOut(
            evaluator_id=e.evaluator_id, evaluator=names.get(e.evaluator_id, "?"),
            ratings={r.criterion_key: Decimal(r.value_centi) / 100 for r in e.ratings},
            notes=e.notes) for e in card.evaluations],
        size_flag=translate(locale, flag) if flag else None,
    )


def ranked_out(cards: list[Scorecard], locale: LocaleCode) -> list[RankedOut]:
    return [RankedOut(rank=i, partner_id=c.partner.id, partner=c.partner.name,
                      stage=c.partner.stage, total=c.total, passes=c.passes,
                      reason=reason_text(c, locale), evaluators=len(c.evaluations))
            for i, c in enumerate(cards, start=1)]


def item_label(item: DiligenceItem, locale: LocaleCode) -> str:
    return translate(locale, item.label) if item.from_template else item.label


def diligence_out(session: Session, partner: Partner, items: list[DiligenceItem],
                  locale: LocaleCode) -> DiligenceOut:
    open_required = [i.key for i in items if i.required and i.status != "done"]
    flag = diligence.size_flag(session, partner)
    return DiligenceOut(
        partner_id=partner.id, complete=not open_required, open_required=open_required,
        size_flag=translate(locale, flag) if flag else None,
        items=[DiligenceItemOut(
            key=i.key, category=i.category, label=item_label(i, locale),
            question=translate(locale, i.question) if i.question and i.from_template
            else i.question, answer=i.answer, required=i.required, status=i.status,
            evidence=i.evidence, checked_on=i.checked_on) for i in items],
    )
