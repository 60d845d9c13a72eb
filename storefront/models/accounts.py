"""People who log in, and the audit log of what they changed."""
import enum
import secrets
from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.models.base import Base, now_utc


class Role(str, enum.Enum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    ARTISAN = "artisan"


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'coordinator', 'artisan')", name="role_known"),
        CheckConstraint("role <> 'artisan' OR artisan_id IS NOT NULL", name="artisan_login_has_profile"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[Optional[str]] = mapped_column(String(32), unique=True)
    email: Mapped[Optional[str]] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    artisan_id: Mapped[Optional[int]] = mapped_column(ForeignKey("artisans.id"), unique=True)
    locale: Mapped[Optional[str]] = mapped_column(String(8))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # A one-time code a coordinator hands to an artisan without email; hashed like a password.
    one_time_code_hash: Mapped[Optional[str]] = mapped_column(String(255))
    one_time_code_expires_at: Mapped[Optional[datetime]]
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    last_login_at: Mapped[Optional[datetime]]
    # Part of every session's and remember-me cookie's id (`get_id`); replacing it ends them all.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    # Two-factor (TOTP): the base32 secret, set at enrolment and confirmed by a first good code.
    totp_secret: Mapped[Optional[str]] = mapped_column(String(64))
    totp_confirmed_at: Mapped[Optional[datetime]]
    totp_last_counter: Mapped[Optional[int]]  # the last time step accepted: a code works once
    recovery_code_hashes: Mapped[Optional[list]] = mapped_column(JSON)

    artisan: Mapped[Optional["Artisan"]] = relationship(back_populates="user")  # noqa: F821

    @property
    def is_active(self):
        return self.is_active_account

    def get_id(self):
        """Flask-Login's alternative id: the session token is part of it, so a new token ends
        every session and remember-me cookie issued before it."""
        return f"{self.id}:{self.session_token}"

    @property
    def two_factor_enabled(self):
        return self.totp_secret is not None and self.totp_confirmed_at is not None

    @property
    def two_factor_required(self):
        """Admins must confirm logins with a code; coordinators may; artisans are never asked to."""
        return self.role == Role.ADMIN.value

    @property
    def is_admin(self):
        return self.role == Role.ADMIN.value

    @property
    def is_staff(self):
        """Admins and coordinators act for any artisan."""
        return self.role in (Role.ADMIN.value, Role.COORDINATOR.value)

    def __repr__(self):
        return f"<User {self.username} {self.role}>"


class AuditEntry(Base):
    """Who did what, for which artisan, when; `changes` maps a field to [before, after]."""
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    artisan_id: Mapped[Optional[int]] = mapped_column(ForeignKey("artisans.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[Optional[int]]
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now_utc, index=True)

    actor: Mapped[Optional[User]] = relationship(foreign_keys=[actor_id])
    artisan: Mapped[Optional["Artisan"]] = relationship()  # noqa: F821


class LoginBlock(Base):
    """A login throttle that tripped: staff see it and may clear it before it ends by itself."""
    __tablename__ = "login_blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "pair" (user name + address) or "address"
    username: Mapped[Optional[str]] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    blocked_at: Mapped[datetime] = mapped_column(default=now_utc)
    blocked_until: Mapped[datetime] = mapped_column(index=True)
    cleared_at: Mapped[Optional[datetime]]
    cleared_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
