"""Evaluations, scorecards, ranking and the shortlist."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from qudao.accounts import repository as accounts
from qudao.accounts.models import User
from qudao.accounts.policy import require_staff, require_staff_writer
from qudao.accounts.subject import AuthSubject
from qudao.audit import service as audit
from qudao.core.errors import Unprocessable
from qudao.core.i18n import N_
from qudao.partners import repository as partners
from qudao.partners.models import Partner
from qudao.screening import rubrics
from qudao.screening.models import DiligenceItem, Evaluation, Rating, Rubric
from qudao.screening.scoring import CriterionWeight, Score, score, shown, to_decimal

EXCLUDED_REASON = N_("score %(score)s < %(threshold)s")


@dataclass(frozen=True)
class Scorecard:
    partner: Partner
    rubric: Rubric
    score: Score
    evaluations: list[Evaluation]

    @property
    def threshold(self) -> Fraction:
        return Fraction(self.rubric.threshold_centi, 100)

    @property
    def passes(self) -> bool:
        return self.score.total >= self.threshold

    @property
    def total(self) -> Decimal:
        """The total as shown: one decimal, unless that would blur the threshold."""
        return shown(self.score.total, self.threshold)

    @property
    def exact_total(self) -> Decimal:
        return to_decimal(self.score.total, 4)

    @property
    def threshold_shown(self) -> Decimal:
        return to_decimal(self.threshold, 1)

    @property
    def reason(self) -> tuple[str, dict[str, object]] | None:
        """Why the candidate is excluded, as a message and its values, or None."""
        if self.passes:
            return None
        return EXCLUDED_REASON, {"score": f"{self.total:f}",
                                 "threshold": f"{self.threshold_shown:f}"}


def parse_rating(value: object, scale_max: int, key: str) -> int:
    """A rating in hundredths: "8", "8.5", "8/10" and 8 are all accepted."""
    text = str(value).strip()
    if "/" in text:
        text, _, denominator = text.partition("/")
        if denominator.strip() not in ("", str(scale_max)):
            raise Unprocessable(N_("%(key)s: rate on a scale of 0 to %(max)s."), field=key,
                                key=key, max=scale_max)
    try:
        rating = Decimal(text.strip())
    except InvalidOperation:
        raise Unprocessable(N_("%(key)s: %(value)s is not a number."), field=key, key=key,
                            value=str(value)) from None
    if not rating.is_finite() or not Decimal(0) <= rating <= Decimal(scale_max):
        raise Unprocessable(N_("%(key)s: rate on a scale of 0 to %(max)s."), field=key, key=key,
                            max=scale_max)
    centi = rating * 100
    if centi != centi.to_integral_value():
        raise Unprocessable(N_("%(key)s: ratings have at most two decimals."), field=key,
                            key=key)
    return int(centi)


def rate(
    session: Session, subject: AuthSubject, partner_id: int, *, evaluator_email: str | None,
    ratings: dict[str, object], notes: str | None = None,
) -> Evaluation:
    """Record (or replace) one evaluator's ratings under the current rubric."""
    partner = partners.get(session, subject, partner_id)
    require_staff_writer(subject)
    if evaluator_email:
        evaluator = accounts.user_by_email(session, evaluator_email)
        if evaluator is None or not evaluator.role.is_staff:
            raise Unprocessable(N_("The evaluator must be a staff user: %(email)s is not."),
                                field="evaluator", email=evaluator_email)
        evaluator_id = evaluator.id
    elif subject.user_id is not None:
        evaluator_id = subject.user_id
    else:
        raise Unprocessable(N_("Name the evaluator (a staff user's e-mail)."), field="evaluator")
    rubric = rubrics.current(session)
    keys = [c.key for c in rubric.criteria]
    unknown = sorted(set(ratings) - set(keys))
    if unknown:
        raise Unprocessable(N_("Unknown criteria %(keys)s; this rubric has %(known)s."),
                            field="ratings", keys=", ".join(unknown), known=", ".join(keys))
    missing = [k for k in keys if k not in ratings]
    if missing:
        raise Unprocessable(N_("Rate every criterion; missing: %(keys)s."), field="ratings",
                            keys=", ".join(missing))
    values = {k: parse_rating(ratings[k], rubric.scale_max, k) for k in keys}
    evaluation = session.scalar(select(Evaluation).where(
        Evaluation.partner_id == partner.id, Evaluation.rubric_id == rubric.id,
        Evaluation.evaluator_id == evaluator_id))
    before = None if evaluation is None else _describe(evaluation)
    if evaluation is None:
        evaluation = Evaluation(partner_id=partner.id, rubric_id=rubric.id,
                                evaluator_id=evaluator_id)
        session.add(evaluation)
    evaluation.notes = (notes or "").strip() or None
    by_key = {r.criterion_key: r for r in evaluation.ratings}
    for key, centi in values.items():
        if key in by_key:
            by_key[key].value_centi = centi
        else:
            evaluation.ratings.append(Rating(criterion_key=key, value_centi=centi))
    session.flush()
    audit.record(session, action="screening.rate", target_type="evaluation",
                 target_id=evaluation.id, partner_id=partner.id, before=before,
                 after=_describe(evaluation))
    return evaluation


def _describe(evaluation: Evaluation) -> dict[str, object]:
    return {"rubric_id": evaluation.rubric_id, "evaluator_id": evaluation.evaluator_id,
            "notes": evaluation.notes,
            "ratings": {r.criterion_key: f"{Decimal(r.value_centi) / 100:f}"
                        for r in evaluation.ratings}}


def _evaluations(session: Session, partner_ids: list[int]) -> dict[int, list[Evaluation]]:
    found: dict[int, list[Evaluation]] = {pid: [] for pid in partner_ids}
    if not partner_ids:
        return found
    for evaluation in session.scalars(select(Evaluation)
                                      .where(Evaluation.partner_id.in_(partner_ids))
                                      .order_by(Evaluation.id)):
        found[evaluation.partner_id].append(evaluation)
    return found


def _card(session: Session, partner: Partner, evaluations: list[Evaluation],
          rubric_cache: dict[int, Rubric]) -> Scorecard:
    """A candidate is scored under the newest rubric version it was evaluated with."""
    if evaluations:
        rubric_id = max(e.rubric_id for e in evaluations)
        rubric = rubric_cache.get(rubric_id) or rubrics.get(session, rubric_id)
        rubric_cache[rubric_id] = rubric
        used = [e for e in evaluations if e.rubric_id == rubric_id]
    else:
        rubric = rubrics.current(session)
        used = []
    weights = [CriterionWeight(c.key, c.weight_bp) for c in rubric.criteria]
    ratings = [{r.criterion_key: Fraction(r.value_centi, 100) for r in e.ratings} for e in used]
    return Scorecard(partner=partner, rubric=rubric, score=score(weights, ratings),
                     evaluations=used)


def scorecard(session: Session, subject: AuthSubject, partner_id: int) -> Scorecard:
    require_staff(subject)
    partner = partners.get(session, subject, partner_id)
    return _card(session, partner, _evaluations(session, [partner.id])[partner.id], {})


def ranking(session: Session, subject: AuthSubject, *,
            include_rejected: bool = False) -> list[Scorecard]:
    """Every evaluated candidate, best first; rejected ones only when asked for."""
    require_staff(subject)
    query = partners.readable(subject).where(Partner.merged_into_id.is_(None))
    if not include_rejected:
        query = query.where(Partner.stage != "rejected")
    candidates = list(session.scalars(query))
    evaluations = _evaluations(session, [p.id for p in candidates])
    cache: dict[int, Rubric] = {}
    cards = [_card(session, p, evaluations[p.id], cache) for p in candidates
             if evaluations[p.id]]
    cards.sort(key=lambda c: (-c.score.total, c.partner.name.casefold(), c.partner.id))
    return cards


def shortlist(session: Session, subject: AuthSubject, size: int | None = None) -> list[Scorecard]:
    """The best candidates that pass the threshold (by default the rubric's 5)."""
    limit = size if size is not None else rubrics.current(session).shortlist_size
    if not 1 <= limit <= 50:
        raise Unprocessable(N_("The shortlist holds between 1 and 50 candidates."),
                            field="size")
    return [c for c in ranking(session, subject) if c.passes][:limit]


def move_screening(session: Session, *, from_id: int, to_id: int) -> None:
    """Merging: evaluations and checks follow the surviving record, unless it already has
    its own from the same evaluator or for the same check."""
    kept = {(e.rubric_id, e.evaluator_id) for e in session.scalars(
        select(Evaluation).where(Evaluation.partner_id == to_id))}
    for evaluation in session.scalars(select(Evaluation).where(Evaluation.partner_id == from_id)):
        if (evaluation.rubric_id, evaluation.evaluator_id) not in kept:
            evaluation.partner_id = to_id
    kept_keys = {i.key for i in session.scalars(
        select(DiligenceItem).where(DiligenceItem.partner_id == to_id))}
    for item in session.scalars(select(DiligenceItem).where(DiligenceItem.partner_id == from_id)):
        if item.key not in kept_keys:
            item.partner_id = to_id
    session.flush()


def evaluator_names(session: Session, user_ids: list[int]) -> dict[int, str]:
    """Display names of the evaluators, in one query."""
    rows = session.execute(select(User.id, User.name, User.email).where(User.id.in_(user_ids)))
    return {user_id: name or email for user_id, name, email in rows}
