from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, SmallInteger, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column

from duespark.models.base import Base, IdMixin, TimestampMixin


class Account(IdMixin, TimestampMixin, Base):
    """The business that owns all data: clients, invoices, reminders."""

    __tablename__ = "accounts"

    name: Mapped[str] = mapped_column(String(200))
    default_currency: Mapped[str] = mapped_column(String(3), default="EUR")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    sender_name: Mapped[str | None] = mapped_column(String(200))
    sender_email: Mapped[str | None] = mapped_column(String(320))
    payment_instructions: Mapped[str | None] = mapped_column(Text)
    # The business's profile on generated invoice PDFs (documents/pdf.py): postal address, VAT or tax id, and
    # the storage key of its logo (documents/storage.py), NULL when none was uploaded.
    address: Mapped[str | None] = mapped_column(Text)
    tax_id: Mapped[str | None] = mapped_column(String(64))
    logo_key: Mapped[str | None] = mapped_column(String(255))
    # New accounts deliver only to their own address until the user switches live sending on.
    test_mode: Mapped[bool] = mapped_column(Boolean, default=True)
    live_since: Mapped[datetime | None]
    # Reminder send window in the client's (else the account's) timezone: minutes after
    # midnight and ISO weekdays ("12345" = Monday to Friday).
    send_window_start: Mapped[int] = mapped_column(SmallInteger, default=9 * 60, server_default="540")
    send_window_end: Mapped[int] = mapped_column(SmallInteger, default=17 * 60, server_default="1020")
    send_weekdays: Mapped[str] = mapped_column(String(7), default="12345", server_default="12345")
    # Adaptive reminders: schedule and tone follow how each client pays (reminders/adaptive.py).
    adaptive_reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Overdue reminders of one client due the same day go out as one statement email.
    merge_statements: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Statutory interest for late payment, in basis points a year (1200 = 12.00 %), for policy steps
    # that charge daily interest without a rate of their own. The default is a placeholder shaped like
    # the EU late-payment directive's rate (a reference rate of 4 % + 8 points): the user must set the
    # rate that applies to them before turning interest on (docs/reminders.md).
    late_interest_rate_bp: Mapped[int] = mapped_column(Integer, default=1200, server_default="1200")
    # Replies by email (inbound/): a client's reply holds that invoice's reminders this many days, and is
    # forwarded to the owner's address (False: kept in DueSpark only).
    reply_hold_days: Mapped[int] = mapped_column(SmallInteger, default=3, server_default="3")
    forward_replies: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Client answers on the pay page (answers/): how far ahead a client may promise to pay, how many days
    # past the promised date chasing still waits, and how long "I already paid" holds it for the user to check.
    promise_limit_days: Mapped[int] = mapped_column(SmallInteger, default=30, server_default="30")
    promise_grace_days: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="2")
    paid_claim_hold_days: Mapped[int] = mapped_column(SmallInteger, default=5, server_default="5")
    # The audit trail (audit/): whether entries keep the request's IP address, and how many days they are kept.
    audit_record_ip: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    audit_retention_days: Mapped[int] = mapped_column(Integer, default=365, server_default="365")
    # Every member must sign in with a second factor (auth/two_factor.py); set by an owner.
    require_two_factor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
