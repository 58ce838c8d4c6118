"""engagement: referral links and events, follow-up tasks, meetings, alerts, jobs

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "referral_links",
        sa.Column("partner_id", _id(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("landing_url", sa.String(length=2000), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_user_id", _id(), nullable=True),
        sa.Column("id", _id(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["users.id"],
                                name=op.f("fk_referral_links_created_by_user_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"],
                                name=op.f("fk_referral_links_partner_id_partners"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_links")),
        sa.UniqueConstraint("code", name=op.f("uq_referral_links_code")),
    )
    with op.batch_alter_table("referral_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_links_partner_id"), ["partner_id"],
                              unique=False)

    op.create_table(
        "referral_events",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("partner_id", _id(), nullable=True),
        sa.Column("link_id", _id(), nullable=True),
        sa.Column("visitor_id", sa.String(length=128), nullable=True),
        sa.Column("customer_id", sa.String(length=128), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", _id(), nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["referral_links.id"],
                                name=op.f("fk_referral_events_link_id_referral_links"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"],
                                name=op.f("fk_referral_events_partner_id_partners"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_events")),
    )
    with op.batch_alter_table("referral_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_events_link_id"), ["link_id"],
                              unique=False)
        batch_op.create_index("ix_referral_events_partner_kind_time",
                              ["partner_id", "kind", "occurred_at"], unique=False)
        batch_op.create_index("ix_referral_events_visitor_time",
                              ["visitor_id", "occurred_at"], unique=False)
        batch_op.create_index("ix_referral_events_customer_time",
                              ["customer_id", "occurred_at"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("partner_id", _id(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by_user_id", _id(), nullable=True),
        sa.Column("id", _id(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["users.id"],
                                name=op.f("fk_meetings_created_by_user_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"],
                                name=op.f("fk_meetings_partner_id_partners"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index("ix_meetings_partner_held", ["partner_id", "held_on"],
                              unique=False)

    op.create_table(
        "follow_up_tasks",
        sa.Column("partner_id", _id(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("owner_user_id", _id(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_user_id", _id(), nullable=True),
        sa.Column("meeting_id", _id(), nullable=True),
        sa.Column("period_key", sa.String(length=10), nullable=True),
        sa.Column("id", _id(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["done_by_user_id"], ["users.id"],
                                name=op.f("fk_follow_up_tasks_done_by_user_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"],
                                name=op.f("fk_follow_up_tasks_meeting_id_meetings"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_user_id"], ["users.id"],
                                name=op.f("fk_follow_up_tasks_owner_user_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"],
                                name=op.f("fk_follow_up_tasks_partner_id_partners"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_tasks")),
        sa.UniqueConstraint("partner_id", "kind", "period_key",
                            name=op.f("uq_follow_up_tasks_partner_id_kind_period_key")),
    )
    with op.batch_alter_table("follow_up_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_tasks_partner_id"), ["partner_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_tasks_due_on"), ["due_on"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_tasks_meeting_id"), ["meeting_id"],
                              unique=False)
        batch_op.create_index("ix_follow_up_tasks_owner_open", ["owner_user_id", "done_at"],
                              unique=False)

    op.create_table(
        "alerts",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("partner_id", _id(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_user_id", _id(), nullable=True),
        sa.Column("resolution", sa.String(length=10), nullable=True),
        sa.Column("id", _id(), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"],
                                name=op.f("fk_alerts_partner_id_partners"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["resolved_by_user_id"], ["users.id"],
                                name=op.f("fk_alerts_resolved_by_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_alerts_dedupe_key")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_partner_id"), ["partner_id"],
                              unique=False)
        batch_op.create_index("ix_alerts_open", ["resolved_at", "raised_at"], unique=False)

    op.create_table(
        "jobs",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", _id(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_jobs_dedupe_key")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_state_run_after", ["state", "run_after"], unique=False)


def downgrade() -> None:
    for table, indexes in (
        ("jobs", ["ix_jobs_state_run_after"]),
        ("alerts", ["ix_alerts_open", "ix_alerts_partner_id", "ix_alerts_kind"]),
        ("follow_up_tasks", ["ix_follow_up_tasks_owner_open", "ix_follow_up_tasks_meeting_id",
                             "ix_follow_up_tasks_due_on", "ix_follow_up_tasks_partner_id"]),
        ("meetings", ["ix_meetings_partner_held"]),
        ("referral_events", ["ix_referral_events_customer_time",
                             "ix_referral_events_visitor_time",
                             "ix_referral_events_partner_kind_time",
                             "ix_referral_events_link_id"]),
        ("referral_links", ["ix_referral_links_partner_id"]),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(index)
        op.drop_table(table)
