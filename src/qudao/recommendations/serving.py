"""Serving recommendations from memory: the registry's model, the products that must not be
shown, and the meter.

A user's best 100 products are computed once per model and kept as ready-made JSON pieces,
so that a repeat call is a dictionary lookup and a join; a new model starts with an empty
cache."""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

from qudao.recommendations.metering import Meter
from qudao.recommendations.model import RecommenderModel
from qudao.recommendations.registry import ModelRegistry

MAX_LIMIT = 100
CACHE_USERS = 200_000


@dataclass(frozen=True)
class Ranked:
    ids: list[str]
    # Each product as its JSON object, e.g. b'{"id":"1","name":"Product A","score":0.95}'.
    pieces: list[bytes]


@dataclass
class Recommender:
    registry: ModelRegistry
    meter: Meter
    # Products withdrawn from the catalogue: never recommended.
    inactive: frozenset[str] = field(default_factory=frozenset)
    _cached_for: RecommenderModel | None = None
    _cache: dict[str, Ranked] = field(default_factory=dict)

    def ranked(self, user_id: str) -> Ranked | None:
        model = self.registry.model
        if model is None:
            return None
        cache = self._cache
        if self._cached_for is not model:
            # Swapping the dictionary, not clearing it, keeps requests in flight consistent.
            cache = {}
            self._cache, self._cached_for = cache, model
        found = cache.get(user_id)
        if found is None:
            best = model.recommend(user_id, MAX_LIMIT, exclude=self.inactive)
            found = Ranked(ids=[item for item, _name, _score in best], pieces=[
                orjson.dumps({"id": item, "name": name, "score": round(score, 4)})
                for item, name, score in best])
            if len(cache) < CACHE_USERS:
                cache[user_id] = found
        return found

    def body(self, ranked: Ranked, limit: int) -> bytes:
        """The response body of ``/getRecommendations``, exactly the guide's shape."""
        return b'{"recommendations":[' + b",".join(ranked.pieces[:limit]) + b"]}"
