"""dashboards and retail data: a concentration alert share per program, sales credited to no
partner, and synthetic API calls counted apart

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("concentration_alert_pct", sa.Integer(), nullable=False,
                                      server_default="40"))
    with op.batch_alter_table("api_usage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("synthetic_calls", sa.BigInteger(), nullable=False,
                                      server_default="0"))
    op.create_table(
        "direct_sales",
        sa.Column("program_id", _id(), nullable=True),
        sa.Column("external_ref", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", _id(), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"],
                                name=op.f("fk_direct_sales_program_id_programs"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direct_sales")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_direct_sales_external_ref")),
    )
    with op.batch_alter_table("direct_sales", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_direct_sales_occurred_at"), ["occurred_at"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_direct_sales_program_id"), ["program_id"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("direct_sales")
    with op.batch_alter_table("api_usage", schema=None) as batch_op:
        batch_op.drop_column("synthetic_calls")
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("concentration_alert_pct")
