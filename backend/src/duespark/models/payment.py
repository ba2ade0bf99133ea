from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType


class Payment(IdMixin, Base):
    """Money received against an invoice; a refund is a payment with a negative amount."""

    __tablename__ = "payments"
    __table_args__ = (
        # Stripe's ids make its deliveries idempotent, so they are unique across the whole database. A
        # reference people type (a bank transfer's) is theirs alone: it may repeat, and must not collide
        # with another account's (that was a 500, and told them the other account used it).
        Index(
            "uq_payments_stripe_reference",
            "external_reference",
            unique=True,
            postgresql_where=text("method = 'stripe'"),
            sqlite_where=text("method = 'stripe'"),
        ),
        # insights: collected this month and per period filter payments by time.
        Index("ix_payments_account_paid_at", "account_id", "paid_at"),
    )

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int] = mapped_column(IdType, ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(20))
    paid_at: Mapped[datetime]
    external_reference: Mapped[str | None] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
