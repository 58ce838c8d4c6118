"""Rating candidates through the service: two evaluators, three candidates, the shortlist,
and rubric versions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qudao.accounts.subject import SYSTEM
from qudao.core.errors import Unprocessable
from qudao.db.session import Database
from qudao.screening import rubrics, service
from qudao.screening.rubrics import CriterionSpec
from tests.fixtures.accounts import make_partner

KEYS = ("market_coverage", "resource_match", "reputation", "culture_fit")


def rate(db: Database, partner_id: int, evaluator: str, *values: str) -> None:
    with db.unit_of_work() as session:
        service.rate(session, SYSTEM, partner_id, evaluator_email=evaluator,
                     ratings=dict(zip(KEYS, values, strict=True)))


def test_three_candidates_two_evaluators_match_the_arithmetic(
    db: Database, evaluators: tuple[str, str]
) -> None:
    ana, ben = evaluators
    a, b, c = (make_partner(db, n) for n in ("Alpha", "Bravo", "Charlie"))
    rate(db, a, ana, "8", "7", "9", "6")
    rate(db, a, ben, "9", "8", "9", "7")
    rate(db, b, ana, "6", "6", "7", "7")
    rate(db, b, ben, "7", "6", "7", "8")
    rate(db, c, ana, "9", "9", "8", "8")
    rate(db, c, ben, "8", "9", "9", "8")
    with db.unit_of_work(read_only=True) as session:
        ranked = service.ranking(session, SYSTEM)
        totals = {card.partner.name: card.exact_total for card in ranked}
        # Alpha: means 8.5 7.5 9 6.5 → 2.55 + 2.25 + 1.8 + 1.3 = 7.9
        # Bravo: means 6.5 6 7 7.5 → 1.95 + 1.8 + 1.4 + 1.5 = 6.65
        # Charlie: means 8.5 9 8.5 8 → 2.55 + 2.7 + 1.7 + 1.6 = 8.55
        assert totals == {"Alpha": Decimal("7.9000"), "Bravo": Decimal("6.6500"),
                          "Charlie": Decimal("8.5500")}
        assert [c.partner.name for c in ranked] == ["Charlie", "Alpha", "Bravo"]
        bravo = ranked[2]
        assert not bravo.passes
        assert bravo.reason == ("score %(score)s < %(threshold)s",
                                {"score": "6.7", "threshold": "7.0"})
        assert [c.partner.name for c in service.shortlist(session, SYSTEM)] == [
            "Charlie", "Alpha"]
        assert [c.partner.name for c in service.shortlist(session, SYSTEM, 1)] == ["Charlie"]


def test_rating_again_replaces_the_evaluators_own_ratings(
    db: Database, evaluators: tuple[str, str]
) -> None:
    ana, _ben = evaluators
    partner = make_partner(db, "Delta")
    rate(db, partner, ana, "5", "5", "5", "5")
    rate(db, partner, ana, "8", "7", "9", "6")
    with db.unit_of_work(read_only=True) as session:
        card = service.scorecard(session, SYSTEM, partner)
        assert len(card.evaluations) == 1
        assert card.total == Decimal("7.5")


@pytest.mark.parametrize(("ratings", "field"), [
    ({"market_coverage": "8"}, "ratings"),
    ({**dict.fromkeys(KEYS, "7"), "charm": "9"}, "ratings"),
    ({**dict.fromkeys(KEYS, "7"), "reputation": "11"}, "reputation"),
    ({**dict.fromkeys(KEYS, "7"), "reputation": "-1"}, "reputation"),
    ({**dict.fromkeys(KEYS, "7"), "reputation": "7.125"}, "reputation"),
    ({**dict.fromkeys(KEYS, "7"), "reputation": "good"}, "reputation"),
])
def test_bad_ratings_are_refused_and_write_nothing(
    db: Database, evaluators: tuple[str, str], ratings: dict[str, object], field: str
) -> None:
    partner = make_partner(db, "Echo")
    with db.unit_of_work() as session, pytest.raises(Unprocessable) as refused:
        service.rate(session, SYSTEM, partner, evaluator_email=evaluators[0], ratings=ratings)
    assert refused.value.field == field
    with db.unit_of_work(read_only=True) as session:
        assert service.scorecard(session, SYSTEM, partner).evaluations == []


def test_ratings_accept_the_guides_8_of_10_form(db: Database, evaluators: tuple[str, str]) -> None:
    partner = make_partner(db, "Foxtrot")
    rate(db, partner, evaluators[0], "8/10", "7/10", "9/10", "6/10")
    with db.unit_of_work(read_only=True) as session:
        assert service.scorecard(session, SYSTEM, partner).total == Decimal("7.5")


def test_weights_must_sum_to_100_percent(db: Database) -> None:
    specs = [CriterionSpec("market_coverage", "Market", "市场", Decimal(30)),
             CriterionSpec("reputation", "Reputation", "声誉", Decimal(60))]
    with db.unit_of_work() as session, pytest.raises(Unprocessable) as refused:
        rubrics.new_version(session, SYSTEM, criteria=specs, threshold=Decimal(7),
                            shortlist_size=5, large_company_employees=1000)
    assert refused.value.field == "weights"
    assert refused.value.params == {"total": "90"}


def test_editing_the_rubric_makes_a_version_and_old_evaluations_keep_theirs(
    db: Database, evaluators: tuple[str, str]
) -> None:
    ana, ben = evaluators
    old_candidate = make_partner(db, "Golf")
    rate(db, old_candidate, ana, "8", "7", "9", "6")
    specs = [CriterionSpec("market_coverage", "Market coverage", "市场覆盖", Decimal(50)),
             CriterionSpec("reputation", "Reputation", "声誉", Decimal(50))]
    with db.unit_of_work() as session:
        new = rubrics.new_version(session, SYSTEM, criteria=specs, threshold=Decimal("6.5"),
                                  shortlist_size=3, large_company_employees=500)
        assert new.version == 2
    new_candidate = make_partner(db, "Hotel")
    with db.unit_of_work() as session:
        service.rate(session, SYSTEM, new_candidate, evaluator_email=ben,
                     ratings={"market_coverage": "6", "reputation": "7"})
    with db.unit_of_work(read_only=True) as session:
        old_card = service.scorecard(session, SYSTEM, old_candidate)
        assert old_card.rubric.version == 1
        assert old_card.total == Decimal("7.5")
        new_card = service.scorecard(session, SYSTEM, new_candidate)
        assert new_card.rubric.version == 2
        assert new_card.total == Decimal("6.5")
        assert new_card.passes
        assert [r.version for r in rubrics.versions(session)] == [2, 1]
