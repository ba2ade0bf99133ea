from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType


class AuditEntry(IdMixin, Base):
    """One change that matters (money, status, settings, credentials), written in the transaction of the
    change itself: a change that rolls back leaves no entry, and no entry exists without its change.

    Entries are never edited; the API only reads them, and the worker prunes those older than the
    account's retention (audit/service.py).
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_account_at", "account_id", "at"),
        Index("ix_audit_entries_account_entity", "account_id", "entity_type", "entity_id"),
    )

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    # user | token | system; the label says which (an email, a token's name, "worker", "webhook", "sync").
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(IdType)
    actor_label: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(IdType)
    # {"field": {"before": ..., "after": ...}} for edits; other facts of the action ({"amount": "12.00"}).
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Only when the account records addresses (accounts.audit_record_ip).
    ip: Mapped[str | None] = mapped_column(String(45))
