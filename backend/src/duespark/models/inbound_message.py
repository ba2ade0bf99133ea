from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType


class InboundMessage(IdMixin, Base):
    """An email a client sent back to a reminder's reply address (or in its thread).

    `kind`: reply (pauses chasing, shown to the user), auto_reply (out of office: recorded only),
    bounce (handed to the bounce handling). `text` is the reply alone (quoted history and signature
    stripped), `html` is already sanitized; nothing unsanitized is stored. A statement's reply names
    every invoice of the statement in `invoice_ids`; `invoice_id` is its first.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (
        # The same mail arriving twice (a provider retry, Postmark and SES both) is one row.
        UniqueConstraint("account_id", "dedup_key"),
        Index("ix_inbound_messages_account_invoice", "account_id", "invoice_id"),
        Index("ix_inbound_messages_account_answered", "account_id", "kind", "answered_at"),
    )

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"))
    client_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("clients.id", ondelete="SET NULL"))
    invoice_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("invoices.id", ondelete="CASCADE"))
    invoice_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(16))  # postmark | ses | raw
    kind: Mapped[str] = mapped_column(String(16))  # reply | auto_reply | bounce
    # How it was matched: the signed reply address ("token") or the thread headers ("thread").
    matched_by: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str | None] = mapped_column(String(998))
    in_reply_to: Mapped[str | None] = mapped_column(Text)
    references: Mapped[str | None] = mapped_column(Text)
    from_email: Mapped[str] = mapped_column(String(320))
    from_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    raw_size: Mapped[int] = mapped_column(Integer)
    dedup_key: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    # The outbox rows: the copy sent to the user, and the user's latest answer.
    forwarded_message_id: Mapped[int | None] = mapped_column(IdType)
    answer_message_id: Mapped[int | None] = mapped_column(IdType)


class InboundAttachment(IdMixin, Base):
    """A file that came with a reply, kept when it is small enough (`content` None: listed only)."""

    __tablename__ = "inbound_attachments"

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"))
    inbound_message_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("inbound_messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
