"""The email outbox: each email is a row written in the transaction that justifies it."""
import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storefront.models.base import Base, now_utc


class EmailStatus(str, enum.Enum):
    PENDING = "pending"    # waiting for the worker (again, after a failed attempt)
    SENT = "sent"
    FAILED = "failed"      # gave up after the last attempt; staff can see it


class OutboxEmail(Base):
    """One rendered email (its whole RFC 5322 text) and its delivery attempts."""
    __tablename__ = "email_outbox"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status_known"),
        Index("ix_email_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Makes queueing idempotent: e.g. "order:42:confirmation", "refund:re_123".
    key: Mapped[Optional[str]] = mapped_column(String(255), unique=True)
    template: Mapped[str] = mapped_column(String(80))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=EmailStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=now_utc)
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    sent_at: Mapped[Optional[datetime]]
