"""Serving recommendations from memory: the registry's model, the products that must not be
shown, and the meter.

A known user's best 100 products are computed once per model and kept as ready-made JSON
pieces, so that a repeat call is a dictionary lookup and a join; a new model starts with an
empty cache. Every user the model does not know gets the same popular products: they are
computed once per model and shared, so that unknown ids (any string a partner sends) cost
neither time nor memory per id."""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

from qudao.recommendations.metering import Meter
from qudao.recommendations.model import RecommenderModel
from qudao.recommendations.registry import ModelRegistry

MAX_LIMIT = 100
DEFAULT_LIMIT = 10
CACHE_USERS = 200_000


@dataclass(frozen=True)
class Ranked:
    ids: tuple[str, ...]
    # Each product as its JSON object, e.g. b'{"id":"1","name":"Product A","score":0.95}'.
    pieces: tuple[bytes, ...]
    # The whole answer for the default limit, the one most calls ask for.
    default_body: bytes = b""


@dataclass
class Recommender:
    registry: ModelRegistry
    meter: Meter
    # Products withdrawn from the catalogue: never recommended.
    inactive: frozenset[str] = field(default_factory=frozenset)
    _cached_for: RecommenderModel | None = None
    _cache: dict[str, Ranked] = field(default_factory=dict)
    _popular: tuple[RecommenderModel, Ranked] | None = None

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
        if found is not None:
            return found
        if not model.knows(user_id):
            popular = self._popular
            if popular is None or popular[0] is not model:
                popular = self._popular = (model, self._rank(model, user_id))
            return popular[1]
        found = self._rank(model, user_id)
        if len(cache) < CACHE_USERS:
            cache[user_id] = found
        return found

    def _rank(self, model: RecommenderModel, user_id: str) -> Ranked:
        best = model.recommend(user_id, MAX_LIMIT, exclude=self.inactive)
        pieces = tuple(orjson.dumps({"id": item, "name": name, "score": round(score, 4)})
                       for item, name, score in best)
        return Ranked(ids=tuple(item for item, _name, _score in best), pieces=pieces,
                      default_body=_body(pieces, DEFAULT_LIMIT))

    def body(self, ranked: Ranked, limit: int) -> bytes:
        """The response body of ``/getRecommendations``, exactly the guide's shape."""
        if limit == DEFAULT_LIMIT and ranked.default_body:
            return ranked.default_body
        return _body(ranked.pieces, limit)


def _body(pieces: tuple[bytes, ...], limit: int) -> bytes:
    return b'{"recommendations":[' + b",".join(pieces[:limit]) + b"]}"
