"""Many rows into one table inside the session's transaction, at the driver's speed: COPY on
PostgreSQL, ``executemany`` on SQLite. For append-only bulk writes such as statement lines,
where the ORM's per-row bookkeeping would cost more than the write itself.

Values must be what the column stores: exact decimals of ``DecimalText`` columns as text
(``format(value, "f")``), dates as ``date``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Date, Table
from sqlalchemy.orm import Session


def insert_many(session: Session, table: Table, columns: Sequence[str],
                rows: Iterable[Sequence[Any]]) -> None:
    connection = session.connection()
    raw: Any = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        from psycopg import sql

        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns)))
        with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    compiled = table.insert().compile(dialect=connection.dialect, column_keys=list(columns))
    # The compiled statement lists the columns in the table's order.
    order = [list(columns).index(name) for name in compiled.positiontup or ()]
    dated = {i for i, name in enumerate(columns) if isinstance(table.c[name].type, Date)}
    ordered = ([row[i].isoformat() if i in dated and isinstance(row[i], date) else row[i]
                for i in order] for row in rows)
    cursor = raw.cursor()
    try:
        cursor.executemany(str(compiled), ordered)
    finally:
        cursor.close()
