"""Referral links (a partner's code that leads to the company's site) and the traffic
events attributed through them: visits, sign-ups, trials and paid conversions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from qudao.core import clock
from qudao.db.base import Base, BigId, IdMixin, TimestampMixin, UTCDateTime

EVENT_KINDS = ("visit", "signup", "trial", "paid")


class ReferralLink(IdMixin, TimestampMixin, Base):
    __tablename__ = "referral_links"

    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    # Random base62: knowing one code tells nothing about another.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    landing_url: Mapped[str] = mapped_column(String(2000))
    label: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )


class ReferralEvent(IdMixin, Base):
    """One step of a visitor or customer: ``partner_id`` is the partner credited (by the
    last click within the attribution window), or empty when nobody is."""

    __tablename__ = "referral_events"
    __table_args__ = (
        Index("ix_referral_events_partner_kind_time", "partner_id", "kind", "occurred_at"),
        Index("ix_referral_events_visitor_time", "visitor_id", "occurred_at"),
        Index("ix_referral_events_customer_time", "customer_id", "occurred_at"),
    )

    kind: Mapped[str] = mapped_column(String(10))
    partner_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="CASCADE")
    )
    link_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("referral_links.id", ondelete="SET NULL"), index=True
    )
    visitor_id: Mapped[str | None] = mapped_column(String(128))
    customer_id: Mapped[str | None] = mapped_column(String(128))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(String(10), default="api")  # link | api
    # Generated for the demo, never real traffic: shown as such wherever it appears.
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
