from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType, TimestampMixin


class StripeConnection(IdMixin, TimestampMixin, Base):
    """An account's own Stripe key, encrypted at rest and never returned by the API."""

    __tablename__ = "stripe_connections"

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), unique=True)
    secret_key_encrypted: Mapped[str] = mapped_column(Text)
    webhook_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(8))
    key_last4: Mapped[str] = mapped_column(String(4))
    last_import_at: Mapped[datetime | None]
