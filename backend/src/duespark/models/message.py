from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType


class Message(IdMixin, Base):
    """One email handed to a provider (or queued for it), with its delivery state.

    `status`: queued -> sending -> sent -> delivered | bounced | complained; or failed, or canceled
    (the recipient unsubscribed or was suppressed while the message waited in the outbox).
    """

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("provider", "provider_message_id"),
        Index("ix_messages_account_invoice", "account_id", "invoice_id"),
        Index("ix_messages_status_next_attempt", "status", "next_attempt_at"),
        # The dashboard counts the reminders sent this month; without it, every message of the database was read.
        Index("ix_messages_account_kind_sent", "account_id", "kind", "sent_at"),
    )

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("clients.id", ondelete="SET NULL"))
    invoice_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("invoices.id", ondelete="CASCADE"))
    # The reminder this email was sent for; no foreign key so the email domain does not depend on reminders.
    reminder_id: Mapped[int | None] = mapped_column(IdType, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    template_key: Mapped[str | None] = mapped_column(String(64))
    to_email: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    provider: Mapped[str] = mapped_column(String(20))
    provider_message_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20))
    is_test: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    bounced_at: Mapped[datetime | None]
    complained_at: Mapped[datetime | None]
    # The RFC 5322 Message-ID it was sent with: a client's reply names it in In-Reply-To/References.
    header_message_id: Mapped[str | None] = mapped_column(String(255), index=True)
    # Outbox messages (thank-you, account emails) are rendered when queued and sent by the worker:
    # the rendered email waits here, and is cleared once sent when it holds a secret link.
    content: Mapped[dict | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # Queued: when to try next. Sending: when the claim expires (the worker died mid-send).
    next_attempt_at: Mapped[datetime | None]
