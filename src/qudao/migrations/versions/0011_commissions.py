"""commissions: currency rates, sales transactions, runs, statements and their lines,
payouts, and the append-only double-entry ledger

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from qudao.db.append_only import drop_append_only, make_append_only

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("commission_statement_lines", "ledger_transactions", "ledger_entries")


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "currency_rates",
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("base", sa.String(length=3), nullable=False),
        sa.Column("quote", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", _id(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_currency_rates")),
        sa.UniqueConstraint(
            "rate_date", "base", "quote", name=op.f("uq_currency_rates_rate_date_base_quote")
        ),
    )
    op.create_table(
        "commission_payouts",
        sa.Column("program_id", _id(), nullable=False),
        sa.Column("partner_id", _id(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("created_by_user_id", _id(), nullable=True),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reversal_reason", sa.Text(), nullable=True),
        sa.Column("id", _id(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_commission_payouts_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_commission_payouts_partner_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_commission_payouts_program_id_programs"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_payouts")),
        sa.UniqueConstraint(
            "partner_id", "reference", name=op.f("uq_commission_payouts_partner_id_reference")
        ),
    )
    with op.batch_alter_table("commission_payouts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commission_payouts_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commission_payouts_program_id"), ["program_id"], unique=False
        )

    op.create_table(
        "commission_runs",
        sa.Column("program_id", _id(), nullable=False),
        sa.Column("period_key", sa.String(length=32), nullable=False),
        sa.Column("period_kind", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_user_id", _id(), nullable=True),
        sa.Column("actor_label", sa.String(length=320), nullable=True),
        sa.Column("partners_count", sa.Integer(), nullable=False),
        sa.Column("lines_posted", sa.Integer(), nullable=False),
        sa.Column("statements_touched", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("id", _id(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_commission_runs_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_commission_runs_program_id_programs"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_runs")),
    )
    with op.batch_alter_table("commission_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_commission_runs_period", ["program_id", "period_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commission_runs_program_id"), ["program_id"], unique=False
        )

    op.create_table(
        "commission_statements",
        sa.Column("program_id", _id(), nullable=False),
        sa.Column("partner_id", _id(), nullable=False),
        sa.Column("plan_id", _id(), nullable=True),
        sa.Column("period_key", sa.String(length=32), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("base_minor", sa.BigInteger(), nullable=False),
        sa.Column("lines_count", sa.Integer(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by_user_id", _id(), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payout_id", _id(), nullable=True),
        sa.Column("id", _id(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_user_id"],
            ["users.id"],
            name=op.f("fk_commission_statements_approved_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_commission_statements_partner_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payout_id"],
            ["commission_payouts.id"],
            name=op.f("fk_commission_statements_payout_id_commission_payouts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["commission_plans.id"],
            name=op.f("fk_commission_statements_plan_id_commission_plans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_commission_statements_program_id_programs"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_statements")),
        sa.UniqueConstraint(
            "program_id",
            "partner_id",
            "period_key",
            "currency",
            "sequence",
            name=op.f(
                "uq_commission_statements_program_id_partner_id_period_key_currency_sequence"
            ),
        ),
    )
    with op.batch_alter_table("commission_statements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commission_statements_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_index(
            "ix_commission_statements_partner_state", ["partner_id", "state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commission_statements_payout_id"), ["payout_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commission_statements_period_key"), ["period_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commission_statements_plan_id"), ["plan_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commission_statements_program_id"), ["program_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_commission_statements_state"), ["state"], unique=False)

    op.create_table(
        "ledger_transactions",
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("program_id", _id(), nullable=False),
        sa.Column("partner_id", _id(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("run_id", _id(), nullable=True),
        sa.Column("statement_id", _id(), nullable=True),
        sa.Column("payout_id", _id(), nullable=True),
        sa.Column("reverses_id", _id(), nullable=True),
        sa.Column("memo", sa.String(length=300), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_user_id", _id(), nullable=True),
        sa.Column("id", _id(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_ledger_transactions_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_ledger_transactions_partner_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payout_id"],
            ["commission_payouts.id"],
            name=op.f("fk_ledger_transactions_payout_id_commission_payouts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_ledger_transactions_program_id_programs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_ledger_transactions_reverses_id_ledger_transactions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["commission_runs.id"],
            name=op.f("fk_ledger_transactions_run_id_commission_runs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["commission_statements.id"],
            name=op.f("fk_ledger_transactions_statement_id_commission_statements"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transactions")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_ledger_transactions_reverses_id")),
    )
    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_transactions_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_transactions_payout_id"), ["payout_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_transactions_posted_at"), ["posted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_transactions_program_id"), ["program_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ledger_transactions_run_id"), ["run_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ledger_transactions_statement_id"), ["statement_id"], unique=False
        )

    op.create_table(
        "ledger_entries",
        sa.Column("txn_id", _id(), nullable=False),
        sa.Column("account", sa.String(length=24), nullable=False),
        sa.Column("partner_id", _id(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("id", _id(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_ledger_entries_partner_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["txn_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_ledger_entries_txn_id_ledger_transactions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_entries_account", ["partner_id", "account", "currency"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ledger_entries_txn_id"), ["txn_id"], unique=False)

    op.create_table(
        "sales_transactions",
        sa.Column("partner_id", _id(), nullable=False),
        sa.Column("program_id", _id(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("external_ref", sa.String(length=64), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("customer_ref", sa.String(length=128), nullable=True),
        sa.Column("customer_name", sa.String(length=200), nullable=True),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("refund_of_id", _id(), nullable=True),
        sa.Column("refund_of_deal_line_id", _id(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("id", _id(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_sales_transactions_partner_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_sales_transactions_program_id_programs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["refund_of_deal_line_id"],
            ["deal_lines.id"],
            name=op.f("fk_sales_transactions_refund_of_deal_line_id_deal_lines"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["refund_of_id"],
            ["sales_transactions.id"],
            name=op.f("fk_sales_transactions_refund_of_id_sales_transactions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_transactions")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_sales_transactions_external_ref")),
    )
    with op.batch_alter_table("sales_transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sales_transactions_occurred_on"), ["occurred_on"], unique=False
        )
        batch_op.create_index(
            "ix_sales_transactions_partner_day", ["partner_id", "occurred_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sales_transactions_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sales_transactions_program_id"), ["program_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sales_transactions_refund_of_deal_line_id"),
            ["refund_of_deal_line_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_sales_transactions_refund_of_id"), ["refund_of_id"], unique=False
        )

    op.create_table(
        "commission_statement_lines",
        sa.Column("statement_id", _id(), nullable=False),
        sa.Column("run_id", _id(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("source_key", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("deal_id", _id(), nullable=True),
        sa.Column("deal_line_id", _id(), nullable=True),
        sa.Column("transaction_id", _id(), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("customer", sa.String(length=200), nullable=True),
        sa.Column("sku", sa.String(length=64), nullable=True),
        sa.Column("product", sa.String(length=300), nullable=True),
        sa.Column("original_minor", sa.BigInteger(), nullable=True),
        sa.Column("original_currency", sa.String(length=3), nullable=True),
        sa.Column("fx_rate", sa.String(length=40), nullable=True),
        sa.Column("base_minor", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=True),
        sa.Column("commission_exact", sa.String(length=40), nullable=False),
        sa.Column("commission_minor", sa.BigInteger(), nullable=False),
        sa.Column("rounding", sa.String(length=40), nullable=False),
        sa.Column("adjusts_line_id", _id(), nullable=True),
        sa.Column("note", sa.String(length=40), nullable=True),
        sa.Column("id", _id(), nullable=False),
        sa.ForeignKeyConstraint(
            ["adjusts_line_id"],
            ["commission_statement_lines.id"],
            name=op.f("fk_commission_statement_lines_adjusts_line_id_commission_statement_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_commission_statement_lines_deal_id_deals")
        ),
        sa.ForeignKeyConstraint(
            ["deal_line_id"],
            ["deal_lines.id"],
            name=op.f("fk_commission_statement_lines_deal_line_id_deal_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["commission_runs.id"],
            name=op.f("fk_commission_statement_lines_run_id_commission_runs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["commission_statements.id"],
            name=op.f("fk_commission_statement_lines_statement_id_commission_statements"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["sales_transactions.id"],
            name=op.f("fk_commission_statement_lines_transaction_id_sales_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_statement_lines")),
    )
    with op.batch_alter_table("commission_statement_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commission_statement_lines_run_id"), ["run_id"], unique=False
        )
        batch_op.create_index(
            "ix_commission_statement_lines_source", ["statement_id", "source_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commission_statement_lines_statement_id"), ["statement_id"], unique=False
        )
    for table in APPEND_ONLY:
        make_append_only(table)


def downgrade() -> None:
    for table in APPEND_ONLY:
        drop_append_only(table)
    with op.batch_alter_table("commission_statement_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_statement_lines_statement_id"))
        batch_op.drop_index("ix_commission_statement_lines_source")
        batch_op.drop_index(batch_op.f("ix_commission_statement_lines_run_id"))

    op.drop_table("commission_statement_lines")
    with op.batch_alter_table("sales_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_transactions_refund_of_id"))
        batch_op.drop_index(batch_op.f("ix_sales_transactions_refund_of_deal_line_id"))
        batch_op.drop_index(batch_op.f("ix_sales_transactions_program_id"))
        batch_op.drop_index(batch_op.f("ix_sales_transactions_partner_id"))
        batch_op.drop_index("ix_sales_transactions_partner_day")
        batch_op.drop_index(batch_op.f("ix_sales_transactions_occurred_on"))

    op.drop_table("sales_transactions")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_txn_id"))
        batch_op.drop_index("ix_ledger_entries_account")

    op.drop_table("ledger_entries")
    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_transactions_statement_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_transactions_run_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_transactions_program_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_transactions_posted_at"))
        batch_op.drop_index(batch_op.f("ix_ledger_transactions_payout_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_transactions_partner_id"))

    op.drop_table("ledger_transactions")
    with op.batch_alter_table("commission_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_statements_state"))
        batch_op.drop_index(batch_op.f("ix_commission_statements_program_id"))
        batch_op.drop_index(batch_op.f("ix_commission_statements_plan_id"))
        batch_op.drop_index(batch_op.f("ix_commission_statements_period_key"))
        batch_op.drop_index(batch_op.f("ix_commission_statements_payout_id"))
        batch_op.drop_index("ix_commission_statements_partner_state")
        batch_op.drop_index(batch_op.f("ix_commission_statements_partner_id"))

    op.drop_table("commission_statements")
    with op.batch_alter_table("commission_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_runs_program_id"))
        batch_op.drop_index("ix_commission_runs_period")

    op.drop_table("commission_runs")
    with op.batch_alter_table("commission_payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_payouts_program_id"))
        batch_op.drop_index(batch_op.f("ix_commission_payouts_partner_id"))

    op.drop_table("commission_payouts")
    op.drop_table("currency_rates")
