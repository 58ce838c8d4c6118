"""What the partner API records: calls per day and endpoint, and which products were
recommended to which user (for conversions)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from qudao.db.base import Base, BigId, UTCDateTime


class ApiUsage(Base):
    """Calls of one partner to one endpoint on one day (UTC)."""

    __tablename__ = "api_usage"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True
    )
    endpoint: Mapped[str] = mapped_column(String(60), primary_key=True)
    calls: Mapped[int] = mapped_column(BigInteger, default=0)
    # Of ``calls``, how many were generated for a demo rather than made by the partner.
    synthetic_calls: Mapped[int] = mapped_column(BigInteger, default=0)


class RecommendationShown(Base):
    """A product recommended to a partner's end user; a purchase of it by that user within
    the attribution window counts as the partner's conversion."""

    __tablename__ = "recommendations_shown"

    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date, index=True)
    # The end (exclusive) of the attribution window that the last showing opened.
    convert_until: Mapped[date | None] = mapped_column(Date)


class Purchase(Base):
    """One purchased line, imported from a transactions file (or, later, a won deal's line):
    what the recommender learns from and what a conversion is counted against."""

    __tablename__ = "purchases"
    __table_args__ = (Index("ix_purchases_customer_item", "customer_ref", "item_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invoice: Mapped[str] = mapped_column(String(40))
    customer_ref: Mapped[str] = mapped_column(String(128))
    item_id: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    country: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20), default="import")
