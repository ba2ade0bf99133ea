from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, TimestampMixin


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (Index("uq_users_email_lower", func.lower("email"), unique=True),)

    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    email_verified_at: Mapped[datetime | None]
    # Raised by a password change or reset: access tokens carry the version they were issued under
    # (claim `ver`), and one from before the change is refused.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # TOTP two-factor sign-in (auth/two_factor.py): the base32 secret, set at enrolment and active once a
    # code confirmed it; the last accepted time step, so a code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
