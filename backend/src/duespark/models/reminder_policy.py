from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, SmallInteger, String, text, true
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, IdType, TimestampMixin


class ReminderPolicy(IdMixin, TimestampMixin, Base):
    """An ordered list of reminder steps: the account's default (no client) or one client's own.

    A client policy with no steps means "no reminders for this client"; no client policy
    at all means the client follows the account's default.
    """

    __tablename__ = "reminder_policies"
    __table_args__ = (
        Index(
            "uq_reminder_policies_account_default",
            "account_id",
            unique=True,
            sqlite_where=text("client_id IS NULL"),
            postgresql_where=text("client_id IS NULL"),
        ),
    )

    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("clients.id", ondelete="CASCADE"), unique=True)
    # A final notice goes only this many days or more after the invoice's previous reminder (reminders/tone.py).
    final_notice_min_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")


def _attach_by_offset(context) -> bool:
    return context.get_current_parameters()["offset_days"] >= 0


class ReminderPolicyStep(IdMixin, Base):
    """One step of a policy, as rows so the planner can join them in SQL."""

    __tablename__ = "reminder_policy_steps"
    __table_args__ = (Index("uq_reminder_policy_steps_policy_offset", "policy_id", "offset_days", unique=True),)

    policy_id: Mapped[int] = mapped_column(IdType, ForeignKey("reminder_policies.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    offset_days: Mapped[int] = mapped_column(Integer)
    # "d-3", "d+0", "d+7": stable across template changes, so editing a tone keeps the row.
    step_key: Mapped[str] = mapped_column(String(16))
    template_key: Mapped[str] = mapped_column(String(32))
    # Whether this step's email carries the invoice's PDF (documents/attach.py). Steps from the due date on
    # attach it; a friendly note before the due date does not (policy.attaches_pdf_by_default), so a row
    # written without it gets the default of its offset.
    attach_pdf: Mapped[bool] = mapped_column(Boolean, default=_attach_by_offset, server_default=true())
    # An optional late fee, added when this step's email is sent (reminders/fees.py): NULL kind is none.
    fee_kind: Mapped[str | None] = mapped_column(String(16))
    # fixed: the amount, in minor units of `fee_currency` (only invoices in that currency are charged).
    fee_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    fee_currency: Mapped[str | None] = mapped_column(String(3))
    # percent: the share of the unpaid amount; daily_interest: the annual rate, NULL for the
    # account's statutory rate. Basis points (500 = 5.00 %).
    fee_rate_bp: Mapped[int | None] = mapped_column(Integer)


class ReminderSendSlot(Base):
    """The UTC instant of the first business-hours slot on or after a local date.

    A pure function of its key, computed once in Python (zoneinfo knows the DST rules)
    so the planner's set-based INSERT can join it instead of looping over invoices.
    """

    __tablename__ = "reminder_send_slots"

    local_date: Mapped[date] = mapped_column(primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start_minute: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    weekdays: Mapped[str] = mapped_column(String(7), primary_key=True)
    send_at: Mapped[datetime]
