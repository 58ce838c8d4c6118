"""Tables of the commissions domain.

Statement lines, ledger transactions and ledger entries are append-only (database triggers
refuse UPDATE and DELETE): a correction is a new line or a new transaction that references
the one it corrects. Statements and payouts carry a state that moves, so they are ordinary
rows; their amounts are always the sums of their append-only lines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qudao.core import clock
from qudao.db.base import Base, BigId, DecimalText, IdMixin, TimestampMixin, UTCDateTime

STATEMENT_STATES = ("draft", "approved", "paid")
LINE_KINDS = ("sale", "clawback", "cap", "adjustment")
# Debits are positive, credits negative; each transaction nets to 0 per currency.
ACCOUNTS = ("commission_expense", "partner_payable", "cash")
TXN_KINDS = ("accrual", "clawback", "adjustment", "payout", "reversal")


class CurrencyRate(IdMixin, Base):
    """One unit of ``base`` is worth ``rate`` units of ``quote`` from ``rate_date`` on.
    Entered or imported by staff; never fetched from the network."""

    __tablename__ = "currency_rates"
    __table_args__ = (UniqueConstraint("rate_date", "base", "quote"),)

    rate_date: Mapped[date] = mapped_column(Date)
    base: Mapped[str] = mapped_column(String(3))
    quote: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(DecimalText)
    source: Mapped[str] = mapped_column(String(10), default="manual")  # manual | import
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class SalesTransaction(IdMixin, TimestampMixin, Base):
    """A sale or a refund that did not come through deal registration: imported from the
    company's billing, or a refund (cancellation) staff record against a won deal line.

    Amounts are positive magnitudes; ``kind`` says which way they go. A refund names what it
    refunds: an earlier transaction or a won deal line."""

    __tablename__ = "sales_transactions"
    __table_args__ = (Index("ix_sales_transactions_partner_day", "partner_id", "occurred_on"),)

    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="RESTRICT"), index=True)
    program_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("programs.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="sale")  # sale | refund
    external_ref: Mapped[str] = mapped_column(String(64), unique=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    customer_ref: Mapped[str | None] = mapped_column(String(128))
    customer_name: Mapped[str | None] = mapped_column(String(200))
    sku: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    refund_of_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("sales_transactions.id", ondelete="RESTRICT"), index=True)
    refund_of_deal_line_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("deal_lines.id", ondelete="RESTRICT"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10), default="import")  # import|staff|api|cli


class CommissionRun(IdMixin, Base):
    """One run of a program's period. A run is one transaction: it exists only if it posted
    (or found nothing to post) and committed."""

    __tablename__ = "commission_runs"
    __table_args__ = (Index("ix_commission_runs_period", "program_id", "period_key"),)

    program_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("programs.id", ondelete="RESTRICT"), index=True)
    period_key: Mapped[str] = mapped_column(String(32))
    period_kind: Mapped[str] = mapped_column(String(10))  # month | quarter | custom
    period_start: Mapped[date] = mapped_column(Date)
    # The first day after the period.
    period_end: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str | None] = mapped_column(String(320))
    partners_count: Mapped[int] = mapped_column(Integer, default=0)
    lines_posted: Mapped[int] = mapped_column(Integer, default=0)
    statements_touched: Mapped[int] = mapped_column(Integer, default=0)
    # {"CNY": {"posted_minor": …, "clawback_minor": …}, …} and warnings, as JSON text.
    summary_json: Mapped[str | None] = mapped_column("summary", Text)


class CommissionStatement(IdMixin, TimestampMixin, Base):
    """A partner's commissions for one period in the plan's currency. A period whose statement
    was already approved or paid gets a further statement (``sequence`` 2, 3 …) for what a
    later run finds."""

    __tablename__ = "commission_statements"
    __table_args__ = (
        UniqueConstraint("program_id", "partner_id", "period_key", "currency", "sequence"),
        Index("ix_commission_statements_partner_state", "partner_id", "state"),
    )

    program_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("programs.id", ondelete="RESTRICT"), index=True)
    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="RESTRICT"), index=True)
    plan_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("commission_plans.id", ondelete="SET NULL"), index=True)
    period_key: Mapped[str] = mapped_column(String(32), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    # The sums of the statement's lines, kept with them in the same transaction.
    total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    base_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    lines_count: Mapped[int] = mapped_column(Integer, default=0)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payout_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("commission_payouts.id", ondelete="RESTRICT"), index=True)


class StatementLine(IdMixin, Base):
    """One line of a statement: a sale, a clawback, the cap, or an adjustment of an earlier
    line. Base, exact commission, commission and rounding are what this line adds; the rate
    and tier are the ones in force when it was posted."""

    __tablename__ = "commission_statement_lines"
    __table_args__ = (Index("ix_commission_statement_lines_source", "statement_id",
                            "source_key"),)

    statement_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("commission_statements.id", ondelete="RESTRICT"), index=True)
    run_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("commission_runs.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    # What the line is about: "line:<deal line id>", "txn:<transaction id>",
    # "refund:<transaction id>" or "cap".
    source_key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    deal_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("deals.id"))
    deal_line_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("deal_lines.id"))
    transaction_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("sales_transactions.id"))
    occurred_on: Mapped[date | None] = mapped_column(Date)
    customer: Mapped[str | None] = mapped_column(String(200))
    sku: Mapped[str | None] = mapped_column(String(64))
    product: Mapped[str | None] = mapped_column(String(300))
    original_minor: Mapped[int | None] = mapped_column(BigInteger)
    original_currency: Mapped[str | None] = mapped_column(String(3))
    fx_rate: Mapped[Decimal | None] = mapped_column(DecimalText)
    base_minor: Mapped[int] = mapped_column(BigInteger)
    rate: Mapped[Decimal] = mapped_column(DecimalText)
    tier: Mapped[int | None] = mapped_column(Integer)
    # Exact commission and rounding in the currency's units (not minor units), unrounded.
    commission_exact: Mapped[Decimal] = mapped_column(DecimalText)
    commission_minor: Mapped[int] = mapped_column(BigInteger)
    rounding: Mapped[Decimal] = mapped_column(DecimalText)
    adjusts_line_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("commission_statement_lines.id"))
    note: Mapped[str | None] = mapped_column(String(40))


class Payout(IdMixin, TimestampMixin, Base):
    """Money paid to a partner, settling its approved statements in one currency."""

    __tablename__ = "commission_payouts"
    # A bank reference is recorded once: the same payout entered twice is refused.
    __table_args__ = (UniqueConstraint("partner_id", "reference"),)

    program_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("programs.id", ondelete="RESTRICT"), index=True)
    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="RESTRICT"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(120))
    paid_on: Mapped[date] = mapped_column(Date)
    created_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"))
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversal_reason: Mapped[str | None] = mapped_column(Text)


class LedgerTransaction(IdMixin, Base):
    """A balanced set of ledger entries posted together."""

    __tablename__ = "ledger_transactions"

    kind: Mapped[str] = mapped_column(String(12))
    program_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("programs.id", ondelete="RESTRICT"), index=True)
    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="RESTRICT"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    run_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("commission_runs.id", ondelete="RESTRICT"), index=True)
    statement_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("commission_statements.id", ondelete="RESTRICT"), index=True)
    payout_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("commission_payouts.id", ondelete="RESTRICT"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("ledger_transactions.id", ondelete="RESTRICT"), unique=True)
    memo: Mapped[str | None] = mapped_column(String(300))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    created_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"))


class LedgerEntry(IdMixin, Base):
    """One side of a transaction: a debit (positive) or credit (negative) to an account."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_account", "partner_id", "account", "currency"),)

    txn_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("ledger_transactions.id", ondelete="RESTRICT"), index=True)
    account: Mapped[str] = mapped_column(String(24))
    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="RESTRICT"))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
