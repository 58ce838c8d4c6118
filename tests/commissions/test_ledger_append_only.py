"""C18: posted statement lines and ledger rows are never changed: the database refuses UPDATE
and DELETE (and TRUNCATE on PostgreSQL); a correction is a reversal that names what it
reverses, and a transaction is reversed at most once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from qudao.accounts.subject import SYSTEM
from qudao.commissions import ledger, payouts, runs, statements
from qudao.commissions.models import CommissionStatement, LedgerTransaction
from qudao.core.errors import Conflict
from qudao.db.session import Database
from tests.commissions import builders

TABLES = ("commission_statement_lines", "ledger_transactions", "ledger_entries")


def _posted(db: Database) -> int:
    """A partner with a run posted, approved and paid; returns the partner."""
    program = builders.program(db)
    plan = builders.plan(db, program, kind="flat", flat_rate="0.10")
    partner = builders.partner(db, program, plan)
    builders.won_deal(db, partner, program, date(2011, 1, 5), [("A", 100_000), ("B", 50_000)])
    with db.unit_of_work() as session:
        runs.run_period(session, SYSTEM, period="2011-01")
    with db.unit_of_work() as session:
        statement = session.scalar(select(CommissionStatement))
        assert statement is not None
        statements.approve(session, SYSTEM, statement.id)
    with db.unit_of_work() as session:
        payouts.pay(session, SYSTEM, partner_id=partner, currency="CNY",
                    method="bank_transfer", reference="TRX-1", paid_on=date(2011, 2, 1))
    return partner


def _dump(db: Database, table: str) -> list[object]:
    with db.engine.connect() as connection:
        return list(connection.execute(text(f"SELECT * FROM {table} ORDER BY id")).all())


@pytest.mark.parametrize("table", TABLES)
def test_update_and_delete_are_refused(db: Database, table: str) -> None:
    _posted(db)
    before = _dump(db, table)
    assert before
    column = {"commission_statement_lines": "commission_minor",
              "ledger_transactions": "memo", "ledger_entries": "amount_minor"}[table]
    value = "'tampered'" if column == "memo" else "0"
    refused = [f"UPDATE {table} SET {column} = {value}",
               f"UPDATE {table} SET {column} = {value} WHERE id = (SELECT max(id) FROM {table})",
               f"DELETE FROM {table} WHERE id = (SELECT min(id) FROM {table})",
               f"DELETE FROM {table}"]
    if db.dialect == "postgresql":
        refused.append(f"TRUNCATE {table} CASCADE")
    for statement in refused:
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(statement))
    assert _dump(db, table) == before


def test_a_reversal_names_the_transaction_and_a_second_one_is_refused(db: Database) -> None:
    partner = _posted(db)
    with db.unit_of_work() as session:
        before = ledger.payable(session, partner)
        accrual = session.scalar(select(LedgerTransaction)
                                 .where(LedgerTransaction.kind == "accrual"))
        assert accrual is not None
        reversal = ledger.reverse(session, accrual, memo="posted twice")
        accrual_id, reversal_id = accrual.id, reversal.id
    with db.unit_of_work(read_only=True) as session:
        found = session.get(LedgerTransaction, reversal_id)
        assert found is not None
        assert (found.kind, found.reverses_id, found.partner_id) == (
            "reversal", accrual_id, partner)
        assert ledger.unbalanced(session) == []
        # The reversal undoes exactly the accrual: 15,000 less is owed.
        assert ledger.payable(session, partner) == {"CNY": before["CNY"] - 15_000}
    with pytest.raises(Conflict), db.unit_of_work() as session:
        ledger.reverse(session, session.get_one(LedgerTransaction, accrual_id))
    with db.unit_of_work(read_only=True) as session:
        assert session.scalar(select(LedgerTransaction.id).where(
            LedgerTransaction.reverses_id == accrual_id)) == reversal_id
        kinds = list(session.scalars(select(LedgerTransaction.kind)
                                     .order_by(LedgerTransaction.id)))
        assert kinds == ["accrual", "payout", "reversal"]


def test_a_payout_is_reversed_once_by_a_reversal_of_its_transaction(db: Database) -> None:
    partner = _posted(db)
    with db.unit_of_work() as session:
        assert ledger.payable(session, partner) == {"CNY": 0}
        payout = payouts.list_payouts(session, SYSTEM, limit=10, offset=0)[0][0]
        payouts.reverse_payout(session, SYSTEM, payout.id, "returned by the bank")
        payout_id = payout.id
    with pytest.raises(Conflict), db.unit_of_work() as session:
        payouts.reverse_payout(session, SYSTEM, payout_id, "again")
    with db.unit_of_work(read_only=True) as session:
        paid = session.scalar(select(LedgerTransaction).where(
            LedgerTransaction.payout_id == payout_id, LedgerTransaction.kind == "payout"))
        reversals = list(session.scalars(select(LedgerTransaction).where(
            LedgerTransaction.kind == "reversal")))
        assert paid is not None
        assert [r.reverses_id for r in reversals] == [paid.id]
        assert ledger.payable(session, partner) == {"CNY": 15_000}
        assert ledger.unbalanced(session) == []
