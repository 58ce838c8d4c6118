"""Numbered pages for lists: the links keep the list's filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query

PER_PAGE = 25
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


@dataclass(frozen=True)
class Pager:
    page: int
    total: int
    path: str
    params: dict[str, str] = field(default_factory=dict)
    per_page: int = PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_item(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last_item(self) -> int:
        return min(self.total, self.offset + self.per_page)

    @property
    def previous_url(self) -> str | None:
        return self.url(self.page - 1) if self.page > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.page + 1) if self.page < self.pages else None

    def url(self, page: int) -> str:
        query = {k: v for k, v in self.params.items() if v}
        if page > 1:
            query["page"] = str(page)
        return f"{self.path}?{urlencode(query)}" if query else self.path


def pager(path: str, page: int, per_page: int = PER_PAGE, **params: object) -> Pager:
    """A pager before the total is known (the offset is needed for the query)."""
    kept = {k: str(v) for k, v in params.items() if v is not None and v != ""}
    return Pager(page=page, total=0, path=path, params=kept, per_page=per_page)


def with_total(draft: Pager, total: int) -> Pager:
    return Pager(page=draft.page, total=total, path=draft.path, params=draft.params,
                 per_page=draft.per_page)
