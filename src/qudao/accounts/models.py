"""Users, their server-side sessions, and API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qudao.accounts.roles import Role
from qudao.db.base import Base, BigId, IdMixin, TimestampMixin, UTCDateTime
from qudao.partners.models import Partner

ROLE_TYPE = Enum(Role, name="role", native_enum=False, length=32,
                 values_callable=lambda roles: [r.value for r in roles])


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role IN ('partner_admin', 'partner_member')) = (partner_id IS NOT NULL)",
            name="partner_roles_have_partner",
        ),
    )

    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(ROLE_TYPE)
    partner_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="RESTRICT"), index=True
    )
    locale: Mapped[str | None] = mapped_column(String(8))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partner: Mapped[Partner | None] = relationship(foreign_keys=[partner_id], lazy="joined")


class UserSession(Base):
    """A login. The cookie holds a random token; the table holds only its SHA-256."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship(lazy="joined")


class ApiKey(IdMixin, Base):
    """A Bearer key for a partner (partner API) or for staff automation (acts as a user)."""

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint("(partner_id IS NULL) <> (user_id IS NULL)", name="one_owner"),
    )

    name: Mapped[str] = mapped_column(String(120))
    partner_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    # Keyed digest (HMAC-SHA256 with the server secret): the only trace of the secret.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    display_prefix: Mapped[str] = mapped_column(String(24))
    last4: Mapped[str] = mapped_column(String(4))
    read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rotated_from_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("api_keys.id", ondelete="SET NULL")
    )

    partner: Mapped[Partner | None] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="joined")

    def is_usable(self, at: datetime) -> bool:
        if self.revoked_at is not None and self.revoked_at <= at:
            return False
        return self.expires_at is None or at < self.expires_at


from qudao.accounts import invitation_models as invitation_models  # noqa: E402
