"""partner api metering

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_usage",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "partner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("endpoint", sa.String(length=60), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_api_usage_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day", "partner_id", "endpoint", name=op.f("pk_api_usage")),
    )
    op.create_table(
        "recommendations_shown",
        sa.Column(
            "partner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_recommendations_shown_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "partner_id", "user_id", "item_id", name=op.f("pk_recommendations_shown")
        ),
    )
    with op.batch_alter_table("recommendations_shown", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendations_shown_last_day"), ["last_day"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("recommendations_shown", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendations_shown_last_day"))

    op.drop_table("recommendations_shown")
    op.drop_table("api_usage")
