from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType


class WebhookDelivery(IdMixin, Base):
    """One event for one endpoint: the transactional outbox row, written with the change it reports,
    then claimed, sent and retried by the worker (outgoing_webhooks/delivery.py)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # The same event is queued once per endpoint, whatever retries the code that queues it makes.
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),
        # Deliveries of one subject (an invoice) go out in order: the claim looks for an earlier one still open.
        Index("ix_webhook_deliveries_ordering", "endpoint_id", "ordering_key", "status"),
    )

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    endpoint_id: Mapped[int] = mapped_column(IdType, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    # The `webhook-id` header: the same on every attempt, so receivers can deduplicate.
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64))
    ordering_key: Mapped[str | None] = mapped_column(String(64))
    # The exact body sent on every attempt (the signature covers these bytes).
    body: Mapped[str] = mapped_column(Text)
    # pending -> sending -> delivered | failed (attempts exhausted, endpoint disabled); sending -> pending (retry).
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_response_code: Mapped[int | None]
    # The first bytes of the receiver's answer, or why there was none (timeout, refused address).
    last_response_excerpt: Mapped[str | None] = mapped_column(Text)
    last_duration_ms: Mapped[int | None]
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
