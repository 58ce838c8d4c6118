"""C19 and the run's rules on both databases: a rerun posts nothing, a late correction posts
only its differences (adjustments naming the line they adjust), refunds claw back in their
own period even after the sale was paid, the minimum payout, the cap, excluded products,
sales in another currency, currencies of 0 and 3 decimals, month and quarter plans, and a
further statement once a period's statement is approved."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from qudao.accounts.subject import SYSTEM
from qudao.commissions import ledger, payouts, runs, statements, transactions
from qudao.commissions.engine import Sale, Terms, compute
from qudao.commissions.models import (
    CommissionStatement,
    LedgerTransaction,
    StatementLine,
)
from qudao.core.errors import Unprocessable
from qudao.db.session import Database
from qudao.programs.models import CommissionPlan
from tests.commissions import builders
from tests.fixtures.security import count

T = TypeVar("T")
JAN, FEB, MAR = date(2011, 1, 5), date(2011, 2, 7), date(2011, 3, 9)


def detached(session: Session, rows: Iterable[T]) -> list[T]:
    """Rows that keep their loaded values after the read-only unit of work rolls back."""
    found = list(rows)
    session.expunge_all()
    return found


def run(db: Database, period: str = "2011-01") -> int:
    """Runs a period in its own unit of work; the number of lines it posted."""
    with db.unit_of_work() as session:
        return runs.run_period(session, SYSTEM, period=period).lines_posted


def lines_of(db: Database, partner_id: int) -> list[StatementLine]:
    with db.unit_of_work(read_only=True) as session:
        return detached(session, session.scalars(
            select(StatementLine).join(CommissionStatement,
                                       CommissionStatement.id == StatementLine.statement_id)
            .where(CommissionStatement.partner_id == partner_id).order_by(StatementLine.id)))


def statements_of(db: Database, partner_id: int,
                  period_key: str | None = None) -> list[CommissionStatement]:
    with db.unit_of_work(read_only=True) as session:
        query = select(CommissionStatement).where(CommissionStatement.partner_id == partner_id)
        if period_key:
            query = query.where(CommissionStatement.period_key == period_key)
        return detached(session, session.scalars(query.order_by(
            CommissionStatement.period_start, CommissionStatement.sequence)))


def period_total(db: Database, partner_id: int, period_key: str) -> int:
    return sum(s.total_minor for s in statements_of(db, partner_id, period_key))


def approve_all(db: Database, partner_id: int) -> None:
    with db.unit_of_work() as session:
        for statement in session.scalars(select(CommissionStatement).where(
                CommissionStatement.partner_id == partner_id,
                CommissionStatement.state == "draft")):
            statements.approve(session, SYSTEM, statement.id)


def pay(db: Database, partner_id: int, reference: str, currency: str = "CNY") -> int:
    with db.unit_of_work() as session:
        return payouts.pay(session, SYSTEM, partner_id=partner_id, currency=currency,
                           method="bank_transfer", reference=reference,
                           paid_on=date(2011, 6, 30)).amount_minor


def payable(db: Database, partner_id: int) -> dict[str, int]:
    with db.unit_of_work(read_only=True) as session:
        return ledger.payable(session, partner_id)


def fresh(db: Database, plan_id: int, amounts: list[int]) -> int:
    """What the plan pays for these sales computed from scratch."""
    with db.unit_of_work(read_only=True) as session:
        plan = session.get(CommissionPlan, plan_id)
        assert plan is not None
        terms = Terms.of_plan(plan)
        return sum(line.minor for line in compute(
            terms, [Sale(f"s{i}", a, "A") for i, a in enumerate(amounts)]))


def ledger_rows(db: Database) -> list[Any]:
    with db.engine.connect() as connection:
        return [*connection.execute(text(
            "SELECT id, kind, partner_id, currency, statement_id, reverses_id "
            "FROM ledger_transactions ORDER BY id")).all(),
                *connection.execute(text(
                    "SELECT id, txn_id, account, amount_minor FROM ledger_entries "
                    "ORDER BY id")).all()]


def txn_kinds(db: Database, partner_id: int) -> list[str]:
    with db.unit_of_work(read_only=True) as session:
        return list(session.scalars(select(LedgerTransaction.kind)
                                    .where(LedgerTransaction.partner_id == partner_id)
                                    .order_by(LedgerTransaction.id)))


def import_csv(db: Database, rows: list[str]) -> None:
    data = ("external_ref,kind,date,partner,sku,amount,currency,refund_of\n"
            + "\n".join(rows) + "\n").encode()
    with db.unit_of_work() as session:
        transactions.import_transactions(session, SYSTEM, "sales.csv", data)


def refund_line(db: Database, deal_line_id: int, amount: str, day: date) -> None:
    with db.unit_of_work() as session:
        transactions.record_refund(session, SYSTEM, amount=amount, occurred_on=day,
                                   deal_line_id=deal_line_id, reason="returned")


def balanced(db: Database) -> None:
    with db.unit_of_work(read_only=True) as session:
        assert ledger.unbalanced(session) == []
        totals: dict[str, int] = {}
        for (_, currency), amount in ledger.account_totals(session).items():
            totals[currency] = totals.get(currency, 0) + amount
        assert set(totals.values()) <= {0}


# --- idempotence ---------------------------------------------------------------------------

def test_a_rerun_posts_nothing_and_leaves_the_ledger_as_it_was(db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, tier_mode="whole")
    p = builders.partner(db, program, plan)
    [line] = builders.won_deal(db, p, program, JAN, [("A", 8_000_000)])
    builders.sale(db, p, date(2011, 1, 20), 3_000_000)
    assert run(db) == 2
    refund_line(db, line, "20000.00", FEB)
    assert run(db, "2011-02") == 1
    before = ledger_rows(db), [(x.id, x.commission_minor) for x in lines_of(db, p)]
    assert run(db) == 0
    assert run(db, "2011-02") == 0
    assert (ledger_rows(db), [(x.id, x.commission_minor) for x in lines_of(db, p)]) == before
    assert count(db, "commission_runs") == 4
    assert count(db, "commission_statements") == 2
    balanced(db)


def test_a_refund_in_the_period_of_its_sale_is_clawed_back_by_the_first_run(
        db: Database) -> None:
    """A sale and its 30% refund in the same month: the month earns 70% of the sale's
    commission, and running it again posts nothing."""
    program = builders.program(db)
    plan = builders.plan(db, program, kind="flat", flat_rate="0.10")
    p = builders.partner(db, program, plan)
    [line] = builders.won_deal(db, p, program, JAN, [("A", 100_000)])
    refund_line(db, line, "300.00", date(2011, 1, 20))
    run(db)
    first = period_total(db, p, "2011-01")
    second = run(db)
    assert (first, second) == (7_000, 0)


# --- late corrections ----------------------------------------------------------------------

def test_a_corrected_import_posts_one_adjustment_of_the_original_line(db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, kind="flat", flat_rate="0.10")
    p = builders.partner(db, program, plan)
    import_csv(db, [f"INV-1,sale,2011-01-05,{p},A,1000.00,CNY,",
                    f"INV-2,sale,2011-01-06,{p},A,500.00,CNY,"])
    assert run(db) == 2
    approve_all(db, p)
    originals = lines_of(db, p)
    # Billing corrects INV-1 from 1,000.00 to 1,250.00.
    import_csv(db, [f"INV-1,sale,2011-01-05,{p},A,1250.00,CNY,"])
    assert run(db) == 1
    after = lines_of(db, p)
    assert [(x.id, x.commission_minor, x.base_minor) for x in after[:2]] == [
        (x.id, x.commission_minor, x.base_minor) for x in originals]
    adjustment = after[2]
    assert adjustment.kind == "adjustment"
    assert adjustment.adjusts_line_id == originals[0].id
    assert adjustment.source_key == originals[0].source_key
    assert (adjustment.base_minor, adjustment.commission_minor) == (25_000, 2_500)
    assert txn_kinds(db, p) == ["accrual", "adjustment"]
    found = statements_of(db, p, "2011-01")
    assert [(s.sequence, s.state, s.total_minor) for s in found] == [
        (1, "approved", 15_000), (2, "draft", 2_500)]
    assert period_total(db, p, "2011-01") == fresh(db, plan, [125_000, 50_000])
    assert run(db) == 0
    balanced(db)


def test_a_late_won_deal_posts_only_its_own_line(db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, kind="flat", flat_rate="0.10")
    p = builders.partner(db, program, plan)
    builders.won_deal(db, p, program, JAN, [("A", 100_000)])
    run(db)
    approve_all(db, p)
    before = [(x.id, x.commission_minor) for x in lines_of(db, p)]
    builders.won_deal(db, p, program, date(2011, 1, 28), [("A", 40_000)])
    assert run(db) == 1
    after = lines_of(db, p)
    assert [(x.id, x.commission_minor) for x in after[:1]] == before
    assert (after[1].kind, after[1].commission_minor, after[1].adjusts_line_id) == (
        "sale", 4_000, None)
    assert period_total(db, p, "2011-01") == fresh(db, plan, [100_000, 40_000])


def test_a_late_sale_across_a_whole_tier_reprices_earlier_lines_by_adjustments(
        db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, tier_mode="whole")
    p = builders.partner(db, program, plan)
    builders.won_deal(db, p, program, JAN, [("A", 8_000_000)])
    builders.won_deal(db, p, program, date(2011, 1, 12), [("B", 1_000_000)])
    run(db)
    approve_all(db, p)
    originals = lines_of(db, p)
    assert [x.commission_minor for x in originals] == [1_200_000, 150_000]
    # 30,000.00 more on the 30th: 120,000.00 reaches 20% for every line.
    builders.sale(db, p, date(2011, 1, 30), 3_000_000)
    assert run(db) == 3
    added = lines_of(db, p)[2:]
    by_kind = {(x.kind, x.adjusts_line_id): x for x in added}
    assert by_kind[("adjustment", originals[0].id)].commission_minor == 400_000
    assert by_kind[("adjustment", originals[1].id)].commission_minor == 50_000
    assert by_kind[("adjustment", originals[0].id)].rate == Decimal("0.2")
    assert by_kind[("sale", None)].commission_minor == 600_000
    assert period_total(db, p, "2011-01") == 2_400_000 == fresh(
        db, plan, [8_000_000, 1_000_000, 3_000_000])
    assert sorted(txn_kinds(db, p)) == ["accrual", "accrual", "adjustment"]
    balanced(db)


def test_a_second_statement_follows_an_approved_one(db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, kind="flat", flat_rate="0.10")
    p = builders.partner(db, program, plan)
    builders.won_deal(db, p, program, JAN, [("A", 100_000)])
    run(db)
    builders.won_deal(db, p, program, date(2011, 1, 9), [("A", 20_000)])
    run(db)
    # A draft takes the later lines itself.
    assert [(s.sequence, s.total_minor) for s in statements_of(db, p)] == [(1, 12_000)]
    approve_all(db, p)
    builders.won_deal(db, p, program, date(2011, 1, 10), [("A", 30_000)])
    run(db)
    found = statements_of(db, p)
    assert [(s.sequence, s.state, s.total_minor, s.lines_count) for s in found] == [
        (1, "approved", 12_000, 2), (2, "draft", 3_000, 1)]
    assert found[1].period_key == "2011-01"
    assert found[1].plan_id == plan


# --- refunds and payouts -------------------------------------------------------------------

def test_a_refund_next_period_is_a_proportional_clawback_there(db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, tier_mode="marginal")
    p = builders.partner(db, program, plan)
    [line] = builders.won_deal(db, p, program, JAN, [("A", 15_000_000)])
    run(db)
    # 40% of the line refunded in February: 40% of the 25,000.00 it earned.
    refund_line(db, line, "60000.00", FEB)
    assert run(db, "2011-02") == 1
    claw = lines_of(db, p)[-1]
    assert (claw.kind, claw.base_minor, claw.commission_minor) == (
        "clawback", -6_000_000, -1_000_000)
    assert claw.deal_line_id == line
    feb = statements_of(db, p, "2011-02")
    assert [(s.sequence, s.total_minor) for s in feb] == [(1, -1_000_000)]
    assert period_total(db, p, "2011-01") == 2_500_000
    assert txn_kinds(db, p) == ["accrual", "clawback"]
    assert payable(db, p) == {"CNY": 1_500_000}


def test_a_clawback_after_payment_carries_a_negative_balance_into_the_next_payout(
        db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, kind="flat", flat_rate="0.10")
    p = builders.partner(db, program, plan)
    [line] = builders.won_deal(db, p, program, JAN, [("A", 1_000_000)])
    run(db)
    approve_all(db, p)
    assert pay(db, p, "JAN") == 100_000
    assert payable(db, p) == {"CNY": 0}
    refund_line(db, line, "10000.00", FEB)
    run(db, "2011-02")
    assert payable(db, p) == {"CNY": -100_000}
    approve_all(db, p)
    with pytest.raises(Unprocessable) as refused:
        pay(db, p, "FEB")
    assert refused.value.field == "partner_id"
    assert payable(db, p) == {"CNY": -100_000}
    assert [s.state for s in statements_of(db, p)] == ["paid", "approved"]
    builders.won_deal(db, p, program, MAR, [("A", 2_500_000)])
    run(db, "2011-03")
    approve_all(db, p)
    assert pay(db, p, "MAR") == 250_000 - 100_000
    assert payable(db, p) == {"CNY": 0}
    assert [s.state for s in statements_of(db, p)] == ["paid", "paid", "paid"]
    balanced(db)


def test_below_the_minimum_payout_nothing_is_paid_and_the_balance_carries(
        db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, kind="flat", flat_rate="0.10", min_payout_minor=100_000)
    p = builders.partner(db, program, plan)
    builders.won_deal(db, p, program, JAN, [("A", 600_000)])
    run(db)
    approve_all(db, p)
    with pytest.raises(Unprocessable):
        pay(db, p, "JAN")
    assert count(db, "commission_payouts") == 0
    assert payable(db, p) == {"CNY": 60_000}
    builders.won_deal(db, p, program, FEB, [("A", 500_000)])
    run(db, "2011-02")
    approve_all(db, p)
    assert pay(db, p, "FEB") == 110_000
    assert payable(db, p) == {"CNY": 0}


def test_the_cap_and_an_excluded_product_through_a_run(db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, tier_mode="whole", cap_minor=1_500_000,
                         excluded_skus_json='["HW"]')
    p = builders.partner(db, program, plan)
    builders.won_deal(db, p, program, JAN, [("SW", 9_000_000), ("HW", 5_000_000)])
    builders.sale(db, p, date(2011, 1, 20), 2_000_000, sku="SW")
    run(db)
    found = lines_of(db, p)
    shown = [(x.kind, x.sku, x.commission_minor, x.note) for x in found]
    # 110,000.00 of eligible volume reaches 20%: 18,000 + 4,000 = 22,000, capped at 15,000.
    assert shown == [("sale", "SW", 1_800_000, None), ("sale", "HW", 0, "excluded"),
                     ("sale", "SW", 400_000, None), ("cap", None, -700_000, "cap")]
    assert period_total(db, p, "2011-01") == 1_500_000
    assert payable(db, p) == {"CNY": 1_500_000}
    assert run(db) == 0


# --- currencies ----------------------------------------------------------------------------

def test_a_usd_sale_is_converted_at_the_latest_rate_on_or_before_its_day(db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, kind="flat", flat_rate="0.10")
    p = builders.partner(db, program, plan)
    builders.rate(db, date(2011, 1, 1), "USD", "CNY", "6.6")
    builders.rate(db, date(2011, 1, 10), "USD", "CNY", "6.5")
    builders.rate(db, date(2011, 1, 31), "USD", "CNY", "9.9")
    builders.sale(db, p, date(2011, 1, 9), 10_000, currency="USD")
    builders.sale(db, p, date(2011, 1, 10), 10_000, currency="USD")
    builders.won_deal(db, p, program, date(2011, 1, 20), [("A", 10_000)], currency="USD")
    run(db)
    shown = [(x.original_minor, x.original_currency, x.fx_rate, x.base_minor,
              x.commission_minor) for x in lines_of(db, p)]
    assert shown == [(10_000, "USD", Decimal("6.6"), 66_000, 6_600),
                     (10_000, "USD", Decimal("6.5"), 65_000, 6_500),
                     (10_000, "USD", Decimal("6.5"), 65_000, 6_500)]


def test_only_the_inverse_pair_stored_converts_by_division(db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, kind="flat", flat_rate="0.10")
    p = builders.partner(db, program, plan)
    builders.rate(db, date(2011, 1, 1), "CNY", "USD", "0.15")
    builders.sale(db, p, date(2011, 1, 9), 10_000, currency="USD")
    run(db)
    [line] = lines_of(db, p)
    # 100.00 USD / 0.15 = 666.666… CNY → 666.67.
    assert (line.base_minor, line.commission_minor) == (66_667, 6_667)
    assert line.fx_rate == Decimal("6.6666666667")


def test_a_missing_rate_refuses_the_run_and_posts_nothing(db: Database) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, kind="flat", flat_rate="0.10")
    p = builders.partner(db, program, plan)
    builders.won_deal(db, p, program, JAN, [("A", 100_000)])
    builders.rate(db, date(2011, 2, 1), "USD", "CNY", "6.6")
    builders.sale(db, p, date(2011, 1, 9), 10_000, currency="USD")
    with pytest.raises(Unprocessable) as refused:
        run(db)
    assert refused.value.field == "rates"
    for table in ("commission_runs", "commission_statements", "commission_statement_lines",
                  "ledger_transactions", "ledger_entries"):
        assert count(db, table) == 0, table
    builders.rate(db, date(2011, 1, 1), "USD", "CNY", "6.5")
    assert run(db) == 2


@pytest.mark.parametrize(("currency", "amount", "rate", "exact", "minor"), [
    # 1,234,567 yen at 15% = 185,185.05 yen.
    ("JPY", 1_234_567, "0.15", Decimal("185185.05"), 185_185),
    # 1,234.567 KWD at 10% = 123.4567 KWD.
    ("KWD", 1_234_567, "0.10", Decimal("123.4567"), 123_457),
])
def test_plans_in_currencies_of_zero_and_three_decimals(
        db: Database, currency: str, amount: int, rate: str, exact: Decimal,
        minor: int) -> None:
    program = builders.program(db)
    plan = builders.plan(db, program, kind="flat", flat_rate=rate, currency=currency)
    p = builders.partner(db, program, plan)
    builders.won_deal(db, p, program, JAN, [("A", amount)], currency=currency)
    run(db)
    [line] = lines_of(db, p)
    assert (line.commission_minor, line.commission_exact) == (minor, exact)
    assert line.commission_exact + line.rounding == Decimal(minor).scaleb(
        -{"JPY": 0, "KWD": 3}[currency])
    [statement] = statements_of(db, p)
    assert (statement.currency, statement.total_minor) == (currency, minor)
    assert payable(db, p) == {currency: minor}


# --- periods -------------------------------------------------------------------------------

def test_a_month_run_ignores_quarterly_plans_and_a_quarter_run_pays_them(db: Database) -> None:
    program = builders.program(db)
    monthly = builders.plan(db, program, kind="flat", flat_rate="0.10")
    quarterly = builders.plan(db, program, kind="flat", flat_rate="0.10", period="quarter")
    m = builders.partner(db, program, monthly)
    q = builders.partner(db, program, quarterly)
    for partner in (m, q):
        builders.won_deal(db, partner, program, JAN, [("A", 100_000)])
        builders.won_deal(db, partner, program, MAR, [("A", 200_000)])
    run(db, "2011-01")
    assert statements_of(db, q) == []
    assert period_total(db, m, "2011-01") == 10_000
    assert run(db, "2011-Q1") == 2
    assert [(s.period_key, s.total_minor) for s in statements_of(db, q)] == [
        ("2011-Q1", 30_000)]
    assert [s.period_key for s in statements_of(db, m)] == ["2011-01"]
