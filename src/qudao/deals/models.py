"""Registered deals, their lines, the customer claims that protect them, the refused
registrations staff review, and the replay records of idempotent creates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qudao.core import clock
from qudao.core.money import from_minor
from qudao.db.base import Base, BigId, IdMixin, TimestampMixin, UTCDateTime

DEAL_STAGES = ("registered", "approved", "rejected", "won", "lost")


class Deal(IdMixin, TimestampMixin, Base):
    __tablename__ = "deals"
    __table_args__ = (Index("ix_deals_partner_stage", "partner_id", "stage"),)

    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="RESTRICT"), index=True
    )
    program_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("programs.id", ondelete="SET NULL"), index=True
    )
    customer_name: Mapped[str] = mapped_column(String(200))
    # Normalised registrable domain (from a website or an e-mail address): a protection key.
    customer_domain: Mapped[str | None] = mapped_column(String(253), index=True)
    customer_email: Mapped[str | None] = mapped_column(String(320))
    # Normalised tax id (upper case, no spaces or dashes): the other protection key.
    customer_tax_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # Identifies the customer in imported transactions (the demo's customer ids).
    customer_ref: Mapped[str | None] = mapped_column(String(128), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    expected_close: Mapped[date | None] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(12), default="registered", index=True)
    stage_reason: Mapped[str | None] = mapped_column(Text)
    protected_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # requested | granted | refused
    extension_state: Mapped[str | None] = mapped_column(String(10))
    extension_reason: Mapped[str | None] = mapped_column(Text)
    sales_rep_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    registered_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    registered_by_key_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("api_keys.id", ondelete="SET NULL")
    )
    source: Mapped[str] = mapped_column(String(10), default="staff")  # portal|api|staff|import
    # An outside reference, such as the invoice number of an imported sale.
    external_ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    lines: Mapped[list[DealLine]] = relationship(
        back_populates="deal", cascade="all, delete-orphan", order_by="DealLine.id"
    )

    @property
    def amount(self) -> Decimal:
        return from_minor(self.amount_minor, self.currency)


class DealLine(IdMixin, Base):
    """A product on a deal: planned at registration (``kind`` "registered"), or sold, with
    its price, when the deal is won ("won"). Commissions and recommendations read won lines."""

    __tablename__ = "deal_lines"

    deal_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("deals.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10), default="registered")
    product_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="RESTRICT"), index=True
    )
    sku: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int | None] = mapped_column(BigInteger)
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))

    deal: Mapped[Deal] = relationship(back_populates="lines")

    @property
    def unit_price(self) -> Decimal | None:
        if self.unit_price_minor is None:
            return None
        return from_minor(self.unit_price_minor, self.currency)

    @property
    def amount(self) -> Decimal | None:
        return None if self.amount_minor is None else from_minor(self.amount_minor,
                                                                 self.currency)


class CustomerClaim(IdMixin, Base):
    """Which deal holds a customer key ("domain:acme.cn", "tax:91310000…") and until when.

    The unique key is what makes 32 simultaneous registrations of one customer give exactly
    one winner on every database."""

    __tablename__ = "customer_claims"

    key: Mapped[str] = mapped_column(String(300), unique=True)
    deal_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("deals.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    protected_until: Mapped[datetime] = mapped_column(UTCDateTime)


class IdempotencyRecord(IdMixin, Base):
    """The first response to a create with an ``Idempotency-Key``, replayed for the same key
    and body; another body under the same key is refused."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    # Who sent it: "key:<api key id>" or "user:<user id>"; keys never cross callers.
    scope: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)


class DealConflict(IdMixin, Base):
    """A registration refused because another deal protected the customer. Staff see it on
    the holding deal's page; neither partner does."""

    __tablename__ = "deal_conflicts"

    holder_deal_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("deals.id", ondelete="CASCADE"), index=True
    )
    claimant_partner_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    # The protection key that matched ("domain:acme.cn", "tax:91310000…").
    key: Mapped[str] = mapped_column(String(300))
    customer_name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(10))  # portal|api|staff|cli
    actor_label: Mapped[str | None] = mapped_column(String(320))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
