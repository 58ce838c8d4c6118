"""The guide's tiers through a real run, on both databases."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from qudao.accounts.subject import SYSTEM
from qudao.commissions import ledger, runs, statements
from qudao.commissions.models import LedgerEntry, StatementLine
from qudao.db.session import Database
from tests.commissions import builders


def test_guide_tiers_marginal_and_whole(db: Database) -> None:
    program = builders.program(db)
    marginal = builders.plan(db, program, tier_mode="marginal")
    whole = builders.plan(db, program, tier_mode="whole")
    p1 = builders.partner(db, program, marginal)
    p2 = builders.partner(db, program, whole)
    builders.won_deal(db, p1, program, date(2011, 1, 5), [("A", 8_000_000)])
    builders.won_deal(db, p1, program, date(2011, 1, 20), [("B", 7_000_000)])
    builders.won_deal(db, p2, program, date(2011, 1, 7), [("A", 15_000_000)])
    with db.unit_of_work() as session:
        run = runs.run_period(session, SYSTEM, period="2011-01")
        assert run.lines_posted == 3
    with db.unit_of_work() as session:
        found, _ = statements.list_statements(session, SYSTEM, limit=10, offset=0)
        totals = {s.partner_id: s.total_minor for s in found}
        assert totals == {p1: 2_500_000, p2: 3_000_000}
        assert ledger.unbalanced(session) == []
        assert ledger.payable(session, p1) == {"CNY": 2_500_000}
    with db.unit_of_work() as session:
        again = runs.run_period(session, SYSTEM, period="2011-01")
        assert again.lines_posted == 0
    with db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(StatementLine)) == 3
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 4
