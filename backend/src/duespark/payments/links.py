"""Public links a client opens without signing in: an invoice's pay link and the client portal."""

from __future__ import annotations

from duespark.errors import NotFound
from duespark.settings import Settings
from duespark.signing import sign_token, verify_token

INVOICE_PURPOSE = "pay-invoice"
CLIENT_PORTAL_PURPOSE = "client-portal"
STRIPE_WEBHOOK_PURPOSE = "stripe-webhook"


def _reminder_purpose(invoice_id: int) -> str:
    # Bound to the invoice, so a reminder marker copied onto another invoice's link is ignored.
    return f"pay-reminder:{invoice_id}"


def _base(settings: Settings) -> str:
    return settings.public_url.rstrip("/")


def invoice_pay_token(settings: Settings, invoice_id: int) -> str:
    return sign_token(settings, INVOICE_PURPOSE, invoice_id)


def invoice_pay_url(settings: Settings, invoice_id: int, reminder_id: int | None = None) -> str:
    """The stable link for an invoice; with a reminder, clicks are also counted for that email."""
    url = f"{_base(settings)}/pay/{invoice_pay_token(settings, invoice_id)}"
    if reminder_id is not None:
        url += f"?r={sign_token(settings, _reminder_purpose(invoice_id), reminder_id)}"
    return url


def client_portal_url(settings: Settings, client_id: int) -> str:
    return f"{_base(settings)}/c/{sign_token(settings, CLIENT_PORTAL_PURPOSE, client_id)}"


def stripe_webhook_url(settings: Settings, account_id: int) -> str:
    """Where an account's own Stripe sends its events; the token names the account."""
    return f"{_base(settings)}/api/webhooks/stripe/{sign_token(settings, STRIPE_WEBHOOK_PURPOSE, account_id)}"


def _signed_id(settings: Settings, purpose: str, token: str) -> int:
    value = verify_token(settings, purpose, token)
    if not value.isdigit():
        raise NotFound("Link")
    return int(value)


def invoice_id_from_token(settings: Settings, token: str) -> int:
    return _signed_id(settings, INVOICE_PURPOSE, token)


def client_id_from_token(settings: Settings, token: str) -> int:
    return _signed_id(settings, CLIENT_PORTAL_PURPOSE, token)


def account_id_from_webhook_token(settings: Settings, token: str) -> int:
    return _signed_id(settings, STRIPE_WEBHOOK_PURPOSE, token)


def reminder_id_from_marker(settings: Settings, invoice_id: int, marker: str | None) -> int | None:
    """The reminder a click came from; a missing or tampered marker still counts the click, without it."""
    if not marker:
        return None
    try:
        return _signed_id(settings, _reminder_purpose(invoice_id), marker)
    except NotFound:
        return None
