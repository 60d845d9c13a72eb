"""The artisan ledger, payouts and income baselines."""
import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.models.base import Base, now_utc


class LedgerKind(str, enum.Enum):
    SALE = "sale"            # her share of a paid order line (credit)
    REFUND = "refund"        # reversal of a share when a line is refunded (debit)
    PAYOUT = "payout"        # money handed to her (debit)
    ADJUSTMENT = "adjustment"  # correction with a written reason (either sign)
    ADVANCE = "advance"      # her share of a commission's deposit, owed at once (credit); reversed (debit)


class LedgerEntry(Base):
    """Append-only. Amount is signed, in MXN centavos: credits positive, debits negative."""
    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("kind IN ('sale', 'refund', 'payout', 'adjustment', 'advance')", name="kind_known"),
        CheckConstraint("currency = 'MXN'", name="in_mxn"),
        CheckConstraint(
            "(kind = 'sale' AND amount >= 0) OR (kind IN ('refund', 'payout') AND amount <= 0)"
            " OR (kind = 'adjustment' AND reason IS NOT NULL AND reason <> '')"
            " OR (kind = 'advance' AND commission_id IS NOT NULL)",
            name="sign_matches_kind"),
        Index("ix_ledger_entries_artisan_id_occurred_at", "artisan_id", "occurred_at"),
        Index("ix_ledger_entries_occurred_at_kind", "occurred_at", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    order_line_id: Mapped[Optional[int]] = mapped_column(ForeignKey("order_lines.id"), index=True)
    payout_id: Mapped[Optional[int]] = mapped_column(ForeignKey("payouts.id"), index=True)
    commission_id: Mapped[Optional[int]] = mapped_column(ForeignKey("commissions.id"), index=True)
    # Makes crediting exactly-once: e.g. "sale:line:42", "refund:re_123:line:42".
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(255), unique=True)
    reason: Mapped[Optional[str]] = mapped_column(Text)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=now_utc)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class PayoutMethod(str, enum.Enum):
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    MOBILE_MONEY = "mobile_money"


class Payout(Base):
    __tablename__ = "payouts"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("currency = 'MXN'", name="in_mxn"),
        CheckConstraint("method IN ('cash', 'bank_transfer', 'mobile_money')", name="method_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id"), index=True)
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    method: Mapped[str] = mapped_column(String(16))
    reference: Mapped[Optional[str]] = mapped_column(String(120))
    note: Mapped[Optional[str]] = mapped_column(Text)
    paid_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    paid_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    artisan: Mapped["Artisan"] = relationship()  # noqa: F821
    paid_by: Mapped["User"] = relationship()  # noqa: F821


class IncomeBaseline(Base):
    """What she earned per month from her craft when the programme started."""
    __tablename__ = "income_baselines"
    __table_args__ = (
        CheckConstraint("monthly_income_amount >= 0", name="income_not_negative"),
        CheckConstraint("currency = 'MXN'", name="in_mxn"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id"), unique=True)
    survey_date: Mapped[date]
    monthly_income_amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    had_sales: Mapped[bool]
    kept_records: Mapped[bool]
    notes: Mapped[Optional[str]] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)

    artisan: Mapped["Artisan"] = relationship()  # noqa: F821


class EmpowermentSurvey(Base):
    """The short questionnaire a coordinator records for her: at the baseline, then at the end of a period.

    Four statements answered on a 1–4 scale (storefront.earnings.survey holds their wording); the
    first two measure economic and business empowerment, the last two technological and digital.
    """
    __tablename__ = "empowerment_surveys"
    __table_args__ = (
        CheckConstraint("wave IN ('baseline', 'end')", name="wave_known"),
        CheckConstraint("sets_own_prices BETWEEN 1 AND 4 AND earns_on_her_own BETWEEN 1 AND 4 "
                        "AND sells_by_phone BETWEEN 1 AND 4 AND checks_payments_online BETWEEN 1 AND 4",
                        name="answers_on_scale"),
        UniqueConstraint("artisan_id", "wave", "surveyed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id"), index=True)
    wave: Mapped[str] = mapped_column(String(8))
    surveyed_on: Mapped[date]
    sets_own_prices: Mapped[int]
    earns_on_her_own: Mapped[int]
    sells_by_phone: Mapped[int]
    checks_payments_online: Mapped[int]
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    @property
    def economic_score(self) -> int:
        return self.sets_own_prices + self.earns_on_her_own

    @property
    def digital_score(self) -> int:
        return self.sells_by_phone + self.checks_payments_online
