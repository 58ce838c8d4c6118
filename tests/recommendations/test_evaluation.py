"""Metrics on hand-computed examples and the evaluation protocol on a tiny temporal split."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from numpy.typing import NDArray

from qudao.recommendations.evaluation import (
    Scorer,
    buy_again_scorer,
    evaluate,
    model_scorer,
    popularity_scorer,
    ranking_metrics,
)
from qudao.recommendations.model import ModelConfig
from qudao.recommendations.transactions import Transactions, read_csv_text, split_by_date

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def test_ranking_metrics_hand_computed() -> None:
    # Hit at rank 2 only; three relevant items, so the ideal list has three hits.
    metrics = ranking_metrics([1, 2, 3, 4], {2, 4, 9}, k=3)
    dcg = 1 / math.log2(3)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert metrics.ndcg == pytest.approx(dcg / ideal)
    assert metrics.ndcg == pytest.approx(0.29608, abs=1e-5)
    assert metrics.recall == pytest.approx(1 / 3)
    assert metrics.hit == 1.0


def test_ranking_metrics_perfect_and_empty() -> None:
    assert ranking_metrics([5, 6], {5, 6}, k=10).ndcg == pytest.approx(1.0)
    miss = ranking_metrics([1, 2, 3], {9}, k=3)
    assert (miss.ndcg, miss.recall, miss.hit) == (0.0, 0.0, 0.0)
    # The ideal DCG is cut at k: one hit at the top among 20 relevant items is 1/IDCG@2.
    assert ranking_metrics([7, 8], {7, *range(100, 119)}, k=2).ndcg == pytest.approx(
        1 / (1 + 1 / math.log2(3))
    )
    with pytest.raises(ValueError):
        ranking_metrics([1], set(), k=1)


def split() -> tuple[Transactions, Transactions]:
    """Train in June; in July u1 re-buys its product, u2 buys one new product, u3 is new."""
    rows = [
        HEADER,
        "1,10001,A,1,2011-06-01 10:00:00,1.00,u1,UK\n",
        "2,10001,A,1,2011-06-08 10:00:00,1.00,u1,UK\n",
        "3,10002,B,1,2011-06-02 10:00:00,1.00,u2,UK\n",
        "4,10003,C,1,2011-06-03 10:00:00,1.00,u2,UK\n",
        "5,10003,C,1,2011-06-04 10:00:00,1.00,u1,UK\n",
        "6,10004,D,1,2011-06-05 10:00:00,1.00,u4,UK\n",
        "7,10001,A,1,2011-07-02 10:00:00,1.00,u1,UK\n",
        "8,10001,A,1,2011-07-03 10:00:00,1.00,u2,UK\n",
        "9,10002,B,1,2011-07-03 10:00:00,1.00,u2,UK\n",
        "10,10001,A,1,2011-07-04 10:00:00,1.00,u3,UK\n",
        "11,10009,Z,1,2011-07-04 10:00:00,1.00,u2,UK\n",
    ]
    data = read_csv_text("".join(rows))
    return split_by_date(data, datetime(2011, 7, 1, tzinfo=UTC), datetime(2011, 8, 1, tzinfo=UTC))


def fixed(table: dict[str, list[float]], train: Transactions) -> Scorer:
    """A scorer that returns hand-written scores (by user id) over products 10001..10004."""

    def score(users: NDArray[np.int32]) -> NDArray[np.float32]:
        rows = [table[train.user_ids[u]] + [0.0] * (train.n_items - 4) for u in users]
        return np.asarray(rows, dtype=np.float32)

    return score


def test_evaluate_all_target_counts_repeats() -> None:
    train, test = split()
    # u1 wants 10001 (a repeat); u2 wants 10001, 10002 (a repeat) and 10009 (unknown in June).
    perfect = fixed({"u1": [4, 1, 0, 0], "u2": [4, 3, 1, 0]}, train)
    results = evaluate(train, test, "all", {"perfect": lambda _: perfect}, k=1)["perfect"]
    assert results["users"] == 2  # u3 has no history, u4 bought nothing in July
    assert results["hit_rate"] == 1.0
    assert results["recall"] == pytest.approx((1 + 1 / 3) / 2)
    assert results["ndcg"] == 1.0
    # 10009 was never sold in June, so only four products can be shown.
    assert results["coverage"] == pytest.approx(1 / 4)
    assert results["train_seconds"] >= 0.0


def test_evaluate_new_target_removes_known_products() -> None:
    train, test = split()
    # Scores put products the users already own first; the "new" protocol must skip them.
    owner_first = fixed({"u1": [9, 0, 8, 1], "u2": [2, 9, 8, 1]}, train)
    results = evaluate(train, test, "new", {"m": lambda _: owner_first}, k=1)["m"]
    # u1 bought nothing new in July; u2's new products are 10001 and 10009.
    assert results["users"] == 1
    assert results["ndcg"] == 1.0
    assert results["recall"] == pytest.approx(1 / 2)


def test_buy_again_and_popularity_baselines() -> None:
    train, test = split()
    methods = {"buy-again": buy_again_scorer, "popularity": popularity_scorer}
    results = evaluate(train, test, "all", methods, k=1)
    # Buy-again: u1's top is 10001 (twice) -> hit; u2's is a tie 10002/10003 broken by
    # popularity (10003 has two buyers) -> miss.
    assert results["buy-again"]["hit_rate"] == pytest.approx(0.5)
    # Popularity: 10003 is the only product with two buyers, and nobody buys it in July.
    assert results["popularity"]["hit_rate"] == 0.0
    assert results["popularity"]["coverage"] == pytest.approx(1 / 4)


def test_model_scorer_and_unknown_target() -> None:
    train, test = split()
    config = ModelConfig(ease_lambda=1.0)
    results = evaluate(train, test, "all", {"ours": model_scorer(config)}, k=2)
    assert 0.0 <= results["ours"]["ndcg"] <= 1.0
    assert results["ours"]["users"] == 2
    with pytest.raises(ValueError, match="target"):
        evaluate(train, test, "everything", {})


def test_implicit_baselines_run_on_small_data() -> None:
    pytest.importorskip("implicit")
    from qudao.recommendations.evaluation import als_scorer, bm25_item_knn_scorer

    train, test = split()
    results = evaluate(
        train,
        test,
        "all",
        {
            "knn": bm25_item_knn_scorer,
            "als": lambda t: als_scorer(t, factors=2, iterations=2),
        },
        k=2,
    )
    for name in ("knn", "als"):
        assert set(results[name]) >= {"ndcg", "recall", "hit_rate", "coverage"}
        assert 0.0 <= results[name]["ndcg"] <= 1.0
