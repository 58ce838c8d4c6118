"""A bulk write larger than its tables sets their secondary indexes aside on SQLite and
builds them again, except those the rows come in the order of; a failure in between leaves
them as they were."""

from __future__ import annotations

from typing import cast

import pytest
from sqlalchemy import Table, inspect

from qudao.db.bulk import sqlite_indexes_deferred
from qudao.db.session import Database
from qudao.deals.models import DealLine

LINES = cast(Table, DealLine.__table__)
SECONDARY = {"ix_deal_lines_deal_id", "ix_deal_lines_product_id"}


def index_names(db: Database) -> set[str]:
    return {str(ix["name"]) for ix in inspect(db.engine).get_indexes("deal_lines")}


def test_indexes_are_set_aside_during_a_large_write_and_rebuilt(db: Database,
                                                               backend: str) -> None:
    with db.unit_of_work() as session, sqlite_indexes_deferred(session, [LINES],
                                                               rows_coming=1000):
        inside = {str(ix["name"])
                  for ix in inspect(session.connection()).get_indexes("deal_lines")}
    # PostgreSQL keeps them: dropping one would lock the table against readers.
    assert inside == (set() if backend == "sqlite" else SECONDARY)
    assert index_names(db) == SECONDARY


def test_an_index_the_rows_come_in_the_order_of_is_kept_up(db: Database,
                                                          backend: str) -> None:
    with db.unit_of_work() as session, sqlite_indexes_deferred(
            session, [LINES], rows_coming=1000, in_order=[LINES.c.deal_id]):
        inside = {str(ix["name"])
                  for ix in inspect(session.connection()).get_indexes("deal_lines")}
    assert inside == ({"ix_deal_lines_deal_id"} if backend == "sqlite" else SECONDARY)
    assert index_names(db) == SECONDARY


def test_a_write_no_larger_than_the_table_keeps_them(db: Database, backend: str) -> None:
    with db.unit_of_work() as session, sqlite_indexes_deferred(session, [LINES],
                                                               rows_coming=0):
        assert inspect(session.connection()).get_indexes("deal_lines")
    assert index_names(db) == SECONDARY


def test_a_failure_in_between_rolls_the_indexes_back_too(db: Database) -> None:
    with pytest.raises(RuntimeError), db.unit_of_work() as session, \
            sqlite_indexes_deferred(session, [LINES], rows_coming=1000):
        raise RuntimeError("the import broke")
    assert index_names(db) == SECONDARY
