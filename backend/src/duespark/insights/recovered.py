"""What reminders brought in: payments made within 7 days after a reminder email for the same invoice.

One definition for the dashboard's figure ("Reminders brought in $X this month") and for the invoice
list that figure links to, so the list always holds exactly the payments the figure adds up.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.sql.elements import ColumnElement

from duespark.clock import Clock, today_in
from duespark.insights.sql import seconds_between
from duespark.models import Message, Payment

REMINDER_KIND = "reminder"
# A reminder counts once the provider accepted it; a bounce or a failure never reached the client.
REMINDER_SENT_STATUSES = ("sent", "delivered")
REMINDER_EFFECT_DAYS = 7


def reminder_sent() -> list[Any]:
    """Conditions on Message for a reminder that reached the client (test-mode emails never count)."""
    return [
        Message.kind == REMINDER_KIND,
        Message.status.in_(REMINDER_SENT_STATUSES),
        Message.is_test.is_(False),
        Message.sent_at.is_not(None),
    ]


def paid_after_reminder(account_id: int) -> ColumnElement[bool]:
    """For the Payment row in the enclosing query: a reminder for its invoice went at most 7 days before."""
    return (
        select(Message.id)
        .where(
            Message.account_id == account_id,
            Message.invoice_id == Payment.invoice_id,
            *reminder_sent(),
            Message.sent_at <= Payment.paid_at,
            seconds_between(Payment.paid_at, Message.sent_at) <= REMINDER_EFFECT_DAYS * 86400,
        )
        .exists()
    )


def recovered_payments(account_id: int, *, since: datetime, until: datetime) -> Select[Any]:
    """The payments reminders brought in between two instants: invoice id, currency, amount."""
    return select(Payment.invoice_id, Payment.currency, Payment.amount_minor).where(
        Payment.account_id == account_id,
        Payment.paid_at >= since,
        Payment.paid_at <= until,
        paid_after_reminder(account_id),
    )


def this_month(clock: Clock, timezone: str) -> tuple[datetime, datetime]:
    """From the first instant of the current month in the account's timezone until now."""
    first = today_in(clock, timezone).replace(day=1)
    return datetime.combine(first, time(0), ZoneInfo(timezone)).astimezone(ZoneInfo("UTC")), clock.now()
