"""People who log in, and the audit log of what they changed."""
import enum
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

    artisan: Mapped[Optional["Artisan"]] = relationship(back_populates="user")  # noqa: F821

    @property
    def is_active(self):
        return self.is_active_account

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
