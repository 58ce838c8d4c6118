"""A company's partner program, its value proposition versions, its product catalogue and its
commission plans, all kept as data."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qudao.core import clock
from qudao.db.base import Base, BigId, DecimalText, IdMixin, TimestampMixin, UTCDateTime


def _json_list(raw: str | None) -> list[str]:
    return [str(item) for item in json.loads(raw)] if raw else []


class Program(IdMixin, TimestampMixin, Base):
    """One partner program of the company. Most companies have one; several are allowed."""

    __tablename__ = "programs"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    company_name: Mapped[str] = mapped_column(String(200))
    company_profile: Mapped[str | None] = mapped_column(Text)
    # Feeds the partner-type suggestion of screening.
    industry: Mapped[str | None] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3))
    default_locale: Mapped[str] = mapped_column(String(10), default="zh-CN")
    # Deal registration: how long a registered customer is protected for its partner.
    protection_days: Mapped[int] = mapped_column(Integer, default=90)
    # Referral attribution: how long a partner's last click keeps the credit.
    attribution_days: Mapped[int] = mapped_column(Integer, default=90)
    # Cadence: "signed, then nothing" after this many quiet days.
    inactivity_days: Mapped[int] = mapped_column(Integer, default=30)
    # Dashboards warn when one partner brings more than this share of channel revenue.
    concentration_alert_pct: Mapped[int] = mapped_column(Integer, default=40)
    # Support policy and exit terms (the partner kit).
    support_training: Mapped[str | None] = mapped_column(Text)
    support_marketing: Mapped[str | None] = mapped_column(Text)
    mdf_budget_minor: Mapped[int | None] = mapped_column(BigInteger)
    exit_terms: Mapped[str | None] = mapped_column(Text)


class ValueProposition(IdMixin, Base):
    """One saved version of a program's value proposition; a save never edits a version."""

    __tablename__ = "value_propositions"
    __table_args__ = (UniqueConstraint("program_id", "version"),)

    program_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    # The document itself (product, pains, USP, features, segments, benefits with proof
    # points, competitors, SWOT) as JSON, validated by programs.schemas.
    content_json: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(String(300))
    author_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Product(IdMixin, TimestampMixin, Base):
    """A product of the catalogue. Deals' lines and recommendations refer to its SKU."""

    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    features_json: Mapped[str | None] = mapped_column("features", Text)
    use_cases_json: Mapped[str | None] = mapped_column("use_cases", Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    prices: Mapped[list[ProductPrice]] = relationship(
        back_populates="product", cascade="all, delete-orphan",
        order_by="(ProductPrice.currency, ProductPrice.min_quantity)",
    )

    @property
    def features(self) -> list[str]:
        return _json_list(self.features_json)

    @property
    def use_cases(self) -> list[str]:
        return _json_list(self.use_cases_json)


class ProductPrice(IdMixin, Base):
    """A price tier: from ``min_quantity`` units on, each unit costs ``unit_price_minor``."""

    __tablename__ = "product_prices"
    __table_args__ = (UniqueConstraint("product_id", "currency", "min_quantity"),)

    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    min_quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)

    product: Mapped[Product] = relationship(back_populates="prices")


class CommissionPlan(IdMixin, TimestampMixin, Base):
    """A commission plan as data; the commissions engine reads it, nothing here computes.

    Tiered plans look at the partner's volume over the plan's period. ``tier_mode`` "whole"
    pays the reached tier's rate on the whole volume, "marginal" pays each band at its own
    rate. ``boundary`` "inclusive" means a volume equal to a threshold reaches that tier."""

    __tablename__ = "commission_plans"
    __table_args__ = (UniqueConstraint("program_id", "name"),)

    program_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(10), default="flat")  # flat | tiered
    flat_rate: Mapped[Decimal | None] = mapped_column(DecimalText)
    tier_mode: Mapped[str] = mapped_column(String(10), default="whole")  # whole | marginal
    boundary: Mapped[str] = mapped_column(String(10), default="inclusive")
    rounding_mode: Mapped[str] = mapped_column(String(12), default="half_up")
    rounding_level: Mapped[str] = mapped_column(String(10), default="line")  # line | statement
    period: Mapped[str] = mapped_column(String(10), default="month")  # month | quarter
    min_payout_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    cap_minor: Mapped[int | None] = mapped_column(BigInteger)
    # JSON list of SKUs that earn no commission.
    excluded_skus_json: Mapped[str | None] = mapped_column("excluded_skus", Text)
    # JSON object {tier name: extra rate}; partner tiers arrive with a later feature.
    tier_uplifts_json: Mapped[str | None] = mapped_column("tier_uplifts", Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    tiers: Mapped[list[PlanTier]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanTier.threshold_minor"
    )

    @property
    def excluded_skus(self) -> list[str]:
        return _json_list(self.excluded_skus_json)

    @property
    def tier_uplifts(self) -> dict[str, Decimal]:
        raw = json.loads(self.tier_uplifts_json) if self.tier_uplifts_json else {}
        return {str(name): Decimal(str(rate)) for name, rate in raw.items()}


class PlanTier(IdMixin, Base):
    """From ``threshold_minor`` of period volume on (see the plan's boundary), ``rate``."""

    __tablename__ = "commission_plan_tiers"
    __table_args__ = (UniqueConstraint("plan_id", "threshold_minor"),)

    plan_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("commission_plans.id", ondelete="CASCADE"), index=True
    )
    threshold_minor: Mapped[int] = mapped_column(BigInteger)
    rate: Mapped[Decimal] = mapped_column(DecimalText)

    plan: Mapped[CommissionPlan] = relationship(back_populates="tiers")
