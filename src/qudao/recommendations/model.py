"""The recommender served by ``GET /getRecommendations``: repeat purchases + EASE + recency.

Why a blend: on wholesale gift-ware data the strongest single signal is what a customer bought
before (resellers restock), but that signal knows nothing about products a customer has never
bought. Three parts, each scaled to [0, 1] per user, are added with weights chosen on a
validation month (see ``benchmarks/recommender_quality.py``):

* repeat: the user's own purchases, time-decayed, damped with a square root, and multiplied by
  how often the product is bought again by anybody (consumables are restocked, novelties not);
* collaborative: EASE (Steck, 2019), a closed-form item-item regression. The Gram matrix is
  built from time-decayed purchases so that recent co-purchases (the season) weigh more, and
  the user's profile is time-decayed too, so what they bought lately drives the suggestions;
* popularity: distinct recent buyers; it fills lists and breaks ties, and is all an unknown
  user gets.

Serving needs only numpy and scipy: a sparse row or two, a sparse product and a top-k.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from qudao.recommendations.transactions import Transactions

FORMAT_VERSION = 1
_DAY = 86_400.0


@dataclass(frozen=True)
class ModelConfig:
    """Hyper-parameters; defaults chosen on validation months (June->July, July->August 2011)."""

    repeat_weight: float = 2.0
    repeat_half_life_days: float = 120.0
    # Additive smoothing (in buyers) of each product's repurchase rate towards the mean.
    repeat_rate_smoothing: float = 20.0
    repeat_rate_power: float = 0.5
    collaborative_weight: float = 1.0
    ease_lambda: float = 150.0
    gram_half_life_days: float = 15.0
    profile_half_life_days: float = 60.0
    # EASE weights kept per source product; the rest are tiny and only bloat the file.
    ease_neighbours: int = 200
    popularity_weight: float = 0.02
    popularity_days: float = 30.0


def _decay(age_days: NDArray[np.float64], half_life: float) -> NDArray[np.float32]:
    return np.asarray(0.5 ** (age_days / half_life), dtype=np.float32)


def _matrix(
    users: NDArray[np.signedinteger[Any]],
    items: NDArray[np.signedinteger[Any]],
    values: NDArray[np.float32],
    shape: tuple[int, int],
) -> sp.csr_matrix:
    matrix = sp.csr_matrix((values, (users, items)), shape=shape, dtype=np.float32)
    matrix.sum_duplicates()
    return matrix


def _row_max_normalise(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Divide each row by its largest value, so every user's best entry is 1."""
    row_max = np.asarray(matrix.max(axis=1).toarray(), dtype=np.float32).ravel()
    row_max[row_max <= 0] = 1.0
    scaled = sp.csr_matrix(sp.diags(1.0 / row_max) @ matrix, dtype=np.float32)
    return scaled


def _ease(gram_input: sp.csr_matrix, lam: float, neighbours: int) -> sp.csr_matrix:
    """EASE item-item weights, pruned to the strongest positive ``neighbours`` per row."""
    gram = np.asarray((gram_input.T @ gram_input).toarray(), dtype=np.float64)
    gram[np.diag_indices_from(gram)] += lam
    precision = np.linalg.inv(gram)
    weights = -precision / np.diag(precision)[None, :]
    np.fill_diagonal(weights, 0.0)
    # Negative weights mostly push down products a user would not get anyway; dropping them
    # keeps the matrix sparse at no measurable cost in accuracy.
    weights[weights < 0] = 0.0
    n_items = weights.shape[0]
    keep = min(neighbours, n_items)
    if keep < n_items:
        cut = np.argpartition(-weights, keep - 1, axis=1)[:, :keep]
        pruned = np.zeros_like(weights)
        rows = np.arange(n_items)[:, None]
        pruned[rows, cut] = weights[rows, cut]
        weights = pruned
    result = sp.csr_matrix(weights.astype(np.float32))
    result.eliminate_zeros()
    return result


class RecommenderModel:
    """Train on ``Transactions``, recommend by customer id, save to and load from ``.npz``."""

    def __init__(self, config: ModelConfig | None = None) -> None:
        self.config = config or ModelConfig()
        self.item_ids: NDArray[np.str_] = np.empty(0, dtype=np.str_)
        self.item_names: NDArray[np.str_] = np.empty(0, dtype=np.str_)
        self.user_ids: NDArray[np.str_] = np.empty(0, dtype=np.str_)
        self.fingerprint = ""
        self.created_at = ""
        self.trained_until = ""
        self._repeat = sp.csr_matrix((0, 0), dtype=np.float32)
        self._profile = sp.csr_matrix((0, 0), dtype=np.float32)
        self._ease = sp.csr_matrix((0, 0), dtype=np.float32)
        self._popularity: NDArray[np.float32] = np.empty(0, dtype=np.float32)
        self._user_pos: dict[str, int] = {}
        self._item_pos: dict[str, int] = {}

    @property
    def is_trained(self) -> bool:
        return self._popularity.size > 0

    # ------------------------------------------------------------------ training

    def train(self, transactions: Transactions, now: datetime | None = None) -> RecommenderModel:
        """Fit on every line of ``transactions``; ``now`` defaults to its last purchase."""
        if len(transactions) == 0:
            raise ValueError("cannot train on an empty set of transactions")
        cfg = self.config
        # Only products and customers that occur are kept, so a split's unused ids cost nothing.
        item_codes, items = np.unique(transactions.item_index, return_inverse=True)
        user_codes, users = np.unique(transactions.user_index, return_inverse=True)
        items = items.astype(np.int32)
        users = users.astype(np.int32)
        shape = (len(user_codes), len(item_codes))
        reference = int(transactions.timestamp.max()) if now is None else int(now.timestamp())
        age = np.maximum(reference - transactions.timestamp, 0).astype(np.float64) / _DAY

        counts = _matrix(users, items, np.ones(len(users), dtype=np.float32), shape)
        buyers = np.asarray((counts > 0).sum(axis=0), dtype=np.float64).ravel()
        repeaters = np.asarray((counts > 1).sum(axis=0), dtype=np.float64).ravel()
        prior = repeaters.sum() / max(buyers.sum(), 1.0)
        smoothing = cfg.repeat_rate_smoothing
        repeat_rate = (repeaters + smoothing * prior) / (buyers + smoothing)

        repeat = _matrix(users, items, _decay(age, cfg.repeat_half_life_days), shape)
        repeat.data = np.sqrt(repeat.data)
        repeat = sp.csr_matrix(
            repeat @ sp.diags(repeat_rate**cfg.repeat_rate_power), dtype=np.float32
        )
        self._repeat = _row_max_normalise(repeat)

        gram_input = _matrix(users, items, _decay(age, cfg.gram_half_life_days), shape)
        gram_input.data = np.minimum(gram_input.data, 1.0)
        self._ease = _ease(gram_input, cfg.ease_lambda, cfg.ease_neighbours)
        profile = _matrix(users, items, _decay(age, cfg.profile_half_life_days), shape)
        profile.data = np.minimum(profile.data, 1.0)
        self._profile = profile

        recent = age <= cfg.popularity_days
        recent_buyers = _matrix(
            users[recent], items[recent], np.ones(int(recent.sum()), dtype=np.float32), shape
        )
        popularity = np.asarray((recent_buyers > 0).sum(axis=0), dtype=np.float32).ravel()
        # Products nobody bought lately still rank by all-time buyers, far below the recent ones.
        popularity += (buyers / (buyers.max() + 1.0)).astype(np.float32)
        self._popularity = popularity / popularity.max()

        self.item_ids = np.asarray([transactions.item_ids[i] for i in item_codes], dtype=np.str_)
        self.item_names = np.asarray(
            [transactions.item_names[i] for i in item_codes], dtype=np.str_
        )
        self.user_ids = np.asarray([transactions.user_ids[u] for u in user_codes], dtype=np.str_)
        self.fingerprint = transactions.fingerprint()
        self.created_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.trained_until = datetime.fromtimestamp(reference, UTC).isoformat(timespec="seconds")
        self._index()
        return self

    def _index(self) -> None:
        self._user_pos = {uid: i for i, uid in enumerate(self.user_ids.tolist())}
        self._item_pos = {iid: i for i, iid in enumerate(self.item_ids.tolist())}

    # ------------------------------------------------------------------ scoring

    def _score_rows(self, rows: NDArray[np.intp]) -> NDArray[np.float32]:
        """Blended scores of known users (model row indices) for every product."""
        cfg = self.config
        collaborative = (self._profile[rows] @ self._ease).toarray()
        np.maximum(collaborative, 0.0, out=collaborative)
        best = collaborative.max(axis=1, keepdims=True)
        best[best <= 0] = 1.0
        scores = cfg.collaborative_weight * (collaborative / best)
        scores += cfg.repeat_weight * self._repeat[rows].toarray()
        scores += cfg.popularity_weight * self._popularity[None, :]
        return np.asarray(scores, dtype=np.float32)

    def score_users(self, user_ids: Sequence[str]) -> NDArray[np.float32]:
        """Raw scores, users x ``item_ids``; unknown users get the popularity row."""
        self._require_trained()
        rows = np.asarray([self._user_pos.get(uid, -1) for uid in user_ids], dtype=np.intp)
        scores = np.tile(self._popularity, (len(rows), 1))
        known = rows >= 0
        if known.any():
            scores[known] = self._score_rows(rows[known])
        return scores

    def recommend(
        self,
        user_id: str,
        limit: int = 10,
        exclude: Collection[str] | None = None,
        allowed: Collection[str] | None = None,
    ) -> list[tuple[str, str, float]]:
        """Best products for ``user_id`` as (item id, name, score), best first.

        ``score`` is in [0, 1]: the blended score divided by that of the best product shown,
        so the first entry is 1.0 and the others say how close they come. ``exclude`` drops
        products (e.g. inactive ones); ``allowed``, if given, is the only products eligible.
        Unknown users get the most popular products.
        """
        self._require_trained()
        if limit <= 0:
            return []
        scores = self.score_users([user_id])[0]
        eligible = np.ones(scores.shape[0], dtype=bool)
        if allowed is not None:
            eligible[:] = False
            eligible[self._positions(allowed)] = True
        if exclude:
            eligible[self._positions(exclude)] = False
        candidates = np.flatnonzero(eligible)
        if candidates.size == 0:
            return []
        limit = min(limit, candidates.size)
        chosen = candidates[np.argpartition(-scores[candidates], limit - 1)[:limit]]
        # Ties go to the smaller product id so the answer is deterministic.
        chosen = chosen[np.lexsort((chosen, -scores[chosen]))]
        top = float(scores[chosen[0]])
        scale = 1.0 / top if top > 0 else 0.0
        return [
            (
                str(self.item_ids[i]),
                str(self.item_names[i]),
                float(min(max(scores[i] * scale, 0.0), 1.0)),
            )
            for i in chosen.tolist()
        ]

    def knows(self, user_id: str) -> bool:
        """Whether ``user_id`` is in the training data; anyone else gets the popular products."""
        return user_id in self._user_pos

    def _positions(self, item_ids: Collection[str]) -> NDArray[np.intp]:
        found = [self._item_pos[i] for i in item_ids if i in self._item_pos]
        return np.asarray(found, dtype=np.intp)

    def index_scorer(
        self, transactions: Transactions
    ) -> Callable[[NDArray[np.int32]], NDArray[np.float32]]:
        """Scores in the index space of ``transactions`` (for offline evaluation)."""
        self._require_trained()
        position = {iid: i for i, iid in enumerate(transactions.item_ids)}
        columns = np.asarray([position[i] for i in self.item_ids.tolist()], dtype=np.intp)
        n_items = transactions.n_items

        def score(users: NDArray[np.int32]) -> NDArray[np.float32]:
            ids = [transactions.user_ids[u] for u in users.tolist()]
            result = np.full((len(ids), n_items), -np.inf, dtype=np.float32)
            result[:, columns] = self.score_users(ids)
            return result

        return score

    def _require_trained(self) -> None:
        if not self.is_trained:
            raise RuntimeError("the model is not trained; call train() or load() first")

    # ------------------------------------------------------------------ persistence

    def save(self, path: str | Path) -> None:
        """Write the model with ``np.savez_compressed``; strings only, no pickled objects."""
        self._require_trained()
        arrays: dict[str, NDArray[np.generic]] = {
            "format_version": np.asarray(FORMAT_VERSION, dtype=np.int64),
            "fingerprint": np.asarray(self.fingerprint, dtype=np.str_),
            "created_at": np.asarray(self.created_at, dtype=np.str_),
            "trained_until": np.asarray(self.trained_until, dtype=np.str_),
            "config": np.asarray(json.dumps(asdict(self.config)), dtype=np.str_),
            "item_ids": self.item_ids,
            "item_names": self.item_names,
            "user_ids": self.user_ids,
            "popularity": self._popularity,
        }
        for name, matrix in (
            ("repeat", self._repeat),
            ("profile", self._profile),
            ("ease", self._ease),
        ):
            arrays[f"{name}_data"] = matrix.data.astype(np.float32)
            arrays[f"{name}_indices"] = matrix.indices.astype(np.int32)
            arrays[f"{name}_indptr"] = matrix.indptr.astype(np.int64)
            arrays[f"{name}_shape"] = np.asarray(matrix.shape, dtype=np.int64)
        with Path(path).open("wb") as handle:
            np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: str | Path) -> RecommenderModel:
        """Read a model written by ``save``; refuses other format versions."""
        with np.load(Path(path), allow_pickle=False) as stored:
            version = int(stored["format_version"])
            if version != FORMAT_VERSION:
                raise ValueError(f"model format {version} is not {FORMAT_VERSION}")
            known = set(ModelConfig.__dataclass_fields__)
            options = {k: v for k, v in json.loads(str(stored["config"])).items() if k in known}
            model = cls(ModelConfig(**options))
            model.fingerprint = str(stored["fingerprint"])
            model.created_at = str(stored["created_at"])
            model.trained_until = str(stored["trained_until"])
            model.item_ids = stored["item_ids"]
            model.item_names = stored["item_names"]
            model.user_ids = stored["user_ids"]
            model._popularity = stored["popularity"]
            matrices: dict[str, sp.csr_matrix] = {}
            for name in ("repeat", "profile", "ease"):
                shape = tuple(int(n) for n in stored[f"{name}_shape"])
                matrices[name] = sp.csr_matrix(
                    (
                        stored[f"{name}_data"],
                        stored[f"{name}_indices"],
                        stored[f"{name}_indptr"],
                    ),
                    shape=shape,
                )
        model._repeat = matrices["repeat"]
        model._profile = matrices["profile"]
        model._ease = matrices["ease"]
        model._index()
        return model
