"""Turns an invoice into the reminder email a client receives."""

from __future__ import annotations

from duespark.clock import Clock
from duespark.email.message import OutgoingEmail
from duespark.models import Account, Client, Invoice
from duespark.money import format_for_people
from duespark.settings import Settings


def compose_reminder(
    *,
    account: Account,
    client: Client,
    invoice: Invoice,
    template_key: str,
    reminder_id: int | None,
    settings: Settings,
    clock: Clock,
) -> OutgoingEmail:
    """The email for one reminder step (`template_key` is the tone: friendly, due_today, firm, urgent, final)."""
    amount = format_for_people(invoice.balance_minor, invoice.currency, client.locale or account.locale)
    subject = f"Invoice {invoice.number}: {amount} due {invoice.due_date.isoformat()}"
    text = (
        f"Hello {client.name},\n\nthis is a reminder that invoice {invoice.number} over {amount} "
        f"is due on {invoice.due_date.isoformat()}.\n\nThank you,\n{account.sender_name or account.name}\n"
    )
    return OutgoingEmail(
        to=client.email or "",
        from_email=settings.email_from or account.sender_email or "reminders@duespark.local",
        from_name=account.sender_name or account.name,
        subject=subject,
        text=text,
        tag=template_key,
        metadata={"reminder_id": str(reminder_id or ""), "invoice_id": str(invoice.id)},
    )
