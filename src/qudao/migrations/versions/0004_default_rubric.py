"""The guide's default rubric, so that reading it never has to create it

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CRITERIA = (
    ("market_coverage", "Market coverage", "市场覆盖", 3000),
    ("resource_match", "Resource match", "资源匹配", 3000),
    ("reputation", "Reputation", "声誉", 2000),
    ("culture_fit", "Culture fit", "文化契合", 2000),
)


def upgrade() -> None:
    connection = op.get_bind()
    exists = connection.execute(sa.text(
        "SELECT count(*) FROM rubrics WHERE family = 'default'")).scalar_one()
    if exists:
        return
    connection.execute(sa.text(
        "INSERT INTO rubrics (family, version, name, threshold_centi, scale_max, shortlist_size,"
        " large_company_employees, is_current, created_at) VALUES ('default', 1, "
        "'Partner fit (default)', 700, 10, 5, 1000, :yes, :now)"),
        {"yes": True, "now": datetime.now(UTC).replace(tzinfo=None)
         if connection.dialect.name == "sqlite" else datetime.now(UTC)})
    rubric_id = connection.execute(sa.text(
        "SELECT id FROM rubrics WHERE family = 'default' AND version = 1")).scalar_one()
    for position, (key, label_en, label_zh, weight) in enumerate(CRITERIA):
        connection.execute(sa.text(
            "INSERT INTO rubric_criteria (rubric_id, key, label_en, label_zh, weight_bp, "
            "position) VALUES (:rubric, :key, :en, :zh, :weight, :position)"),
            {"rubric": rubric_id, "key": key, "en": label_en, "zh": label_zh,
             "weight": weight, "position": position})


def downgrade() -> None:
    """The rubric may carry evaluations by now: it stays."""
