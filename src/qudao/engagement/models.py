"""Cadence with signed partners: follow-up tasks (weekly, or action items of a meeting),
meeting notes, and alerts such as "signed, then nothing"."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qudao.core import clock
from qudao.db.base import Base, BigId, IdMixin, TimestampMixin, UTCDateTime

TASK_KINDS = ("weekly", "action_item")


class Meeting(IdMixin, TimestampMixin, Base):
    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_partner_held", "partner_id", "held_on"),)

    partner_id: Mapped[int] = mapped_column(BigId, ForeignKey("partners.id", ondelete="CASCADE"))
    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )


class FollowUpTask(IdMixin, TimestampMixin, Base):
    """A weekly follow-up (one per partner and ISO week: ``period_key`` "2026-W48") or an
    action item, usually of a meeting."""

    __tablename__ = "follow_up_tasks"
    # Generation runs again and again; the key makes a second run add nothing.
    __table_args__ = (UniqueConstraint("partner_id", "kind", "period_key"),
                      Index("ix_follow_up_tasks_owner_open", "owner_user_id", "done_at"))

    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    # Empty for weekly tasks: their title is written in the reader's language when shown.
    title: Mapped[str | None] = mapped_column(String(300))
    owner_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    meeting_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    period_key: Mapped[str | None] = mapped_column(String(10))


class Alert(IdMixin, Base):
    """Something a channel manager should look at. The message is written per kind from
    ``params`` in the reader's language; ``dedupe_key`` makes raising idempotent."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_open", "resolved_at", "raised_at"),)

    kind: Mapped[str] = mapped_column(String(40), index=True)
    partner_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    # A JSON object of the message's parameters (names, numbers, dates as text).
    params: Mapped[str] = mapped_column(Text, default="{}")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    # "auto" when the condition went away, "manual" when someone acknowledged it.
    resolution: Mapped[str | None] = mapped_column(String(10))

    @property
    def message_params(self) -> dict[str, str | int]:
        loaded = json.loads(self.params or "{}")
        if not isinstance(loaded, dict):
            return {}
        return {str(k): v if isinstance(v, int) else str(v) for k, v in loaded.items()}

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
