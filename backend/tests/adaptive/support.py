"""Constructed payment histories for the adaptive-reminder tests."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session

from duespark.models import Client, Invoice, Reminder
from duespark.models.enums import InvoiceStatus
from tests.helpers import make_invoice


def paid_history(
    session: Session, client: Client, clock, delays: list[int], *, after_final: list[bool] | None = None
) -> list[Invoice]:
    """Paid invoices, oldest first, each paid `delay` days after its due date (negative = early).

    `after_final[i]` records a final notice sent the day before invoice i was paid.
    """
    today = clock.now().date()
    invoices = []
    for n, delay in enumerate(delays):
        due = today - timedelta(days=200 - 20 * n)
        paid_at = datetime.combine(due + timedelta(days=delay), time(12), tzinfo=UTC)
        invoice = make_invoice(
            session, client=client, clock=clock, due_date=due, status=InvoiceStatus.paid, paid_at=paid_at
        )
        invoice.amount_paid_minor = invoice.amount_minor
        invoice.reminders_planned_at = clock.now()
        if after_final and after_final[n]:
            sent = paid_at - timedelta(days=1)
            session.add(
                Reminder(
                    account_id=client.account_id,
                    invoice_id=invoice.id,
                    due_date=due,
                    step_key="d+30",
                    offset_days=30,
                    template_key="final",
                    scheduled_for=sent,
                    state="sent",
                    attempts=1,
                    next_attempt_at=sent,
                    sent_at=sent,
                    created_at=sent,
                    updated_at=sent,
                )
            )
        invoices.append(invoice)
    session.flush()
    return invoices
