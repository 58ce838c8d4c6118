"""Rubrics (versioned), evaluations with their ratings, and due-diligence items."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qudao.db.base import Base, BigId, IdMixin, TimestampMixin, UTCDateTime


class Rubric(IdMixin, Base):
    """One version of a scoring rubric. Editing makes a new version; evaluations keep theirs."""

    __tablename__ = "rubrics"
    __table_args__ = (UniqueConstraint("family", "version"),)

    family: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    # Scores and thresholds are kept in hundredths of a point: 7.00 is 700.
    threshold_centi: Mapped[int] = mapped_column(Integer)
    scale_max: Mapped[int] = mapped_column(Integer, default=10)
    shortlist_size: Mapped[int] = mapped_column(Integer, default=5)
    large_company_employees: Mapped[int] = mapped_column(Integer, default=1000)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="rubric", order_by="Criterion.position", cascade="all, delete-orphan",
        lazy="selectin",
    )


class Criterion(IdMixin, Base):
    __tablename__ = "rubric_criteria"
    __table_args__ = (UniqueConstraint("rubric_id", "key"),)

    rubric_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("rubrics.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(60))
    label_en: Mapped[str] = mapped_column(String(120))
    label_zh: Mapped[str] = mapped_column(String(120))
    # Weight in basis points of the whole: 30% is 3000. A rubric's weights sum to 10000.
    weight_bp: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)

    rubric: Mapped[Rubric] = relationship(back_populates="criteria")


class Evaluation(IdMixin, TimestampMixin, Base):
    """One evaluator's ratings of one candidate under one rubric version."""

    __tablename__ = "evaluations"
    __table_args__ = (UniqueConstraint("partner_id", "rubric_id", "evaluator_id"),)

    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    rubric_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("rubrics.id", ondelete="RESTRICT"), index=True
    )
    evaluator_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    notes: Mapped[str | None] = mapped_column(Text)

    ratings: Mapped[list[Rating]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", lazy="selectin"
    )


class Rating(IdMixin, Base):
    __tablename__ = "evaluation_ratings"
    __table_args__ = (UniqueConstraint("evaluation_id", "criterion_key"),)

    evaluation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("evaluations.id", ondelete="CASCADE"), index=True
    )
    criterion_key: Mapped[str] = mapped_column(String(60))
    # Hundredths of a point on the rubric's scale: 8 is 800.
    value_centi: Mapped[int] = mapped_column(Integer)

    evaluation: Mapped[Evaluation] = relationship(back_populates="ratings")


class DiligenceItem(IdMixin, TimestampMixin, Base):
    """One due-diligence check of a candidate: financial health, size, culture interview,
    references, online reputation, or a check added by hand."""

    __tablename__ = "diligence_items"
    __table_args__ = (UniqueConstraint("partner_id", "key"),)

    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(60))
    category: Mapped[str] = mapped_column(String(30))
    # Template items carry a translatable label; items added by hand carry the user's text.
    label: Mapped[str] = mapped_column(String(300))
    from_template: Mapped[bool] = mapped_column(Boolean, default=True)
    question: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    evidence: Mapped[str | None] = mapped_column(Text)
    checked_on: Mapped[date | None] = mapped_column(Date)
    checked_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
