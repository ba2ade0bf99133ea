"""Stripe-shaped payloads (as in Stripe's API reference) and real webhook signatures for tests."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from datetime import datetime, timedelta
from typing import Any

from duespark.models import Invoice
from tests.conftest import TEST_NOW

STRIPE_API = "https://api.stripe.com"
STRIPE_SECRET_KEY = "sk_test_51DueSparkTestKey0000000000000000"
WEBHOOK_SECRET = "whsec_duesparkTestSecret000000000000000"
_ids = itertools.count(1)


def next_id(prefix: str) -> str:
    return f"{prefix}_test_{next(_ids):08d}"


def unix(at: datetime) -> int:
    return int(at.timestamp())


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, at: datetime = TEST_NOW) -> str:
    timestamp = unix(at)
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def event(event_type: str, obj: dict[str, Any], *, event_id: str | None = None, at: datetime = TEST_NOW) -> dict:
    return {
        "id": event_id or next_id("evt"),
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": unix(at),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def metadata_for(invoice: Invoice) -> dict[str, str]:
    return {"invoice_id": str(invoice.id), "account_id": str(invoice.account_id)}


def checkout_session(
    invoice: Invoice,
    *,
    session_id: str | None = None,
    amount_total: int | None = None,
    payment_intent: str | None = None,
    status: str = "complete",
    payment_status: str = "paid",
    url: str | None = None,
    expires_at: datetime | None = None,
) -> dict[str, Any]:
    session_id = session_id or next_id("cs")
    amount = invoice.balance_minor if amount_total is None else amount_total
    return {
        "id": session_id,
        "object": "checkout.session",
        "amount_subtotal": amount,
        "amount_total": amount,
        "automatic_tax": {"enabled": False, "liability": None, "status": None},
        "cancel_url": "http://testserver/pay/x?canceled=1",
        "client_reference_id": str(invoice.id),
        "currency": invoice.currency.lower(),
        "customer": None,
        "customer_creation": "if_required",
        "customer_details": None,
        "customer_email": "billing@globex.test",
        "expires_at": unix(expires_at or TEST_NOW + timedelta(hours=24)),
        "livemode": False,
        "locale": None,
        "metadata": metadata_for(invoice),
        "mode": "payment",
        "payment_intent": payment_intent,
        "payment_method_types": ["card"],
        "payment_status": payment_status,
        "status": status,
        "success_url": "http://testserver/pay/x/done",
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "url": url,
    }


def payment_intent(invoice: Invoice, *, intent_id: str, amount: int) -> dict[str, Any]:
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_received": amount,
        "currency": invoice.currency.lower(),
        "customer": None,
        "description": f"Invoice {invoice.number}",
        "latest_charge": next_id("ch"),
        "livemode": False,
        "metadata": metadata_for(invoice),
        "payment_method": next_id("pm"),
        "status": "succeeded",
    }


def charge(
    invoice: Invoice, *, charge_id: str, intent_id: str, amount: int, amount_refunded: int, metadata: bool = False
) -> dict[str, Any]:
    return {
        "id": charge_id,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": amount_refunded,
        "captured": True,
        "currency": invoice.currency.lower(),
        "livemode": False,
        # Charges do not carry the PaymentIntent's metadata unless it was set on them.
        "metadata": metadata_for(invoice) if metadata else {},
        "paid": True,
        "payment_intent": intent_id,
        "refunded": amount_refunded >= amount,
        "status": "succeeded",
    }


def stripe_invoice(
    *,
    invoice_id: str | None = None,
    customer: str = "cus_test_globex",
    amount_due: int = 50_000,
    amount_paid: int = 0,
    currency: str = "usd",
    number: str | None = None,
    status: str = "open",
    due_date: datetime | None = None,
    created: datetime = TEST_NOW - timedelta(days=3),
    customer_email: str | None = "ap@globex.test",
    customer_name: str | None = "Globex Corporation",
) -> dict[str, Any]:
    invoice_id = invoice_id or next_id("in")
    return {
        "id": invoice_id,
        "object": "invoice",
        "amount_due": amount_due,
        "amount_paid": amount_paid,
        "amount_remaining": amount_due - amount_paid,
        "collection_method": "send_invoice",
        "created": unix(created),
        "currency": currency,
        "customer": customer,
        "customer_email": customer_email,
        "customer_name": customer_name,
        "description": None,
        "due_date": unix(due_date) if due_date else None,
        "hosted_invoice_url": f"https://invoice.stripe.com/i/acct_test/{invoice_id}",
        "livemode": False,
        "metadata": {},
        "number": number or f"STR-{invoice_id[-4:]}",
        "status": status,
        "total": amount_due,
    }


def body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()
