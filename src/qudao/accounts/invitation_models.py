"""Invitations of partner users to the portal: a link with a random token, of which only
the SHA-256 digest is kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qudao.db.base import Base, BigId, IdMixin, UTCDateTime
from qudao.partners.models import Partner


class Invitation(IdMixin, Base):
    __tablename__ = "invitations"

    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), index=True)
    # partner_admin | partner_member
    role: Mapped[str] = mapped_column(String(32))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    invited_by_label: Mapped[str | None] = mapped_column(String(320))

    partner: Mapped[Partner] = relationship(lazy="joined")
