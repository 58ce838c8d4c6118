"""Recommender quality on the UCI Online Retail file: our model against four baselines.

    PYTHONPATH=src python benchmarks/recommender_quality.py            # the comparison
    PYTHONPATH=src python benchmarks/recommender_quality.py --tune     # + validation grids

Protocol: validation trains on purchases up to 2011-07-31 and tests on August 2011; the test
run retrains on everything up to 2011-08-31 and tests on September 2011. Hyper-parameters,
ours and the baselines' alike, were chosen with ``--tune`` on the validation months only
(the mean over two folds: June->July and July->August); September is never looked at to
choose anything. Baselines get their best setting per target, ours one setting for both.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import itertools
import os
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

# Two cores: implicit and numpy should not each start a pool per core on top of the other.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from qudao.recommendations import evaluation as ev
from qudao.recommendations.model import ModelConfig, RecommenderModel
from qudao.recommendations.transactions import (
    Transactions,
    load_transactions,
    split_by_date,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "online-retail-2010-12-to-2011-09.csv.gz"
COLUMNS = ("ndcg", "recall", "hit_rate", "coverage", "train_seconds")

def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def print_table(title: str, results: dict[str, dict[str, float]]) -> None:
    users = int(next(iter(results.values()))["users"])
    print(f"\n{title}  ({users} users, top 10 of all products)")
    print(f"{'method':<15}" + "".join(f"{c:>15}" for c in COLUMNS))
    best_baseline = max(v["ndcg"] for k, v in results.items() if k != "ours")
    for name, row in results.items():
        print(f"{name:<15}" + "".join(f"{row[c]:>15.4f}" for c in COLUMNS))
    if "ours" in results:
        lift = results["ours"]["ndcg"] / best_baseline - 1.0
        print(f"ours vs best baseline NDCG@10: {lift:+.1%}")


def validation_folds(data: Transactions) -> list[tuple[Transactions, Transactions]]:
    return [
        split_by_date(data, day("2011-07-01"), day("2011-08-01")),
        split_by_date(data, day("2011-08-01"), day("2011-09-01")),
    ]


def mean_ndcg(
    folds: list[tuple[Transactions, Transactions]],
    factory: ev.ScorerFactory,
    targets: tuple[str, ...] = ev.TARGETS,
) -> list[float]:
    """Mean NDCG@10 over the folds, per target; each fold trains the method once."""
    scores = np.zeros((len(folds), len(targets)))
    for row, (train, test) in enumerate(folds):
        scorer = factory(train)
        for col, target in enumerate(targets):
            task = ev.build_task(train, test, target)
            scores[row, col] = ev.evaluate_scorer(scorer, task)["ndcg"]
    return [float(v) for v in scores.mean(axis=0)]


def grid(**axes: Iterable[float]) -> list[dict[str, float]]:
    names = list(axes)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*axes.values())]


def tune(data: Transactions) -> None:
    """Small grids on the validation folds; prints the best setting per method and target."""
    folds = validation_folds(data)
    searches: dict[str, tuple[ev.ScorerFactory, list[dict[str, float]]]] = {
        "item-knn-bm25": (
            ev.bm25_item_knn_scorer,
            grid(neighbours=[20, 50, 100, 200, 500], k1=[0.5, 1.2, 2.0], b=[0.3, 0.75]),
        ),
        "als": (
            ev.als_scorer,
            grid(factors=[32, 64, 128], regularization=[0.05, 0.5, 5.0], alpha=[1.0, 10.0]),
        ),
    }
    for name, (scorer, settings) in searches.items():
        scored = []
        for setting in settings:
            kwargs = {
                k: int(v) if k in ("neighbours", "factors") else v for k, v in setting.items()
            }
            scored.append((mean_ndcg(folds, functools.partial(scorer, **kwargs)), setting))
        for col, target in enumerate(ev.TARGETS):
            best = max(scored, key=lambda pair: pair[0][col])
            print(f"tune {target:<4} {name:<14} best {best[1]} mean NDCG@10 {best[0][col]:.4f}")
    # Ours: one setting for both targets, so the grids score the mean of both NDCGs.
    base = ModelConfig()
    for setting in grid(
        ease_lambda=[75, 150, 300],
        gram_half_life_days=[7, 15, 30, 60],
        profile_half_life_days=[15, 30, 60, 120],
    ) + grid(
        repeat_weight=[1.0, 2.0, 3.0],
        repeat_half_life_days=[60, 120, 365],
        repeat_rate_power=[0.0, 0.5, 1.0],
    ):
        config = dataclasses.replace(base, **setting)
        both = mean_ndcg(folds, ev.model_scorer(config))
        print(f"tune ours {setting} all {both[0]:.4f} new {both[1]:.4f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--tune", action="store_true", help="run the validation grids too")
    args = parser.parse_args()

    started = time.perf_counter()
    data = load_transactions(args.data)
    load_seconds = time.perf_counter() - started
    report = data.report
    print(
        f"loaded {report.rows_read} lines, kept {report.rows_kept} purchases of "
        f"{data.n_items} products by {data.n_users} customers in {load_seconds:.1f} s"
    )
    if args.tune:
        tune(data)

    config = ModelConfig()
    splits = {
        "validation: train <= 2011-07-31, test 2011-08": split_by_date(
            data, day("2011-08-01"), day("2011-09-01")
        ),
        "test: train <= 2011-08-31, test 2011-09": split_by_date(
            data, day("2011-09-01"), day("2011-10-01")
        ),
    }
    for title, (train, test) in splits.items():
        for target in ev.TARGETS:
            results = ev.evaluate(train, test, target, ev.tuned_methods(target, config))
            print_table(f"{title}, target={target}", results)

    started = time.perf_counter()
    model = RecommenderModel(config).train(data)
    train_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        model.save(path)
        size = path.stat().st_size
        loaded = RecommenderModel.load(path)
    users = [str(u) for u in loaded.user_ids[:500]]
    started = time.perf_counter()
    for user in users:
        loaded.recommend(user, 10)
    per_user = (time.perf_counter() - started) / len(users)
    print(
        f"\nfull file: load+clean {load_seconds:.1f} s, train {train_seconds:.1f} s, "
        f"model file {size / 1e6:.1f} MB, recommend {per_user * 1000:.2f} ms per user"
    )


if __name__ == "__main__":
    main()
