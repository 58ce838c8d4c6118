"""The demo's commissions: statements for the months the demo partners sold in, the closed
ones approved and one partner paid, a refund clawed back in the current month, a balanced
ledger; and a second call adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qudao.commissions import ledger
from qudao.commissions.models import (
    CommissionRun,
    CommissionStatement,
    CurrencyRate,
    LedgerEntry,
    Payout,
    SalesTransaction,
    StatementLine,
)
from qudao.commissions.periods import period_of
from qudao.core import clock
from qudao.core.config import Settings
from qudao.db.session import Database
from qudao.deals.models import DealLine
from qudao.demo import program as demo_program
from qudao.demo.accounts import ensure_accounts
from qudao.demo.commissions import REFUND_REF, ensure_commissions
from qudao.demo.deals import NORTHWIND
from qudao.demo.screening import ensure_pipeline
from qudao.partners.models import Partner
from qudao.programs.models import CommissionPlan

# Mid-quarter, so that the demo's four months of deals span two quarters as well.
MOMENT = datetime(2026, 2, 17, 14, 30, tzinfo=UTC)
TABLES = (CommissionRun, CommissionStatement, StatementLine, LedgerEntry, Payout,
          SalesTransaction, CurrencyRate)


def _counts(session: Session) -> dict[str, int]:
    return {model.__tablename__: int(session.scalar(
        select(func.count()).select_from(model)) or 0) for model in TABLES}


def _load(db: Database, settings: Settings, period: str) -> None:
    with clock.frozen(MOMENT):
        # The demo without its commissions, which run below once the plan's period is set.
        with db.unit_of_work() as session:
            ensure_accounts(session, settings)
            ensure_pipeline(session)
            demo_program.ensure_program(session, settings)
        if period != "month":
            with db.unit_of_work() as session:
                plan = session.scalar(select(CommissionPlan).where(
                    CommissionPlan.name == demo_program.TIERED_PLAN))
                assert plan is not None
                plan.period = period
        with db.unit_of_work() as session:
            ensure_commissions(session)


@pytest.mark.parametrize("period", ["month", "quarter"])
def test_statements_payout_and_clawback(db: Database, settings: Settings,
                                        period: str) -> None:
    _load(db, settings, period)
    today = MOMENT.date()
    current = period_of(today, "quarter" if period == "quarter" else "month")
    with db.unit_of_work(read_only=True) as session:
        found = list(session.scalars(select(CommissionStatement)))
        keys = {s.period_key for s in found}
        assert current.key in keys
        assert len(keys) >= 2
        assert all(("Q" in key) == (period == "quarter") for key in keys)
        # Periods that are over are approved (or paid); the current one is a draft.
        for statement in found:
            if statement.period_end <= today:
                assert statement.state in ("approved", "paid")
            else:
                assert statement.state == "draft"
        (payout,) = session.scalars(select(Payout)).all()
        northwind = session.scalar(select(Partner).where(Partner.name == NORTHWIND))
        assert northwind is not None
        assert payout.partner_id == northwind.id
        assert payout.amount_minor > 0
        paid = [s for s in found if s.state == "paid"]
        assert paid
        assert sum(s.total_minor for s in paid) == payout.amount_minor
        assert {s.payout_id for s in paid} == {payout.id}
        assert payout.paid_on <= today
        # The refund of half a won line is clawed back in the current period, at the
        # fraction of what that line earned.
        refund = session.scalar(select(SalesTransaction).where(
            SalesTransaction.external_ref == REFUND_REF))
        assert refund is not None
        assert refund.occurred_on == today
        (clawback,) = session.scalars(select(StatementLine).where(
            StatementLine.kind == "clawback")).all()
        holder = session.get(CommissionStatement, clawback.statement_id)
        assert holder is not None
        assert (holder.period_key, holder.partner_id, holder.state) == (
            current.key, northwind.id, "draft")
        line = session.get(DealLine, refund.refund_of_deal_line_id)
        assert line is not None
        assert line.amount_minor
        earned = session.scalar(select(func.sum(StatementLine.commission_minor)).where(
            StatementLine.deal_line_id == line.id, StatementLine.kind == "sale"))
        assert earned
        expected = -(Decimal(earned) * refund.amount_minor / line.amount_minor)
        assert clawback.commission_minor == int(expected.quantize(Decimal(1), ROUND_HALF_UP))
        assert clawback.commission_minor < 0
        assert ledger.unbalanced(session) == []
        # What the ledger says is owed is what the unpaid statements add up to.
        unpaid = sum(s.total_minor for s in found
                     if s.partner_id == northwind.id and s.state != "paid")
        assert ledger.payable(session, northwind.id) == {"CNY": unpaid}
        assert session.scalar(select(func.count()).select_from(CurrencyRate)) == 3
        before = _counts(session)
    with clock.frozen(MOMENT), db.unit_of_work() as session:
        ensure_commissions(session)
    with db.unit_of_work(read_only=True) as session:
        assert _counts(session) == before
        assert ledger.unbalanced(session) == []
