"""Partner companies, from first contact (a candidate in the sourcing pipeline) to signed
partner: the tenants of the partner portal and the partner API."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qudao.core.money import from_minor
from qudao.db.base import Base, BigId, IdMixin, TimestampMixin, UTCDateTime


class Partner(IdMixin, TimestampMixin, Base):
    __tablename__ = "partners"

    name: Mapped[str] = mapped_column(String(200))
    # Case- and space-folded name: the key for duplicate detection.
    normalized_name: Mapped[str] = mapped_column(String(200), unique=True)
    website: Mapped[str | None] = mapped_column(String(300))
    # The website's registrable host without "www.": the second duplicate key.
    domain: Mapped[str | None] = mapped_column(String(253), index=True)
    country: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    partner_type: Mapped[str | None] = mapped_column(String(60))
    region: Mapped[str | None] = mapped_column(String(120))
    industry: Mapped[str | None] = mapped_column(String(120))
    employees: Mapped[int | None] = mapped_column(Integer)
    annual_revenue_minor: Mapped[int | None] = mapped_column(BigInteger)
    revenue_currency: Mapped[str | None] = mapped_column(String(3))
    source: Mapped[str | None] = mapped_column(String(60))
    referrer: Mapped[str | None] = mapped_column(String(200))
    # A JSON list of short labels.
    tags_json: Mapped[str | None] = mapped_column("tags", Text)
    owner_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL", use_alter=True), index=True
    )
    stage: Mapped[str] = mapped_column(String(20), default="sourced", index=True)
    stage_reason: Mapped[str | None] = mapped_column(Text)
    stage_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when this record was merged into another; the record stays for its history.
    merged_into_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="RESTRICT"), index=True
    )

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="partner", order_by="Contact.id", cascade="all, delete-orphan"
    )

    @property
    def tags(self) -> list[str]:
        loaded = json.loads(self.tags_json) if self.tags_json else []
        return [str(tag) for tag in loaded]

    @property
    def annual_revenue(self) -> Decimal | None:
        if self.annual_revenue_minor is None or self.revenue_currency is None:
            return None
        return from_minor(self.annual_revenue_minor, self.revenue_currency)


class Contact(IdMixin, TimestampMixin, Base):
    __tablename__ = "partner_contacts"

    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(60))
    wechat: Mapped[str | None] = mapped_column(String(60))

    partner: Mapped[Partner] = relationship(back_populates="contacts")


class StageEvent(IdMixin, Base):
    """One move through the pipeline: who, when, from where to where, and why."""

    __tablename__ = "partner_stage_events"

    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    actor_label: Mapped[str | None] = mapped_column(String(320))
    actor_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # True when a required due-diligence check was overridden by an administrator.
    override: Mapped[bool] = mapped_column(default=False)
