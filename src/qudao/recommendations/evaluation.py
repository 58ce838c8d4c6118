"""Offline evaluation on a temporal split: metrics, baselines and the comparison itself.

Every method scores ALL products known at training time for every test user; the top ``k``
are compared with what the user actually bought in the test period. Two targets:

* ``"all"``: every product bought in the test period counts, repeats included;
* ``"new"``: only products the user never bought before count, and products the user already
  bought are removed from the ranking (recommending them could never score).

Test users are those with at least one purchase in the training period and at least one
relevant product in the test period; cold-start users get the same popular list from every
method, so they would only dilute the comparison.
"""

from __future__ import annotations

import functools
import math
import os
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from qudao.recommendations.model import ModelConfig, RecommenderModel
from qudao.recommendations.transactions import Transactions

# Scores for a batch of user indices: shape (len(users), n_items), higher is better.
Scorer = Callable[[NDArray[np.int32]], NDArray[np.float32]]
ScorerFactory = Callable[[Transactions], Scorer]

TARGETS = ("all", "new")


@dataclass(frozen=True)
class RankingMetrics:
    """Metrics of one ranked list against the set of relevant items."""

    ndcg: float
    recall: float
    hit: float


def ranking_metrics(ranked: Sequence[int], relevant: set[int], k: int = 10) -> RankingMetrics:
    """NDCG@k (binary gains), Recall@k (hits / relevant) and HR@k of one ranked list."""
    if not relevant:
        raise ValueError("relevant must not be empty")
    top = list(ranked[:k])
    gains = [1.0 if item in relevant else 0.0 for item in top]
    dcg = sum(g / math.log2(pos + 2) for pos, g in enumerate(gains))
    ideal = sum(1.0 / math.log2(pos + 2) for pos in range(min(k, len(relevant))))
    hits = sum(gains)
    return RankingMetrics(
        ndcg=dcg / ideal, recall=hits / len(relevant), hit=1.0 if hits > 0 else 0.0
    )


def user_item_matrix(
    transactions: Transactions, weights: NDArray[np.float32] | None = None
) -> sp.csr_matrix:
    """Users x items sparse matrix; by default each cell counts the user's purchase lines."""
    data = np.ones(len(transactions), dtype=np.float32) if weights is None else weights
    matrix = sp.csr_matrix(
        (data, (transactions.user_index, transactions.item_index)),
        shape=(transactions.n_users, transactions.n_items),
        dtype=np.float32,
    )
    matrix.sum_duplicates()
    return matrix


def _dense_rows(matrix: sp.csr_matrix, users: NDArray[np.int32]) -> NDArray[np.float32]:
    return np.asarray(matrix[users].toarray(), dtype=np.float32)


def popularity_scorer(train: Transactions) -> Scorer:
    """Products bought by the most distinct customers, the same list for everybody."""
    buyers = (user_item_matrix(train) > 0).astype(np.float32)
    popularity = np.asarray(buyers.sum(axis=0), dtype=np.float32).ravel()

    def score(users: NDArray[np.int32]) -> NDArray[np.float32]:
        return np.asarray(np.tile(popularity, (len(users), 1)), dtype=np.float32)

    return score


def buy_again_scorer(train: Transactions) -> Scorer:
    """The user's own most frequently bought products; popularity only breaks ties."""
    counts = user_item_matrix(train)
    buyers = (counts > 0).astype(np.float32)
    popularity = np.asarray(buyers.sum(axis=0), dtype=np.float32).ravel()
    # Scaled below 1 so that it orders only among products the user bought equally often.
    tie_break: NDArray[np.float32] = popularity / np.float32(popularity.max() + 1.0)

    def score(users: NDArray[np.int32]) -> NDArray[np.float32]:
        scores: NDArray[np.float32] = _dense_rows(counts, users) + tie_break[None, :]
        return scores

    return score


def _implicit_threads() -> int:
    return min(2, os.cpu_count() or 1)


def bm25_item_knn_scorer(
    train: Transactions, neighbours: int = 100, k1: float = 1.2, b: float = 0.75
) -> Scorer:
    """implicit's BM25Recommender (item-item kNN on BM25-weighted purchases)."""
    from implicit.nearest_neighbours import BM25Recommender

    counts = user_item_matrix(train)
    model = BM25Recommender(K=neighbours, K1=k1, B=b, num_threads=_implicit_threads())
    with warnings.catch_warnings():
        # implicit converts its own BM25-weighted copy to CSR and warns about it.
        warnings.filterwarnings("ignore", module=r"implicit\.")
        model.fit(counts, show_progress=False)
    similarity = sp.csr_matrix(model.similarity, dtype=np.float32)

    def score(users: NDArray[np.int32]) -> NDArray[np.float32]:
        # What implicit's recommend() computes, for all items at once.
        return np.asarray((counts[users] @ similarity).toarray(), dtype=np.float32)

    return score


def als_scorer(
    train: Transactions,
    factors: int = 64,
    regularization: float = 0.05,
    alpha: float = 1.0,
    iterations: int = 15,
    seed: int = 7,
) -> Scorer:
    """implicit's AlternatingLeastSquares on log-scaled purchase counts."""
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    counts = user_item_matrix(train)
    counts.data = np.log1p(counts.data).astype(np.float32)
    # implicit parallelises itself; a second BLAS thread pool would only fight it.
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(
            factors=factors,
            regularization=regularization,
            alpha=alpha,
            iterations=iterations,
            random_state=seed,
            num_threads=_implicit_threads(),
        )
        model.fit(counts, show_progress=False)
    user_factors = np.asarray(model.user_factors, dtype=np.float32)
    item_factors = np.asarray(model.item_factors, dtype=np.float32)

    def score(users: NDArray[np.int32]) -> NDArray[np.float32]:
        return user_factors[users] @ item_factors.T

    return score


def model_scorer(config: ModelConfig | None = None) -> ScorerFactory:
    """Adapter that trains our ``RecommenderModel`` and scores in the split's index space."""

    def factory(train: Transactions) -> Scorer:
        model = RecommenderModel(config)
        model.train(train)
        return model.index_scorer(train)

    return factory


def default_methods(config: ModelConfig | None = None) -> dict[str, ScorerFactory]:
    """Every baseline the issue asks for, and our model."""
    return {
        "popularity": popularity_scorer,
        "buy-again": buy_again_scorer,
        "item-knn-bm25": bm25_item_knn_scorer,
        "als": als_scorer,
        "ours": model_scorer(config),
    }


@dataclass(frozen=True)
class EvaluationTask:
    """Who is evaluated, on what, and which products each may be shown."""

    users: NDArray[np.int32]
    relevant: list[set[int]]
    known: NDArray[np.bool_]
    seen: sp.csr_matrix | None


def build_task(train: Transactions, test: Transactions, target: str) -> EvaluationTask:
    """Test users, their relevant products and their ranking filter for ``target``."""
    if target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}, not {target!r}")
    if train.item_ids != test.item_ids or train.user_ids != test.user_ids:
        raise ValueError("train and test must come from the same Transactions (split_by_date)")
    seen = user_item_matrix(train) > 0
    known_users = np.diff(seen.indptr) > 0
    known_items = np.zeros(train.n_items, dtype=bool)
    known_items[train.item_index] = True
    bought: dict[int, set[int]] = {}
    for user, item in zip(test.user_index.tolist(), test.item_index.tolist(), strict=True):
        if known_users[user]:
            bought.setdefault(user, set()).add(item)
    users: list[int] = []
    relevant: list[set[int]] = []
    for user in sorted(bought):
        items = bought[user]
        if target == "new":
            items = items - set(seen.indices[seen.indptr[user] : seen.indptr[user + 1]].tolist())
        if items:
            users.append(user)
            relevant.append(items)
    return EvaluationTask(
        users=np.asarray(users, dtype=np.int32),
        relevant=relevant,
        known=known_items,
        seen=seen.tocsr() if target == "new" else None,
    )


def _top_k(
    scores: NDArray[np.float32], task: EvaluationTask, users: NDArray[np.int32], k: int
) -> list[list[int]]:
    """Each user's best ``k`` eligible items, best first (fewer if fewer are eligible)."""
    scores = scores.astype(np.float32, copy=True)
    scores[:, ~task.known] = -np.inf
    if task.seen is not None:
        rows, cols = task.seen[users].nonzero()
        scores[rows, cols] = -np.inf
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    part_scores = np.take_along_axis(scores, part, axis=1)
    # Ties are broken by item index so every run ranks the same way.
    order = np.lexsort((part, -part_scores), axis=1)
    top = np.take_along_axis(part, order, axis=1)
    valid = np.isfinite(np.take_along_axis(part_scores, order, axis=1))
    return [row[ok].tolist() for row, ok in zip(top, valid, strict=True)]


def evaluate_scorer(
    scorer: Scorer, task: EvaluationTask, k: int = 10, batch: int = 512
) -> dict[str, float]:
    """Mean NDCG@k, Recall@k, HR@k over the task's users, and catalogue coverage."""
    ndcg = recall = hit = 0.0
    shown: set[int] = set()
    for start in range(0, len(task.users), batch):
        users = task.users[start : start + batch]
        top = _top_k(scorer(users), task, users, k)
        for row, relevant in zip(top, task.relevant[start : start + batch], strict=True):
            metrics = ranking_metrics(row, relevant, k)
            ndcg += metrics.ndcg
            recall += metrics.recall
            hit += metrics.hit
            shown.update(row)
    n = max(len(task.users), 1)
    return {
        "ndcg": ndcg / n,
        "recall": recall / n,
        "hit_rate": hit / n,
        "coverage": len(shown) / max(int(task.known.sum()), 1),
        "users": float(len(task.users)),
    }


def evaluate(
    train: Transactions,
    test: Transactions,
    target: str = "all",
    methods: Mapping[str, ScorerFactory] | None = None,
    k: int = 10,
) -> dict[str, dict[str, float]]:
    """Train every method on ``train`` and measure it on ``test``; keyed by method name.

    Each entry holds ``ndcg``, ``recall``, ``hit_rate``, ``coverage`` (share of the known
    catalogue shown to at least one user), ``users`` and ``train_seconds``.
    """
    task = build_task(train, test, target)
    results: dict[str, dict[str, float]] = {}
    for name, factory in (methods or default_methods()).items():
        started = time.perf_counter()
        scorer = factory(train)
        elapsed = time.perf_counter() - started
        results[name] = evaluate_scorer(scorer, task, k) | {"train_seconds": elapsed}
    return results


# Baseline settings chosen with ``benchmarks/recommender_quality.py --tune`` on the validation
# months only (June->July and July->August 2011); the test month never chose anything.
BASELINE_SETTINGS: dict[str, dict[str, dict[str, float]]] = {
    "all": {
        "item-knn-bm25": {"neighbours": 500, "k1": 2.0, "b": 0.3},
        "als": {"factors": 128, "regularization": 5.0, "alpha": 1.0},
    },
    "new": {
        "item-knn-bm25": {"neighbours": 20, "k1": 2.0, "b": 0.3},
        "als": {"factors": 64, "regularization": 5.0, "alpha": 1.0},
    },
}


def tuned_methods(target: str, config: ModelConfig | None = None) -> dict[str, ScorerFactory]:
    """Every method with its validation-tuned setting for ``target``."""
    settings = BASELINE_SETTINGS[target]
    return {
        "popularity": popularity_scorer,
        "buy-again": buy_again_scorer,
        "item-knn-bm25": functools.partial(
            bm25_item_knn_scorer,
            neighbours=int(settings["item-knn-bm25"]["neighbours"]),
            k1=settings["item-knn-bm25"]["k1"],
            b=settings["item-knn-bm25"]["b"],
        ),
        "als": functools.partial(
            als_scorer,
            factors=int(settings["als"]["factors"]),
            regularization=settings["als"]["regularization"],
            alpha=settings["als"]["alpha"],
        ),
        "ours": model_scorer(config),
    }
