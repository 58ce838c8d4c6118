"""Sales that no partner earned: lines of the company's own shop with no known customer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qudao.core import clock
from qudao.db.base import Base, BigId, IdMixin, UTCDateTime


class DirectSale(IdMixin, Base):
    """One line sold without a partner (negative amount for a cancellation). Kept so that
    dashboards can set the channel's revenue beside the company's whole revenue."""

    __tablename__ = "direct_sales"

    program_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("programs.id", ondelete="SET NULL"), index=True
    )
    external_ref: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default="sale")  # sale | refund | fee
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sku: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    country: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

