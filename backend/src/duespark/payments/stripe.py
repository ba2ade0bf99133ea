"""Everything that talks to Stripe: checkout sessions, invoice listing, webhook signatures.

Calls go through the official SDK over its httpx client. None of these functions touch the
database, so callers make them outside any transaction (a slow Stripe never holds a lock).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import stripe

from duespark.errors import DomainError, InvalidInput
from duespark.settings import Settings

SECRET_KEY_PATTERN = re.compile(r"^(sk|rk)_(test|live)_[A-Za-z0-9]{10,250}$")
WEBHOOK_SECRET_PATTERN = re.compile(r"^whsec_[A-Za-z0-9+/=]{10,250}$")
SIGNATURE_SCHEME = "v1"
MAX_TIMESTAMP_DIGITS = 12
IMPORT_PAGE_SIZE = 100


class InvalidSignature(DomainError):
    status_code = 400
    error = "InvalidSignature"


class PaymentProviderError(DomainError):
    """Stripe refused or could not be reached; the detail says which, never the key.

    `reason` is a short label for metrics and notices: network, key_refused, stripe_error, bad_response.
    """

    status_code = 502
    error = "PaymentProviderError"

    def __init__(self, detail: object = None, *, reason: str = "stripe_error") -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True)
class CheckoutRequest:
    invoice_id: int
    account_id: int
    invoice_number: str
    amount_minor: int
    currency: str
    customer_email: str | None
    success_url: str
    cancel_url: str
    idempotency_key: str


@dataclass(frozen=True)
class StripeCheckout:
    id: str
    url: str
    amount_minor: int
    currency: str
    status: str
    payment_status: str | None
    expires_at: datetime


def key_mode(secret_key: str) -> str:
    return "live" if "_live_" in secret_key else "test"


def check_secret_key(secret_key: str) -> str:
    key = secret_key.strip()
    if not SECRET_KEY_PATTERN.match(key):
        raise InvalidInput("secret_key", "A Stripe secret key starts with sk_test_, sk_live_, rk_test_ or rk_live_")
    return key


@cache
def _http_client(timeout: float) -> stripe.HTTPXClient:
    # One connection pool per process, shared by every account's key.
    return stripe.HTTPXClient(timeout=timeout, allow_sync_methods=True)


def client_for(settings: Settings, api_key: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key, http_client=_http_client(settings.stripe_timeout_seconds), max_network_retries=2
    )


def _provider_error(exc: stripe.StripeError) -> PaymentProviderError:
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return PaymentProviderError(
            "Stripe refused the API key; check the key in the Stripe settings.", reason="key_refused"
        )
    reason = "network" if isinstance(exc, stripe.APIConnectionError) else "stripe_error"
    return PaymentProviderError(
        f"Stripe could not be reached or refused the request: {exc.user_message or exc}", reason=reason
    )


def verify_secret_key(settings: Settings, api_key: str) -> None:
    """Ask Stripe whether the key works, with the cheapest read DueSpark's own calls need.

    Listing one Checkout Session needs the same permission as creating one, so a restricted key
    that passes can also take payments (a Balance or Account read would refuse a correctly
    restricted key, and accept one that cannot create sessions). A key Stripe does not know or
    that lacks the permission is a 422 on `secret_key`; Stripe out of reach is a 502 (not saved).
    """
    try:
        client_for(settings, api_key).v1.checkout.sessions.list(params={"limit": 1})
    except stripe.AuthenticationError:
        raise InvalidInput(
            "secret_key", "Stripe does not accept this key: copy the secret key again from your Stripe dashboard."
        ) from None
    except stripe.PermissionError:
        raise InvalidInput(
            "secret_key",
            "Stripe accepts this key but it may not use Checkout Sessions: give the restricted key "
            "write access to Checkout Sessions (and read access to Invoices to import them).",
        ) from None
    except stripe.StripeError as exc:
        raise PaymentProviderError(
            "Stripe could not be reached to check the key, so it was not saved; try again in a minute. "
            f"({exc.user_message or type(exc).__name__})",
            reason="network" if isinstance(exc, stripe.APIConnectionError) else "stripe_error",
        ) from None


def _instant(unix: int | None) -> datetime | None:
    return datetime.fromtimestamp(unix, UTC) if unix else None


def create_checkout_session(settings: Settings, api_key: str, request: CheckoutRequest) -> StripeCheckout:
    """A Checkout Session for the balance; the idempotency key makes a retried create return the same session.

    The parameters are a pure function of the key's inputs, as Stripe refuses a reused key with
    different parameters: no `expires_at` (Stripe's default, 24 hours, is used and read back).
    """
    metadata = {"invoice_id": str(request.invoice_id), "account_id": str(request.account_id)}
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": request.currency.lower(),
                    "unit_amount": request.amount_minor,
                    "product_data": {"name": f"Invoice {request.invoice_number}"},
                },
            }
        ],
        "client_reference_id": str(request.invoice_id),
        "metadata": metadata,
        # Copied onto the PaymentIntent so payment_intent.* and charge.* events name the invoice too.
        "payment_intent_data": {"metadata": metadata, "description": f"Invoice {request.invoice_number}"},
        "success_url": request.success_url,
        "cancel_url": request.cancel_url,
    }
    if request.customer_email:
        params["customer_email"] = request.customer_email
    try:
        session = client_for(settings, api_key).v1.checkout.sessions.create(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": request.idempotency_key},
        )
    except stripe.StripeError as exc:
        raise _provider_error(exc) from exc
    expires_at = _instant(session.expires_at)
    if not session.url or expires_at is None:
        raise PaymentProviderError("Stripe returned a checkout session without a URL or expiry", reason="bad_response")
    return StripeCheckout(
        id=session.id,
        url=session.url,
        amount_minor=session.amount_total or request.amount_minor,
        currency=(session.currency or request.currency).upper(),
        status=session.status or "open",
        payment_status=session.payment_status,
        expires_at=expires_at,
    )


def hosted_invoice_url(settings: Settings, api_key: str, stripe_invoice_id: str) -> str | None:
    """Stripe's own page for an imported invoice, so paying there also settles it in Stripe."""
    try:
        invoice = client_for(settings, api_key).v1.invoices.retrieve(stripe_invoice_id)
    except stripe.StripeError as exc:
        raise _provider_error(exc) from exc
    return invoice.hosted_invoice_url


def list_open_invoices(settings: Settings, api_key: str) -> list[dict[str, Any]]:
    """Every open invoice in the Stripe account, following `starting_after` through all pages."""
    client = client_for(settings, api_key)
    try:
        page = client.v1.invoices.list(params={"status": "open", "limit": IMPORT_PAGE_SIZE})
        return [invoice.to_dict() for invoice in page.auto_paging_iter()]
    except stripe.StripeError as exc:
        raise _provider_error(exc) from exc


def verify_signature(
    payload: bytes, header: str | None, secrets: list[str], *, now: datetime, tolerance_seconds: int
) -> None:
    """Stripe's scheme: HMAC-SHA256 of "<t>.<payload>" in one or more v1 values.

    Implemented here rather than with `stripe.Webhook` so the tolerance is measured against the
    injected clock. Any configured secret may match any v1 value (secret rotation sends several).
    """
    if not secrets:
        raise InvalidSignature("Stripe webhooks are not configured on this server")
    if not header:
        raise InvalidSignature("The Stripe-Signature header is missing")
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        # Unix seconds have 10 digits until 2286; anything longer (or non-ASCII digits such as "²")
        # is no timestamp, and must not reach int() or float arithmetic (a 500 before this check).
        if name == "t" and value.isascii() and value.isdigit() and len(value) <= MAX_TIMESTAMP_DIGITS:
            timestamp = int(value)
        elif name == SIGNATURE_SCHEME:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise InvalidSignature("The Stripe-Signature header has no timestamp or no v1 signature")
    if abs(now.timestamp() - timestamp) > tolerance_seconds:
        raise InvalidSignature("The Stripe-Signature timestamp is outside the tolerance")
    signed = str(timestamp).encode() + b"." + payload
    for secret in secrets:
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        if any(hmac.compare_digest(expected, candidate) for candidate in signatures):
            return
    raise InvalidSignature("No Stripe-Signature value matches")
