"""Made to order: a buyer's request, the artisan's quote, the frozen terms, payments and progress posts."""
import enum
from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.models.base import Base, now_utc


class CommissionStatus(str, enum.Enum):
    REQUESTED = "requested"        # the buyer asked; the artisan has not answered
    QUOTED = "quoted"              # price, weeks and deposit share sent to the buyer
    ACCEPTED = "accepted"          # the buyer accepted; the deposit Checkout Session is open
    IN_PROGRESS = "in_progress"    # deposit paid, advance owed to her, she is weaving
    FINISHED = "finished"          # garment done; the balance link is out
    COMPLETED = "completed"        # balance paid: an order, shipped like any order
    DECLINED = "declined"          # the artisan (or a coordinator) said no
    EXPIRED = "expired"            # the quote ran out before the buyer paid the deposit
    CANCELLED = "cancelled"        # the buyer cancelled before work started (deposit refunded)
    NOT_FINISHED = "not_finished"  # she could not finish: full refund, advance kept with a reason
    SOLD_IN_SHOP = "sold_in_shop"  # balance never paid: garment to the shop, deposit kept
    REFUNDED = "refunded"          # balance never paid: deposit refunded, garment to the shop


COMMISSION_STATUSES = tuple(s.value for s in CommissionStatus)
OPEN_STATUSES = ("requested", "quoted", "accepted", "in_progress", "finished")


class Commission(Base):
    """One made-to-order garment. Money in minor units; `*_mxn` in centavos, the rest in `currency`.

    The quote is in pesos (she prices in pesos); everything the buyer pays is frozen on acceptance:
    the exchange rate, the total, deposit and balance in her currency, and the artisan's share and
    advance in pesos. Nothing is re-read from today's settings or rates afterwards.
    """
    __tablename__ = "commissions"
    __table_args__ = (
        CheckConstraint("status IN (%s)" % ", ".join(f"'{s}'" for s in COMMISSION_STATUSES),
                        name="status_known"),
        CheckConstraint("deposit_bp IS NULL OR (deposit_bp >= 5000 AND deposit_bp <= 10000)",
                        name="deposit_at_least_half"),
        CheckConstraint("price_mxn IS NULL OR price_mxn > 0", name="price_positive"),
        CheckConstraint("total_amount IS NULL OR deposit_amount + balance_amount = total_amount",
                        name="deposit_plus_balance_is_total"),
        CheckConstraint("artisan_share_mxn IS NULL OR advance_mxn + remaining_share_mxn = artisan_share_mxn",
                        name="advance_plus_rest_is_share"),
        CheckConstraint("amount_refunded >= 0", name="refund_not_negative"),
        Index("ix_commissions_status_created_at", "status", "created_at"),
        Index("ix_commissions_artisan_id_status", "artisan_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_token: Mapped[str] = mapped_column(String(64), unique=True)
    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id"))
    reference_product_id: Mapped[Optional[int]] = mapped_column(ForeignKey("products.id"))
    status: Mapped[str] = mapped_column(String(16), default=CommissionStatus.REQUESTED.value)
    # The request, as the buyer wrote it.
    size: Mapped[str] = mapped_column(String(80))
    colours: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    reference_photo_hash: Mapped[Optional[str]] = mapped_column(String(64))
    reference_photo_path: Mapped[Optional[str]] = mapped_column(String(255))
    reference_photo_width: Mapped[Optional[int]]
    buyer_email: Mapped[str] = mapped_column(String(254))
    buyer_country: Mapped[str] = mapped_column(String(2))
    locale: Mapped[str] = mapped_column(String(8), default="en")
    currency: Mapped[str] = mapped_column(String(3))
    # The quote, in pesos, built with the fair-price calculator.
    materials_cost_mxn: Mapped[Optional[int]]
    hours_of_work: Mapped[Optional[int]]
    hourly_rate_mxn: Mapped[Optional[int]]
    price_mxn: Mapped[Optional[int]]
    weeks_of_work: Mapped[Optional[int]]
    deposit_bp: Mapped[Optional[int]]
    quote_message: Mapped[Optional[str]] = mapped_column(Text)
    quoted_at: Mapped[Optional[datetime]]
    quoted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    quote_expires_at: Mapped[Optional[datetime]]
    # Terms frozen when the buyer accepts.
    exchange_rate: Mapped[Optional[Decimal]] = mapped_column(Numeric(18, 8))
    exchange_rate_id: Mapped[Optional[int]] = mapped_column(ForeignKey("exchange_rates.id"))
    total_amount: Mapped[Optional[int]]
    deposit_amount: Mapped[Optional[int]]
    balance_amount: Mapped[Optional[int]]
    deposit_mxn: Mapped[Optional[int]]
    balance_mxn: Mapped[Optional[int]]
    commission_bp: Mapped[Optional[int]]
    artisan_share_mxn: Mapped[Optional[int]]
    advance_mxn: Mapped[Optional[int]]
    remaining_share_mxn: Mapped[Optional[int]]
    accepted_at: Mapped[Optional[datetime]]
    # Payments.
    deposit_session_id: Mapped[Optional[str]] = mapped_column(String(255), unique=True)
    deposit_payment_intent_id: Mapped[Optional[str]] = mapped_column(String(255), index=True)
    deposit_paid_at: Mapped[Optional[datetime]]
    finished_at: Mapped[Optional[datetime]]
    balance_session_id: Mapped[Optional[str]] = mapped_column(String(255), unique=True)
    balance_payment_intent_id: Mapped[Optional[str]] = mapped_column(String(255), index=True)
    balance_paid_at: Mapped[Optional[datetime]]
    amount_refunded: Mapped[int] = mapped_column(default=0)
    # When `flask commissions sweep` told the cooperative the balance is unpaid past its set days (once).
    balance_flagged_at: Mapped[Optional[datetime]]
    # The garment she made (a product of hers) and the order that ships it.
    made_product_id: Mapped[Optional[int]] = mapped_column(ForeignKey("products.id"))
    order_id: Mapped[Optional[int]] = mapped_column(ForeignKey("orders.id"))
    # A recorded decision when things go wrong (cancellation, unpaid balance, not finished).
    decision_reason: Mapped[Optional[str]] = mapped_column(Text)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[Optional[datetime]]
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)

    artisan: Mapped["Artisan"] = relationship()  # noqa: F821
    reference_product: Mapped[Optional["Product"]] = relationship(  # noqa: F821
        foreign_keys=[reference_product_id])
    order: Mapped[Optional["Order"]] = relationship()  # noqa: F821
    posts: Mapped[list["CommissionPost"]] = relationship(
        back_populates="commission", cascade="all, delete-orphan", order_by="CommissionPost.created_at")


class CommissionPost(Base):
    """A dated progress post on a commission: a photo, a voice note, a written note, or several."""
    __tablename__ = "commission_posts"
    __table_args__ = (
        CheckConstraint("note <> '' OR photo_hash IS NOT NULL OR voice_hash IS NOT NULL",
                        name="note_photo_or_voice"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commission_id: Mapped[int] = mapped_column(ForeignKey("commissions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    photo_hash: Mapped[Optional[str]] = mapped_column(String(64))
    photo_path: Mapped[Optional[str]] = mapped_column(String(255))
    photo_width: Mapped[Optional[int]]
    # A voice note through storefront.media.audio (checked, transcoded to Opus, stripped).
    voice_hash: Mapped[Optional[str]] = mapped_column(String(64))
    voice_duration_ms: Mapped[Optional[int]]
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    commission: Mapped[Commission] = relationship(back_populates="posts")
