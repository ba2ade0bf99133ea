from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, SmallInteger, String, Text, true
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
