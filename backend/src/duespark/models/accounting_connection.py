from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType, TimestampMixin


class AccountingConnection(IdMixin, TimestampMixin, Base):
    """An account's link to its books (Xero, QuickBooks Online): tokens encrypted at rest like the Stripe key,
    and the sync's state, so a sync that stopped half-way resumes from its last committed page."""

    __tablename__ = "accounting_connections"
    __table_args__ = (
        UniqueConstraint("account_id", "provider"),
        # The worker picks the connections whose scheduled sync is due.
        Index("ix_accounting_connections_next_sync", "status", "next_sync_at"),
        # Provider webhooks name the organisation (Xero tenant, QuickBooks realm), not the account.
        Index("ix_accounting_connections_tenant", "provider", "tenant_id"),
    )

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    # pending (authorize URL handed out) | connected | needs_reconnect | disconnected
    status: Mapped[str] = mapped_column(String(20))
    # The single-use nonce of the OAuth state handed out last, and the PKCE verifier that goes with it.
    oauth_nonce: Mapped[str | None] = mapped_column(String(64))
    oauth_verifier_encrypted: Mapped[str | None] = mapped_column(Text)
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    tenant_name: Mapped[str | None] = mapped_column(String(200))
    access_token_encrypted: Mapped[str | None] = mapped_column(Text)
    refresh_token_encrypted: Mapped[str | None] = mapped_column(Text)
    token_expires_at: Mapped[datetime | None]
    next_sync_at: Mapped[datetime | None]
    # Held by the worker running this connection's sync, so a webhook asking for a sync meanwhile waits for it.
    sync_lease_until: Mapped[datetime | None]
    # The start of the last complete sync: the next one asks only for what changed since.
    modified_since: Mapped[datetime | None]
    # Where a running sync is: {"phase": "contacts"|"invoices", "page": n, "started_at": iso}; NULL when none.
    cursor: Mapped[dict[str, Any] | None] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    last_sync_started_at: Mapped[datetime | None]
    last_sync_finished_at: Mapped[datetime | None]
    # What the last sync changed ({"clients_created": n, ...}) and each row it could not take, with the reason.
    last_result: Mapped[dict[str, Any] | None] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    last_error: Mapped[str | None] = mapped_column(Text)
    # Stripe payments received from this instant on are written back to the books; NULL: not written back.
    write_back_since: Mapped[datetime | None]
    # Where the books put them: Xero's bank account code (required there), QuickBooks' deposit account id
    # (optional: Undeposited Funds otherwise).
    payment_account: Mapped[str | None] = mapped_column(String(64))


class AccountingLink(IdMixin, Base):
    """One record of the books (contact, invoice, written-back payment) and the DueSpark row it became:
    unique per connection, so a sync run twice, or resumed, never makes a second client or invoice."""

    __tablename__ = "accounting_links"
    __table_args__ = (
        UniqueConstraint("connection_id", "kind", "external_id"),
        Index("ix_accounting_links_local", "connection_id", "kind", "local_id"),
    )

    connection_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounting_connections.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(64))
    local_id: Mapped[int] = mapped_column(IdType)
    # The books' own link to the invoice (Xero's invoice page, QuickBooks' online invoice link).
    online_url: Mapped[str | None] = mapped_column(Text)
    synced_at: Mapped[datetime]
