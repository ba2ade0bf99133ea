from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType, TimestampMixin, trigram_indexes


class Client(IdMixin, TimestampMixin, Base):
    __tablename__ = "clients"
    __table_args__ = (
        Index("ix_clients_account_name", "account_id", "name"),
        UniqueConstraint("account_id", "stripe_customer_id"),
        # The client list's search and the invoice list's search by client (ILIKE '%text%') on PostgreSQL.
        *trigram_indexes("clients", "name", "company", "email"),
    )

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    company: Mapped[str | None] = mapped_column(String(200))
    client_type: Mapped[str] = mapped_column(String(20), default="business")
    timezone: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text)
    # Paused with no date means paused until resumed by hand.
    reminders_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    reminders_paused_until: Mapped[date | None]
    unsubscribed_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    # Set for clients imported from Stripe, so a second import updates instead of duplicating.
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    # Adaptive reminders for this client: None follows the account's switch.
    adaptive_reminders: Mapped[bool | None] = mapped_column(Boolean)
    # Set by the planner when the last invoices were paid only after the final notice.
    needs_personal_follow_up: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    follow_up_reason: Mapped[str | None] = mapped_column(Text)
