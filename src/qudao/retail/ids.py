"""Primary keys handed out before rows are written in bulk, so that a deal's lines and a
refund's line can name their parent without reading ids back.

PostgreSQL: blocks of values drawn from the column's own sequence (``nextval``), safe beside
concurrent writers; unused values are gaps, as after any rolled-back insert. SQLite: the
next ids after the largest, which is safe because a writing transaction holds the
database's write lock from its ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

BLOCK = 10_000


def _blocks(session: Session, table: Table, block: int) -> Iterator[int]:
    statement = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                     "FROM generate_series(1, :n)")
    while True:
        values = session.execute(statement, {"table": table.name, "n": block}).scalars()
        yield from sorted(int(value) for value in values)


def new_ids(session: Session, table: Table, block: int = BLOCK) -> Iterator[int]:
    """Ids for new rows of ``table``, in increasing order, as many as are taken."""
    if session.connection().dialect.name == "postgresql":
        return _blocks(session, table, block)
    largest = session.execute(select(func.max(table.c.id))).scalar()
    return itertools.count(int(largest or 0) + 1)
