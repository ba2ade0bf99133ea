from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin


class WebhookEvent(IdMixin, Base):
    """The inbox of incoming provider webhooks: stored once per (source, event id), then handled once."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
    # Why the event changed nothing (unknown invoice, currency mismatch); kept for support.
    error: Mapped[str | None] = mapped_column(Text)
