"""Orders, their lines, stock holds and the Stripe webhook events already processed."""
import enum
from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.models.base import Base, now_utc


class OrderStatus(str, enum.Enum):
    PENDING = "pending"              # created, Checkout Session open, stock held
    PROCESSING = "processing"        # completed but an asynchronous payment has not settled
    PAID = "paid"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    EXPIRED = "expired"              # session expired or cancelled: holds released
    PAYMENT_FAILED = "payment_failed"
    REFUNDED = "refunded"            # fully refunded
    NEEDS_REVIEW = "needs_review"    # paid amount/currency did not match the order


ORDER_STATUSES = tuple(s.value for s in OrderStatus)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("subtotal_amount >= 0 AND shipping_amount >= 0 AND total_amount >= 0",
                        name="amounts_not_negative"),
        CheckConstraint("amount_refunded >= 0 AND amount_refunded <= total_amount",
                        name="refund_within_total"),
        CheckConstraint("status IN (%s)" % ", ".join(f"'{s}'" for s in ORDER_STATUSES), name="status_known"),
        Index("ix_orders_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unguessable token for /orders/<token>: buyers follow their order without an account.
    public_token: Mapped[str] = mapped_column(String(64), unique=True)
    buyer_email: Mapped[Optional[str]] = mapped_column(String(254))
    buyer_name: Mapped[Optional[str]] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(8), default="en")
    currency: Mapped[str] = mapped_column(String(3))
    # Amounts in the order currency's minor unit.
    subtotal_amount: Mapped[int]
    shipping_amount: Mapped[int] = mapped_column(default=0)
    total_amount: Mapped[int]
    amount_refunded: Mapped[int] = mapped_column(default=0)
    # Units of `currency` per 1 MXN, as shown to the buyer (the rate row is kept for audit).
    exchange_rate: Mapped[Decimal] = mapped_column(Numeric(18, 8))
    exchange_rate_id: Mapped[Optional[int]] = mapped_column(ForeignKey("exchange_rates.id"))
    # The money terms frozen at checkout (lifecycle.start_checkout): the ledger credits from these,
    # never from today's settings. Basis points and MXN centavos, as in CooperativeSettings.
    commission_bp: Mapped[int] = mapped_column(default=0)
    card_fee_bp: Mapped[int] = mapped_column(default=0)
    card_fee_fixed_amount: Mapped[int] = mapped_column(default=0)
    shipping_zone_id: Mapped[Optional[int]] = mapped_column(ForeignKey("shipping_zones.id"))
    shipping_amount_mxn: Mapped[int] = mapped_column(default=0)
    shipping_country: Mapped[Optional[str]] = mapped_column(String(2))
    shipping_address: Mapped[Optional[dict]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=OrderStatus.PENDING.value)
    stripe_checkout_session_id: Mapped[Optional[str]] = mapped_column(String(255), unique=True)
    stripe_payment_intent_id: Mapped[Optional[str]] = mapped_column(String(255), index=True)
    stripe_charge_id: Mapped[Optional[str]] = mapped_column(String(255), index=True)
    # From Stripe's balance transaction, in the settlement currency.
    stripe_fee_amount: Mapped[Optional[int]]
    stripe_net_amount: Mapped[Optional[int]]
    stripe_settlement_currency: Mapped[Optional[str]] = mapped_column(String(3))
    stripe_exchange_rate: Mapped[Optional[Decimal]] = mapped_column(Numeric(18, 8))
    carrier: Mapped[Optional[str]] = mapped_column(String(80))
    tracking_number: Mapped[Optional[str]] = mapped_column(String(120))
    note: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)
    expires_at: Mapped[Optional[datetime]]
    paid_at: Mapped[Optional[datetime]] = mapped_column(index=True)
    packed_at: Mapped[Optional[datetime]]
    shipped_at: Mapped[Optional[datetime]]
    delivered_at: Mapped[Optional[datetime]]

    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id")
    holds: Mapped[list["StockHold"]] = relationship(back_populates="order")


class OrderLine(Base):
    """One garment in an order, with prices frozen at checkout in MXN and in the order currency."""
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("refunded_quantity >= 0 AND refunded_quantity <= quantity",
                        name="refund_within_quantity"),
        CheckConstraint("unit_price_mxn >= 0 AND unit_amount >= 0 AND line_amount >= 0",
                        name="amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(default=1)
    unit_price_mxn: Mapped[int]
    unit_amount: Mapped[int]          # order currency minor units
    line_amount: Mapped[int]          # unit_amount * quantity
    refunded_quantity: Mapped[int] = mapped_column(default=0)
    # Her share of the line as the storefront promised it at checkout (estimated card fee), in centavos.
    promised_artisan_share_mxn: Mapped[Optional[int]]

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped["Product"] = relationship()  # noqa: F821
    artisan: Mapped["Artisan"] = relationship()  # noqa: F821


class RefundStatus(str, enum.Enum):
    PENDING = "pending"      # reached us before the payment was recorded: applied when it is
    APPLIED = "applied"      # lines refunded and her shares reversed


class OrderRefund(Base):
    """A Stripe refund of an order's charge, recorded once (unique refund id) and applied once."""
    __tablename__ = "order_refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("status IN ('pending', 'applied')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    stripe_refund_id: Mapped[str] = mapped_column(String(255), unique=True)
    stripe_charge_id: Mapped[Optional[str]] = mapped_column(String(255))
    amount: Mapped[int]                 # order currency minor units
    currency: Mapped[str] = mapped_column(String(3))
    order_line_id: Mapped[Optional[int]] = mapped_column(ForeignKey("order_lines.id"))
    quantity: Mapped[Optional[int]]
    restock: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default=RefundStatus.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    applied_at: Mapped[Optional[datetime]]

    order: Mapped[Order] = relationship()


class HoldStatus(str, enum.Enum):
    ACTIVE = "active"
    CONVERTED = "converted"   # the order was paid: the held stock became a sale
    RELEASED = "released"     # expired or cancelled: stock given back


class StockHold(Base):
    """Stock taken out of `products.stock` while a Checkout Session is open."""
    __tablename__ = "stock_holds"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("status IN ('active', 'converted', 'released')", name="status_known"),
        Index("ix_stock_holds_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default=HoldStatus.ACTIVE.value)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    released_at: Mapped[Optional[datetime]]

    order: Mapped[Order] = relationship(back_populates="holds")


class WebhookEvent(Base):
    """A Stripe event id seen once; the unique constraint makes duplicate deliveries no-ops."""
    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    stripe_event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(default=now_utc)
    processed_at: Mapped[Optional[datetime]]
