"""documents

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # The built-in templates are not inserted here: a migration must build the same thing
    # whatever the version of the package files. Version 1 is written on first use.
    op.create_table(
        "document_templates",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("created_by_id", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"],
            name=op.f("fk_document_templates_created_by_id_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_templates")),
        sa.UniqueConstraint("kind", "locale", "version",
                            name=op.f("uq_document_templates_kind_locale_version")),
    )
    op.create_table(
        "generated_documents",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("format", sa.String(length=4), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=True),
        sa.Column("program_id", ID, nullable=True),
        sa.Column("partner_id", ID, nullable=True),
        sa.Column("plan_id", ID, nullable=True),
        sa.Column("agreement_id", sa.BigInteger(), nullable=True),
        sa.Column("inputs_sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_by_id", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"],
            name=op.f("fk_generated_documents_program_id_programs"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"],
            name=op.f("fk_generated_documents_partner_id_partners"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["commission_plans.id"],
            name=op.f("fk_generated_documents_plan_id_commission_plans"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"],
            name=op.f("fk_generated_documents_created_by_id_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_generated_documents")),
        sa.UniqueConstraint("inputs_sha256", name=op.f("uq_generated_documents_inputs_sha256")),
    )
    with op.batch_alter_table("generated_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_generated_documents_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_generated_documents_program_id"), ["program_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_generated_documents_partner_id"), ["partner_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_generated_documents_agreement_id"),
                              ["agreement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_generated_documents_created_at"), ["created_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("generated_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_generated_documents_created_at"))
        batch_op.drop_index(batch_op.f("ix_generated_documents_agreement_id"))
        batch_op.drop_index(batch_op.f("ix_generated_documents_partner_id"))
        batch_op.drop_index(batch_op.f("ix_generated_documents_program_id"))
        batch_op.drop_index(batch_op.f("ix_generated_documents_kind"))
    op.drop_table("generated_documents")
    op.drop_table("document_templates")
