"""Tables of the agreements domain: the agreement with its terms and state, its history, its
KPIs and milestones, and the onboarding checklist applied when it is signed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qudao.db.base import Base, BigId, IdMixin, TimestampMixin, UTCDateTime
from qudao.partners.models import Partner


class Agreement(IdMixin, TimestampMixin, Base):
    """A partner agreement. ``state`` is stored; "expiring" is computed from ``ends_on``."""

    __tablename__ = "agreements"
    # ``in_force`` is True while signed, active or renewed and NULL otherwise; NULLs never
    # collide, so the key allows one agreement in force per partner and program, and two
    # signings racing each other cannot both win.
    __table_args__ = (UniqueConstraint("partner_id", "program_id", "in_force"),)

    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="RESTRICT"), index=True
    )
    program_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("programs.id", ondelete="RESTRICT"), index=True
    )
    plan_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("commission_plans.id", ondelete="SET NULL"), index=True
    )
    partner_type: Mapped[str | None] = mapped_column(String(60))
    territory: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    exclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    ip_clause: Mapped[str | None] = mapped_column(Text)
    termination_terms: Mapped[str | None] = mapped_column(Text)
    # draft | signed | active | renewed | terminated
    state: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    in_force: Mapped[bool | None] = mapped_column(Boolean)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    signed_by_label: Mapped[str | None] = mapped_column(String(320))
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    terminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    termination_reason: Mapped[str | None] = mapped_column(Text)
    # The contract generated at signing (a document of the documents domain).
    document_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("generated_documents.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )

    partner: Mapped[Partner] = relationship(lazy="joined")
    kpis: Mapped[list[AgreementKpi]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan",
        order_by="(AgreementKpi.position, AgreementKpi.id)",
    )
    milestones: Mapped[list[AgreementMilestone]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan",
        order_by="(AgreementMilestone.due_on, AgreementMilestone.id)",
    )


class AgreementEvent(IdMixin, Base):
    """One step of an agreement's life: who, when, from which state to which, and why."""

    __tablename__ = "agreement_events"

    agreement_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    # create | update | sign | activate | renew | terminate
    action: Mapped[str] = mapped_column(String(12))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    # A renewal moves the end date: both ends are kept.
    previous_ends_on: Mapped[date | None] = mapped_column(Date)
    new_ends_on: Mapped[date | None] = mapped_column(Date)
    # True when signing passed open due-diligence checks by an administrator's override.
    override: Mapped[bool] = mapped_column(Boolean, default=False)
    actor_label: Mapped[str | None] = mapped_column(String(320))
    actor_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AgreementKpi(IdMixin, Base):
    """A target for one metric of the catalogue over a period (month, quarter, year or the
    whole term). ``target`` is a count, or minor units of the program's currency."""

    __tablename__ = "agreement_kpis"

    agreement_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    metric: Mapped[str] = mapped_column(String(40))
    target: Mapped[int] = mapped_column(BigInteger)
    period: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer, default=0)

    agreement: Mapped[Agreement] = relationship(back_populates="kpis")


class AgreementMilestone(IdMixin, Base):
    """A dated goal: measured from the data (``metric`` and ``target`` over the term's start
    to the due date) or ticked by hand (``done_at``)."""

    __tablename__ = "agreement_milestones"

    agreement_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date)
    metric: Mapped[str | None] = mapped_column(String(40))
    target: Mapped[int | None] = mapped_column(BigInteger)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    done_by_label: Mapped[str | None] = mapped_column(String(320))

    agreement: Mapped[Agreement] = relationship(back_populates="milestones")


class OnboardingItem(IdMixin, Base):
    """One step of a signed partner's onboarding, from the template applied at signing."""

    __tablename__ = "onboarding_items"
    __table_args__ = (UniqueConstraint("agreement_id", "key"),)

    agreement_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)
    owner_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    # Who ticked it: a person, or "system" when the data showed it done.
    done_by_label: Mapped[str | None] = mapped_column(String(320))
