"""The links every email carries: pay, unsubscribe (https and mailto)."""

from __future__ import annotations

from urllib.parse import quote

from duespark.models import Account, Client, Invoice
from duespark.payments.links import client_portal_url, invoice_pay_url
from duespark.settings import Settings
from duespark.signing import sign_token

UNSUBSCRIBE_PURPOSE = "unsubscribe"


def payment_url(settings: Settings, invoice: Invoice, reminder_id: int | None) -> str:
    """The invoice's pay link; with a reminder id the click is counted for that email too."""
    return invoice_pay_url(settings, invoice.id, reminder_id)


def pay_all_url(settings: Settings, client: Client) -> str:
    """The client's page listing every open invoice with a way to pay each: a statement's main button."""
    return client_portal_url(settings, client.id)


def unsubscribe_token(settings: Settings, client_id: int) -> str:
    return sign_token(settings, UNSUBSCRIBE_PURPOSE, client_id)


def unsubscribe_url(settings: Settings, client: Client) -> str:
    return f"{settings.public_url.rstrip('/')}/unsubscribe/{unsubscribe_token(settings, client.id)}"


def unsubscribe_mailto(settings: Settings, account: Account, client: Client) -> str:
    """A mailto a person reads: it reaches the sender, who can act on it even without the web link."""
    address = account.sender_email or settings.email_from or ""
    subject = quote(f"Unsubscribe {unsubscribe_token(settings, client.id)}")
    return f"mailto:{address}?subject={subject}"
