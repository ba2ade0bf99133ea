from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType


class CheckoutSession(IdMixin, Base):
    """A Stripe Checkout Session made for an invoice balance, reused by later clicks while still open.

    `status`: open -> complete | expired (as Stripe reports it).
    """

    __tablename__ = "checkout_sessions"
    __table_args__ = (Index("ix_checkout_sessions_invoice", "invoice_id", "status"),)

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int] = mapped_column(IdType, ForeignKey("invoices.id", ondelete="CASCADE"))
    stripe_session_id: Mapped[str] = mapped_column(String(255), unique=True)
    url: Mapped[str] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))
    payment_status: Mapped[str | None] = mapped_column(String(32))
    payment_intent_id: Mapped[str | None] = mapped_column(String(255))
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime]
