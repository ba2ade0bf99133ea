from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType


class StatementEntry(IdMixin, Base):
    """One booking of a bank statement: money in (a candidate payment) or something skipped with its reason.

    `status`: open (waiting for the user) -> confirmed (a payment recorded) | rejected (not an invoice's
    payment); skipped (a debit, a reversal, not booked) never changes. Confirming records exactly one
    payment: `payment_id` is unique, and the entry is locked before its invoice (reconciliation/service.py).
    """

    __tablename__ = "statement_entries"
    __table_args__ = (
        # Each booking once per account: importing the same file, or an overlapping export, adds nothing.
        UniqueConstraint("account_id", "entry_key", name="uq_statement_entries_account_key"),
        UniqueConstraint("payment_id", name="uq_statement_entries_payment_id"),
        Index("ix_statement_entries_statement", "statement_id", "id"),
    )

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    statement_id: Mapped[int] = mapped_column(IdType, ForeignKey("bank_statements.id", ondelete="CASCADE"))
    entry_key: Mapped[str] = mapped_column(String(200))
    booking_date: Mapped[date]
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    payer_name: Mapped[str | None] = mapped_column(String(200))
    remittance: Mapped[str | None] = mapped_column(Text)
    # The structured creditor reference (CAMT RmtInf/Strd/CdtrRefInf/Ref), RF.. or a bank's own.
    creditor_reference: Mapped[str | None] = mapped_column(String(64))
    bank_reference: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    skip_reason: Mapped[str | None] = mapped_column(String(200))
    # Set on confirming: the invoice paid, the payment recorded and the part of the amount it took.
    invoice_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("invoices.id", ondelete="SET NULL"))
    payment_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("payments.id", ondelete="SET NULL"))
    applied_minor: Mapped[int | None] = mapped_column(BigInteger)
    # What the proposal was when the user decided (confidence 0-100 and its explanation).
    confidence: Mapped[int | None] = mapped_column(SmallInteger)
    explanation: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
