"""Bounded pages: no request reads more than 100 rows at a time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

MAX_LIMIT = 100
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class PageParams(BaseModel):
    limit: int = 50
    offset: int = 0


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="At most 100")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int



def page(model: type[M], rows: Iterable[object], total: int, params: PageParams) -> Page[M]:
    """A page of API shapes made from a repository's rows."""
    # Parametrised with the concrete model, so that the response says which shape it holds.
    concrete: type[Page[M]] = Page[model]  # type: ignore[valid-type]
    return concrete(items=[model.model_validate(r) for r in rows], total=total,
                    limit=params.limit, offset=params.offset)
