"""What the partner API records: calls per day and endpoint, and which products were
recommended to which user (for conversions)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from qudao.db.base import Base, BigId


class ApiUsage(Base):
    """Calls of one partner to one endpoint on one day (UTC)."""

    __tablename__ = "api_usage"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True
    )
    endpoint: Mapped[str] = mapped_column(String(60), primary_key=True)
    calls: Mapped[int] = mapped_column(BigInteger, default=0)


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
