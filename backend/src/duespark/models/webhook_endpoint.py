from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType, TimestampMixin


class WebhookEndpoint(IdMixin, TimestampMixin, Base):
    """A URL of the account's that receives signed events (Standard Webhooks), see outgoing_webhooks/."""

    __tablename__ = "webhook_endpoints"

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(String(200), default="")
    # The event types it receives, e.g. ["invoice.paid", "reminder.sent"].
    event_types: Mapped[list[str]] = mapped_column(JSON)
    # `whsec_...`, encrypted like the Stripe key (payments/crypto.py); shown once, at creation or rotation.
    secret_encrypted: Mapped[str] = mapped_column(Text)
    # After a rotation the old secret signs too, until then, so receivers can switch without losing events.
    previous_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    previous_secret_expires_at: Mapped[datetime | None]
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    disabled_at: Mapped[datetime | None]
    # The first failed attempt since the last 2xx (None while it answers): decides when it is disabled.
    failing_since: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
