from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType


class MessageEvent(IdMixin, Base):
    """What happened to a message after it left: delivered, bounced, complained (from provider webhooks)."""

    __tablename__ = "message_events"

    message_id: Mapped[int] = mapped_column(IdType, ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime]
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
