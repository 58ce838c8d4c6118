"""C17: the ledger under any sequence of accruals, approvals, payouts, clawbacks and payout
reversals stays balanced (every transaction and the whole ledger net to zero per currency),
and what it says a partner is owed agrees with the statements and payouts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import count as numbers

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from qudao.accounts.subject import SYSTEM
from qudao.commissions import ledger, payouts, runs, statements, transactions
from qudao.commissions.models import CommissionStatement, LedgerEntry, Payout, StatementLine
from qudao.core.errors import Unprocessable
from qudao.db.session import Database
from tests.commissions import builders

MONTHS = (1, 2, 3, 4)
# Small thresholds so that a few sales cross a whole tier and re-price earlier lines.
TIERS = [(0, "0.15"), (100_000, "0.20"), (250_000, "0.25")]
_refs = numbers(1)


class LedgerMachine(RuleBasedStateMachine):
    """Each example works on partners of its own in a database shared by the examples; the
    invariants hold over everything in it."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.program = builders.program(db)
        plan = builders.plan(db, self.program, tier_mode="whole", tiers=TIERS,
                             rounding_level="statement")
        self.partners = [builders.partner(db, self.program, plan) for _ in range(2)]
        # (transaction id, partner, month, amount left to refund)
        self.sales: list[list[int]] = []
        self.payouts: list[int] = []

    def _run(self, month: int) -> None:
        with self.db.unit_of_work() as session:
            runs.run_period(session, SYSTEM, period=f"2011-{month:02d}")

    @rule(who=st.integers(0, 1), month=st.sampled_from(MONTHS),
          amount=st.integers(1, 180_000))
    def accrue(self, who: int, month: int, amount: int) -> None:
        partner = self.partners[who]
        sale = builders.sale(self.db, partner, date(2011, month, 10), amount)
        self.sales.append([sale, partner, month, amount])
        self._run(month)

    @rule(who=st.integers(0, 1))
    def approve(self, who: int) -> None:
        with self.db.unit_of_work() as session:
            for statement in session.scalars(select(CommissionStatement).where(
                    CommissionStatement.partner_id == self.partners[who],
                    CommissionStatement.state == "draft")):
                statements.approve(session, SYSTEM, statement.id)

    @rule(who=st.integers(0, 1))
    def pay(self, who: int) -> None:
        partner = self.partners[who]
        with self.db.unit_of_work() as session:
            due = payouts.payable_now(session, partner, "CNY")
        try:
            with self.db.unit_of_work() as session:
                payout = payouts.pay(session, SYSTEM, partner_id=partner, currency="CNY",
                                     method="bank_transfer", reference=f"M-{next(_refs)}",
                                     paid_on=date(2011, 6, 1))
                assert payout.amount_minor == due
                self.payouts.append(payout.id)
        except Unprocessable:
            assert due <= 0

    @precondition(lambda self: any(left for *_, left in self.sales))
    @rule(pick=st.integers(0, 10_000), share=st.integers(1, 100),
          later=st.integers(0, 2))
    def claw_back(self, pick: int, share: int, later: int) -> None:
        open_sales = [s for s in self.sales if s[3]]
        entry = open_sales[pick % len(open_sales)]
        sale, _, month, left = entry
        amount = max(1, left * share // 100)
        refund_month = min(month + later, MONTHS[-1])
        with self.db.unit_of_work() as session:
            transactions.record_refund(
                session, SYSTEM, amount=f"{amount // 100}.{amount % 100:02d}",
                occurred_on=date(2011, refund_month, 20), transaction_id=sale)
        entry[3] = left - amount
        self._run(refund_month)

    @precondition(lambda self: bool(self.payouts))
    @rule(pick=st.integers(0, 10_000))
    def reverse_payout(self, pick: int) -> None:
        payout = self.payouts.pop(pick % len(self.payouts))
        with self.db.unit_of_work() as session:
            payouts.reverse_payout(session, SYSTEM, payout, "returned by the bank")

    @invariant()
    def every_transaction_balances(self) -> None:
        with self.db.unit_of_work(read_only=True) as session:
            assert ledger.unbalanced(session) == []

    @invariant()
    def the_whole_ledger_nets_to_zero(self) -> None:
        with self.db.unit_of_work(read_only=True) as session:
            rows = session.execute(select(LedgerEntry.currency,
                                          func.sum(LedgerEntry.amount_minor))
                                   .group_by(LedgerEntry.currency)).all()
            assert all(int(total) == 0 for _, total in rows), rows

    @invariant()
    def payable_is_statements_less_payouts(self) -> None:
        with self.db.unit_of_work(read_only=True) as session:
            owed: dict[int, int] = defaultdict(int)
            for partner, total in session.execute(
                    select(CommissionStatement.partner_id,
                           func.sum(CommissionStatement.total_minor))
                    .group_by(CommissionStatement.partner_id)):
                owed[partner] += int(total)
            for partner, paid in session.execute(
                    select(Payout.partner_id, func.sum(Payout.amount_minor))
                    .where(Payout.reversed_at.is_(None)).group_by(Payout.partner_id)):
                owed[partner] -= int(paid)
            for partner in owed:
                assert ledger.payable(session, partner).get("CNY", 0) == owed[partner]

    @invariant()
    def statement_totals_are_their_lines(self) -> None:
        with self.db.unit_of_work(read_only=True) as session:
            sums = dict(session.execute(
                select(StatementLine.statement_id, func.sum(StatementLine.commission_minor))
                .group_by(StatementLine.statement_id)).all())
            counted = dict(session.execute(
                select(StatementLine.statement_id, func.count())
                .group_by(StatementLine.statement_id)).all())
            for statement in session.scalars(select(CommissionStatement)):
                assert statement.total_minor == int(sums.get(statement.id, 0))
                assert statement.lines_count == counted.get(statement.id, 0)


def test_the_ledger_stays_balanced_under_any_sequence(db: Database) -> None:
    checks = settings(max_examples=15, stateful_step_count=12, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])
    # Any factory of machines is accepted at run time; the stub names only the class.
    run_state_machine_as_test(lambda: LedgerMachine(db),  # type: ignore[arg-type]
                              settings=checks)
