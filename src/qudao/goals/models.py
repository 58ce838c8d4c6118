"""Tables of the goals domain: a SMART goal is a metric of the catalogue, a target, a window
of dates and the person responsible. Its progress is never stored: it is measured from the
data every time it is read."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from qudao.db.base import Base, BigId, IdMixin, TimestampMixin, UTCDateTime


class Goal(IdMixin, TimestampMixin, Base):
    __tablename__ = "goals"

    program_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    # Free text such as the guide's own sentence: "6个月内通过渠道获取100个新客户".
    title: Mapped[str | None] = mapped_column(String(300))
    metric: Mapped[str] = mapped_column(String(40))
    # A count, or minor units of ``currency`` for a money metric.
    target: Mapped[int] = mapped_column(BigInteger)
    # The program's currency when the goal was set; only money metrics have one.
    currency: Mapped[str | None] = mapped_column(String(3))
    # Required for a partner's pilot customers; an optional filter for the other metrics.
    partner_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="RESTRICT"), index=True
    )
    # The goal runs over [start, deadline), from 00:00 UTC of each date.
    start: Mapped[date] = mapped_column("start_date", Date)
    deadline: Mapped[date] = mapped_column(Date)
    owner_user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    created_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None
