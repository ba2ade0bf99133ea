from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, SmallInteger, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType, TimestampMixin


class DigestPreference(IdMixin, TimestampMixin, Base):
    """A member's daily digest settings for one account (digest/). No row: on, at 07:00, in the
    account's timezone and language."""

    __tablename__ = "digest_preferences"
    __table_args__ = (UniqueConstraint("account_id", "user_id"),)

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The local hour (0-23) from which the day's digest goes out.
    send_hour: Mapped[int] = mapped_column(SmallInteger, default=7, server_default="7")
    # The member's own timezone and language; None follows the account's.
    timezone: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(16))


class DigestSend(IdMixin, Base):
    """One member's digest of one local date, sent or found empty: the unique key is what makes two
    workers (or two ticks) produce it once."""

    __tablename__ = "digest_sends"
    __table_args__ = (UniqueConstraint("user_id", "account_id", "local_date"),)

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id", ondelete="CASCADE"))
    local_date: Mapped[date]
    # The outbox row of the email; None when the day had nothing to say.
    message_id: Mapped[int | None] = mapped_column(IdType)
    created_at: Mapped[datetime]
