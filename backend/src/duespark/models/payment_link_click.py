from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType


class PaymentLinkClick(IdMixin, Base):
    """One opening of an invoice's public payment link."""

    __tablename__ = "payment_link_clicks"
    __table_args__ = (Index("ix_payment_link_clicks_invoice_reminder", "invoice_id", "reminder_id"),)

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int] = mapped_column(IdType, ForeignKey("invoices.id", ondelete="CASCADE"))
    # The reminder whose email carried the link; no foreign key so payments do not depend on reminders.
    reminder_id: Mapped[int | None] = mapped_column(IdType)
    clicked_at: Mapped[datetime]
    user_agent: Mapped[str | None] = mapped_column(String(500))
    # Only stored when the operator sets DUESPARK_STORE_CLICK_IP.
    ip: Mapped[str | None] = mapped_column(String(45))
