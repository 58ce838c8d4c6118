"""One page of a query's rows and the total they come from: every list reads this way."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


def page_of(
    session: Session, query: Select[T], *order_by: Any, limit: int, offset: int
) -> tuple[list[T], int]:
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(*order_by).limit(limit).offset(offset))
    return list(rows), int(total)
