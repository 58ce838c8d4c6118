"""Many rows into one table inside the session's transaction, at the driver's speed: COPY on
PostgreSQL, ``executemany`` on SQLite. For append-only bulk writes such as statement lines,
where the ORM's per-row bookkeeping would cost more than the write itself.

Values must be what the column stores: exact decimals of ``DecimalText`` columns as text
(``format(value, "f")``), dates as ``date``, times as aware ``datetime`` (or, for speed on
SQLite, already in the text ``sqlite_datetime`` gives)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, Connection, Date, DateTime, Table, bindparam, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator, TypeEngine

# Page cache of a SQLite connection during a bulk load: the default 2 MiB makes every index
# insert and the index builds' sorts go to disk.
BULK_CACHE_KIB = 64 * 1024


def sqlite_datetime(value: datetime) -> str:
    """An aware time as SQLAlchemy stores it on SQLite (naive UTC, with microseconds), so
    that rows written in bulk compare and read back like rows the ORM wrote."""
    moment = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo is not None else value
    return moment.isoformat(" ", "microseconds")


def _is_datetime(column_type: TypeEngine[Any]) -> bool:
    base = column_type.impl if isinstance(column_type, TypeDecorator) else column_type
    return isinstance(base, DateTime)


def insert_many(session: Session, table: Table, columns: Sequence[str],
                rows: Iterable[Sequence[Any]], *, as_stored: bool = False) -> None:
    """``as_stored``: the rows already hold what the driver takes (on SQLite, dates and
    times as text: ``date.isoformat()``, ``sqlite_datetime``), so they go as they are."""
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
    if as_stored:
        _executemany(raw, str(compiled), rows if order == list(range(len(columns))) else
                     ([row[i] for i in order] for row in rows))
        return
    dated = {i for i, name in enumerate(columns) if isinstance(table.c[name].type, Date)}
    timed = {i for i, name in enumerate(columns) if _is_datetime(table.c[name].type)}
    ordered = ([row[i].isoformat() if i in dated and isinstance(row[i], date) else
                sqlite_datetime(row[i]) if i in timed and isinstance(row[i], datetime) else
                row[i] for i in order] for row in rows)
    _executemany(raw, str(compiled), ordered)


def _executemany(raw: Any, statement: str, rows: Iterable[Sequence[Any]]) -> None:
    cursor = raw.cursor()
    try:
        cursor.executemany(statement, rows)
    finally:
        cursor.close()


@contextmanager
def sqlite_indexes_deferred(session: Session, tables: Sequence[Table], *,
                            rows_coming: int,
                            in_order: Sequence[Column[Any]] = ()) -> Iterator[None]:
    """On SQLite, when more rows are about to be written to ``tables`` than they hold, their
    secondary indexes are dropped and built again afterwards, inside the caller's
    transaction: building an index once from sorted rows costs a fraction of keeping it up
    to date row by row (what bulk loaders do). Unique indexes stay, so that constraints are
    checked as rows arrive, and so do the indexes of one of the ``in_order`` columns, whose
    values the rows bring in ascending order: each entry then goes at the end of its index,
    which costs little as the rows come and leaves less to do at the end. A failure rolls
    the whole transaction back, indexes included.

    PostgreSQL keeps its indexes: dropping one locks the table against readers, and COPY
    keeps them up to date cheaply enough."""
    connection = session.connection()
    if connection.dialect.name != "sqlite" or not tables:
        yield
        return
    held = sum(connection.execute(select(func.count()).select_from(table)).scalar_one()
               for table in tables)
    if rows_coming <= held:
        yield
        return
    ordered = {(column.table.name, column.name) for column in in_order}
    kept = {index.name for table in tables for index in table.indexes
            if len(index.columns) == 1
            and (table.name, next(iter(index.columns)).name) in ordered}
    cache = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    connection.exec_driver_sql(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    try:
        yield from _indexes_rebuilt(connection, tables, kept)
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {cache}")


def _indexes_rebuilt(connection: Connection, tables: Sequence[Table],
                     kept: Collection[str | None]) -> Iterator[None]:
    master = text("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                  "AND tbl_name IN :tables AND sql IS NOT NULL "
                  "AND sql NOT LIKE 'CREATE UNIQUE%'").bindparams(
                      bindparam("tables", expanding=True))
    indexes = [(name, sql) for name, sql in
               connection.execute(master, {"tables": [t.name for t in tables]})
               if name not in kept]
    preparer = connection.dialect.identifier_preparer
    for name, _sql in indexes:
        connection.exec_driver_sql(f"DROP INDEX {preparer.quote(name)}")
    yield
    for _name, sql in indexes:
        connection.exec_driver_sql(sql)
