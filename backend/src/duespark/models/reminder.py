from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType, TimestampMixin

LIVE_ROW = "state <> 'canceled' OR reason = 'canceled_by_user'"


class Reminder(IdMixin, TimestampMixin, Base):
    """One planned reminder email: the job itself. Never deleted; `reason`/`detail` are the timeline.

    `state`: pending -> sending -> sent | failed, pending -> canceled | skipped.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        # One live row per invoice, due date and step. Rows canceled by events are history, so
        # resuming after a pause (or reopening a paid invoice) plans the step again; a row the
        # user canceled keeps its place, so no re-plan brings it back.
        Index(
            "uq_reminders_invoice_step",
            "invoice_id",
            "due_date",
            "step_key",
            unique=True,
            sqlite_where=text(LIVE_ROW),
            postgresql_where=text(LIVE_ROW),
        ),
        Index(
            "ix_reminders_due",
            "next_attempt_at",
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
        Index(
            "ix_reminders_leases",
            "lease_expires_at",
            sqlite_where=text("state = 'sending'"),
            postgresql_where=text("state = 'sending'"),
        ),
        Index("ix_reminders_invoice_scheduled", "invoice_id", "scheduled_for"),
        # The account-wide list: "what goes out next" pages pending rows by time without a sort.
        Index("ix_reminders_account_state_scheduled", "account_id", "state", "scheduled_for"),
    )

    # The invoice's account, copied for tenant filtering; the invoice's foreign key already ties
    # the row to it, and a second constraint would double the checks of every bulk insert.
    account_id: Mapped[int] = mapped_column(IdType)
    invoice_id: Mapped[int] = mapped_column(IdType, ForeignKey("invoices.id", ondelete="CASCADE"))
    # The due date this step was planned against: a new due date plans new steps.
    due_date: Mapped[date]
    step_key: Mapped[str] = mapped_column(String(16))
    offset_days: Mapped[int] = mapped_column(Integer)
    template_key: Mapped[str] = mapped_column(String(32))
    scheduled_for: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    lease_expires_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    # Set (and committed) just before the provider call: after a crash it separates
    # "maybe sent" from "never attempted".
    send_intent_at: Mapped[datetime | None]
    # Times the row was recovered after the provider may already have accepted it.
    uncertain_sends: Mapped[int] = mapped_column(Integer, default=0)
    # Asked for with send-now: ignores the send window and catch-up.
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    provider_message_id: Mapped[str | None] = mapped_column(String(255))
    sent_at: Mapped[datetime | None]
    is_test: Mapped[bool] = mapped_column(Boolean, default=False)
