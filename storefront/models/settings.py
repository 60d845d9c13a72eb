"""What the cooperative configures: rates, shipping, commission, reference lines."""
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.models.base import Base, now_utc


class ExchangeRate(Base):
    """Units of `currency` for one MXN, valid from `set_at` until a newer row."""
    __tablename__ = "exchange_rates"
    __table_args__ = (
        CheckConstraint("rate > 0", name="rate_positive"),
        Index("ix_exchange_rates_currency_set_at", "currency", "set_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 8))
    set_at: Mapped[datetime] = mapped_column(default=now_utc)
    set_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))


class ShippingZone(Base):
    __tablename__ = "shipping_zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # Comma-separated ISO 3166 alpha-2 codes; "*" means every country not in another zone.
    countries: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    rates: Mapped[list["ShippingRate"]] = relationship(
        back_populates="zone", cascade="all, delete-orphan", order_by="ShippingRate.min_value")


class ShippingRate(Base):
    """A price band: by total weight in grams, or by item count."""
    __tablename__ = "shipping_rates"
    __table_args__ = (
        CheckConstraint("basis IN ('weight', 'items')", name="basis_known"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("min_value >= 0 AND (max_value IS NULL OR max_value >= min_value)",
                        name="band_valid"),
        CheckConstraint("currency = 'MXN'", name="in_mxn"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("shipping_zones.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    basis: Mapped[str] = mapped_column(String(8), default="weight")
    min_value: Mapped[int] = mapped_column(default=0)
    max_value: Mapped[Optional[int]]
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    delivery_days_min: Mapped[Optional[int]]
    delivery_days_max: Mapped[Optional[int]]

    zone: Mapped[ShippingZone] = relationship(back_populates="rates")


class CooperativeSettings(Base):
    """A single row (id 1). Percentages in basis points (1500 = 15 %), money in MXN centavos."""
    __tablename__ = "cooperative_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("commission_bp >= 0 AND commission_bp < 10000", name="commission_in_range"),
        CheckConstraint("overhead_bp >= 0 AND overhead_bp < 10000", name="overhead_in_range"),
        CheckConstraint("card_fee_bp >= 0 AND card_fee_bp < 10000", name="card_fee_in_range"),
        CheckConstraint("fair_hourly_rate_amount >= 0 AND card_fee_fixed_amount >= 0",
                        name="amounts_not_negative"),
        CheckConstraint("commission_deposit_min_bp >= 5000 AND commission_deposit_min_bp <= 10000",
                        name="deposit_at_least_half"),
        CheckConstraint("advance_cancellation_policy IN ('reverse', 'write_off')",
                        name="advance_policy_known"),
        CheckConstraint("balance_decision_days > 0 AND quote_valid_days > 0",
                        name="commission_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    commission_bp: Mapped[int]
    fair_hourly_rate_amount: Mapped[int]
    overhead_bp: Mapped[int]
    # Estimate used before Stripe reports the real fee (calculator and storefront breakdown).
    card_fee_bp: Mapped[int]
    card_fee_fixed_amount: Mapped[int]
    programme_start: Mapped[date]
    # Tsotsil and Tseltal interfaces on the public pages too (always offered in the studio).
    public_indigenous_languages: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Made to order (WFTO principle 3: a prepayment of at least half, on the producer's request).
    commission_deposit_min_bp: Mapped[int] = mapped_column(default=5000, server_default="5000")
    # When a buyer cancels after paying the deposit: "reverse" her advance against future earnings,
    # or "write_off" (she keeps it; the cooperative absorbs it, with a written reason).
    advance_cancellation_policy: Mapped[str] = mapped_column(String(16), default="reverse",
                                                             server_default="reverse")
    # Days after the balance link before the cooperative may decide on an unpaid balance.
    balance_decision_days: Mapped[int] = mapped_column(default=30, server_default="30")
    quote_valid_days: Mapped[int] = mapped_column(default=14, server_default="14")
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)


class ReferenceLine(Base):
    """A dated reference income (minimum wage, poverty lines), kept as data, not constants."""
    __tablename__ = "reference_lines"
    __table_args__ = (UniqueConstraint("code", "effective_on"),
                      CheckConstraint("amount >= 0", name="amount_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(48))
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    period: Mapped[str] = mapped_column(String(8))  # "day", "hour" or "month"
    effective_on: Mapped[date]
    source: Mapped[str] = mapped_column(Text)


class DataVersion(Base):
    """A number database triggers move once per committed transaction that changes a group of tables
    ("catalog": garments, their texts and photos, artisans; "sales": orders, the ledger, payouts).

    Figures kept in memory (storefront.kept.kept_while) are recomputed when it moves, whichever process,
    command or bulk SQL statement made the change.
    """
    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
