"""screening

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partner_contacts",
        sa.Column(
            "partner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=120), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=60), nullable=True),
        sa.Column("wechat", sa.String(length=60), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_contacts_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_contacts")),
    )
    with op.batch_alter_table("partner_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_contacts_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "diligence_items",
        sa.Column(
            "partner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("from_template", sa.Boolean(), nullable=False),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column(
            "checked_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checked_by_id"],
            ["users.id"],
            name=op.f("fk_diligence_items_checked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_diligence_items_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diligence_items")),
        sa.UniqueConstraint("partner_id", "key", name=op.f("uq_diligence_items_partner_id_key")),
    )
    with op.batch_alter_table("diligence_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_diligence_items_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "partner_stage_events",
        sa.Column(
            "partner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("from_stage", sa.String(length=20), nullable=True),
        sa.Column("to_stage", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor_label", sa.String(length=320), nullable=True),
        sa.Column(
            "actor_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("override", sa.Boolean(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_partner_stage_events_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_stage_events_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_stage_events")),
    )
    with op.batch_alter_table("partner_stage_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_stage_events_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "rubrics",
        sa.Column("family", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("threshold_centi", sa.Integer(), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        sa.Column("shortlist_size", sa.Integer(), nullable=False),
        sa.Column("large_company_employees", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_rubrics_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rubrics")),
        sa.UniqueConstraint("family", "version", name=op.f("uq_rubrics_family_version")),
    )
    op.create_table(
        "evaluations",
        sa.Column(
            "partner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "rubric_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "evaluator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluator_id"],
            ["users.id"],
            name=op.f("fk_evaluations_evaluator_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_evaluations_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rubric_id"],
            ["rubrics.id"],
            name=op.f("fk_evaluations_rubric_id_rubrics"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
        sa.UniqueConstraint(
            "partner_id",
            "rubric_id",
            "evaluator_id",
            name=op.f("uq_evaluations_partner_id_rubric_id_evaluator_id"),
        ),
    )
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluations_evaluator_id"), ["evaluator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_evaluations_partner_id"), ["partner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluations_rubric_id"), ["rubric_id"], unique=False)

    op.create_table(
        "rubric_criteria",
        sa.Column(
            "rubric_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("label_en", sa.String(length=120), nullable=False),
        sa.Column("label_zh", sa.String(length=120), nullable=False),
        sa.Column("weight_bp", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["rubric_id"],
            ["rubrics.id"],
            name=op.f("fk_rubric_criteria_rubric_id_rubrics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rubric_criteria")),
        sa.UniqueConstraint("rubric_id", "key", name=op.f("uq_rubric_criteria_rubric_id_key")),
    )
    with op.batch_alter_table("rubric_criteria", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rubric_criteria_rubric_id"), ["rubric_id"], unique=False
        )

    op.create_table(
        "evaluation_ratings",
        sa.Column(
            "evaluation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("criterion_key", sa.String(length=60), nullable=False),
        sa.Column("value_centi", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluations.id"],
            name=op.f("fk_evaluation_ratings_evaluation_id_evaluations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_ratings")),
        sa.UniqueConstraint(
            "evaluation_id",
            "criterion_key",
            name=op.f("uq_evaluation_ratings_evaluation_id_criterion_key"),
        ),
    )
    with op.batch_alter_table("evaluation_ratings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluation_ratings_evaluation_id"), ["evaluation_id"], unique=False
        )

    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("domain", sa.String(length=253), nullable=True))
        batch_op.add_column(sa.Column("partner_type", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("region", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("industry", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("employees", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("annual_revenue_minor", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("revenue_currency", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("source", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("referrer", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("tags", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("stage", sa.String(length=20), nullable=False, server_default="sourced")
        )
        batch_op.add_column(sa.Column("stage_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("stage_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "merged_into_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.create_index(batch_op.f("ix_partners_domain"), ["domain"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_partners_merged_into_id"), ["merged_into_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_partners_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_partners_stage"), ["stage"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_partners_owner_id_users"),
            "users",
            ["owner_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_partners_merged_into_id_partners"),
            "partners",
            ["merged_into_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_partners_merged_into_id_partners"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_partners_owner_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_partners_stage"))
        batch_op.drop_index(batch_op.f("ix_partners_owner_id"))
        batch_op.drop_index(batch_op.f("ix_partners_merged_into_id"))
        batch_op.drop_index(batch_op.f("ix_partners_domain"))
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("stage_changed_at")
        batch_op.drop_column("stage_reason")
        batch_op.drop_column("stage")
        batch_op.drop_column("owner_id")
        batch_op.drop_column("tags")
        batch_op.drop_column("referrer")
        batch_op.drop_column("source")
        batch_op.drop_column("revenue_currency")
        batch_op.drop_column("annual_revenue_minor")
        batch_op.drop_column("employees")
        batch_op.drop_column("industry")
        batch_op.drop_column("region")
        batch_op.drop_column("partner_type")
        batch_op.drop_column("domain")

    with op.batch_alter_table("evaluation_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_ratings_evaluation_id"))

    op.drop_table("evaluation_ratings")
    with op.batch_alter_table("rubric_criteria", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rubric_criteria_rubric_id"))

    op.drop_table("rubric_criteria")
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluations_rubric_id"))
        batch_op.drop_index(batch_op.f("ix_evaluations_partner_id"))
        batch_op.drop_index(batch_op.f("ix_evaluations_evaluator_id"))

    op.drop_table("evaluations")
    op.drop_table("rubrics")
    with op.batch_alter_table("partner_stage_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_stage_events_partner_id"))

    op.drop_table("partner_stage_events")
    with op.batch_alter_table("diligence_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_diligence_items_partner_id"))

    op.drop_table("diligence_items")
    with op.batch_alter_table("partner_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_contacts_partner_id"))

    op.drop_table("partner_contacts")
