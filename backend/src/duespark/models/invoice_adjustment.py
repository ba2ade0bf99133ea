from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType

INTEREST = "kind = 'daily_interest'"


class InvoiceAdjustment(IdMixin, Base):
    """A late fee or interest added to an invoice when a reminder step's email was sent. Never edited;
    the account may waive it (a goodwill gesture, a disputed charge), which keeps the row.

    The invoice's `fees_minor` is the sum of its adjustments not waived, updated in the same transaction.
    """

    __tablename__ = "invoice_adjustments"
    __table_args__ = (
        # A step adds its fee once per invoice, whatever happens: two dispatchers, a retried send, or
        # the steps planned again for a new due date (reminders/fees.py).
        UniqueConstraint("invoice_id", "step_key"),
        # Interest for a period is charged once: two charges computed from the same state would
        # start on the same day.
        Index(
            "uq_invoice_adjustments_interest_period",
            "invoice_id",
            "period_start",
            unique=True,
            sqlite_where=text(INTEREST),
            postgresql_where=text(INTEREST),
        ),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("kind IN ('fixed', 'percent', 'daily_interest')", name="kind_known"),
    )

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int] = mapped_column(IdType, ForeignKey("invoices.id", ondelete="CASCADE"))
    reminder_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("reminders.id", ondelete="SET NULL"))
    step_key: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # In plain words for the invoice page, e.g. "Late fee: 5.00% of €1,000.00 (reminder 7 days after due)".
    description: Mapped[str] = mapped_column(Text)
    # Interest only: charged for the days after `period_start` up to and including `period_end`.
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    created_at: Mapped[datetime]
    # Waived: no longer owed. The step (or interest period) still counts as charged, so it is not charged again.
    waived_at: Mapped[datetime | None]
