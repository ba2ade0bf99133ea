from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from duespark.models import Client, Invoice, Payment, WebhookEvent
from duespark.models.enums import InvoiceStatus
from tests.conftest import TEST_NOW
from tests.helpers import make_account, make_client, make_invoice
from tests.payments.stripe_fixtures import (
    WEBHOOK_SECRET,
    body,
    charge,
    checkout_session,
    event,
    next_id,
    payment_intent,
    sign,
    stripe_invoice,
)


@pytest.fixture
def invoice(session, clock) -> Invoice:
    account = make_account(session, clock=clock)
    client = make_client(session, account=account, clock=clock)
    return make_invoice(session, client=client, clock=clock, amount_minor=125_000, currency="EUR")


def deliver(client, payload: dict, *, header: str | None = None, path: str = "/api/webhooks/stripe"):
    raw = body(payload)
    headers = {"Content-Type": "application/json"}
    signature = sign(raw) if header is None else header
    if signature:
        headers["Stripe-Signature"] = signature
    return client.post(path, content=raw, headers=headers)


def fresh(session, invoice: Invoice) -> Invoice:
    session.expire_all()
    return session.get(Invoice, invoice.id)


def payments_of(session, invoice: Invoice) -> list[Payment]:
    return list(session.scalars(select(Payment).where(Payment.invoice_id == invoice.id).order_by(Payment.id)))


def test_checkout_paid_settles_invoice_and_publishes_paid(client, session, invoice, published):
    intent = next_id("pi")
    response = deliver(client, event("checkout.session.completed", checkout_session(invoice, payment_intent=intent)))
    assert response.status_code == 200, response.text
    assert response.json()["result"] == "payment recorded"
    paid = fresh(session, invoice)
    assert paid.status == InvoiceStatus.paid
    assert paid.amount_paid_minor == 125_000
    assert paid.paid_at == TEST_NOW
    [payment] = payments_of(session, invoice)
    assert (payment.method, payment.external_reference, payment.amount_minor) == ("stripe", intent, 125_000)
    # Reminder cancellation and the thank-you email listen to this event.
    assert published == [("paid", (invoice.id,))]


def test_same_event_ten_times_records_one_payment(client, session, invoice, published):
    payload = event("checkout.session.completed", checkout_session(invoice, payment_intent=next_id("pi")))
    results = [deliver(client, payload).json()["result"] for _ in range(10)]
    assert results[0] == "payment recorded"
    assert results[1:] == ["duplicate"] * 9
    assert len(payments_of(session, invoice)) == 1
    assert fresh(session, invoice).amount_paid_minor == 125_000
    assert published == [("paid", (invoice.id,))]
    stored = session.scalar(
        select(func.count()).select_from(WebhookEvent).where(WebhookEvent.external_id == payload["id"])
    )
    assert stored == 1


def test_payment_intent_after_checkout_is_the_same_payment(client, session, invoice):
    intent = next_id("pi")
    deliver(client, event("checkout.session.completed", checkout_session(invoice, payment_intent=intent)))
    again = deliver(
        client, event("payment_intent.succeeded", payment_intent(invoice, intent_id=intent, amount=125_000))
    )
    assert again.json()["result"] == "payment already recorded"
    assert len(payments_of(session, invoice)) == 1


def test_payment_intent_first_then_checkout(client, session, invoice):
    intent = next_id("pi")
    first = deliver(
        client, event("payment_intent.succeeded", payment_intent(invoice, intent_id=intent, amount=125_000))
    )
    assert first.json()["result"] == "payment recorded"
    deliver(client, event("checkout.session.completed", checkout_session(invoice, payment_intent=intent)))
    assert len(payments_of(session, invoice)) == 1
    assert fresh(session, invoice).status == InvoiceStatus.paid


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("forged", id="forged-signature"),
        pytest.param("stale", id="stale-timestamp"),
        pytest.param("future", id="timestamp-too-far-ahead"),
        pytest.param("wrong-secret", id="wrong-secret"),
        pytest.param("", id="missing-header"),
        pytest.param("t=abc,v1=00", id="garbage"),
        pytest.param("tampered", id="body-changed-after-signing"),
    ],
)
def test_bad_signature_is_400_and_changes_nothing(client, session, invoice, header):
    payload = event("checkout.session.completed", checkout_session(invoice, payment_intent=next_id("pi")))
    raw = body(payload)
    headers = {
        "forged": sign(raw).split(",v1=")[0] + ",v1=" + "0" * 64,
        "stale": sign(raw, at=TEST_NOW - timedelta(seconds=301)),
        "future": sign(raw, at=TEST_NOW + timedelta(seconds=301)),
        "wrong-secret": sign(raw, secret="whsec_someoneElsesSecret0000000000"),
        "tampered": sign(body({**payload, "type": "checkout.session.expired"})),
    }
    response = deliver(client, payload, header=headers.get(header, header))
    assert response.status_code == 400
    assert response.json()["error"] == "InvalidSignature"
    assert fresh(session, invoice).status == InvoiceStatus.open
    assert payments_of(session, invoice) == []
    assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_signature_within_tolerance_and_rotated_secrets(
    tmp_path, database_url, clock, session_factory, session, invoice
):
    from fastapi.testclient import TestClient

    from duespark.app import create_app
    from tests.conftest import make_test_settings

    new_secret = "whsec_rotatedSecret00000000000000000"
    settings = make_test_settings(
        tmp_path,
        database_url,
        stripe_secret_key="sk_test_x1234567890",
        stripe_webhook_secret=f"{new_secret},{WEBHOOK_SECRET}",
    )
    app = create_app(settings, clock)
    app.state.engine.dispose()
    app.state.session_factory = session_factory
    payload = event("checkout.session.completed", checkout_session(invoice, payment_intent=next_id("pi")))
    raw = body(payload)
    # During rotation Stripe sends one v1 per secret; an unknown value next to a good one is fine.
    good = sign(raw, secret=WEBHOOK_SECRET, at=TEST_NOW - timedelta(seconds=299))
    header = good + ",v1=" + "f" * 64 + ",v0=" + "0" * 64
    with TestClient(app) as test_client:
        response = deliver(test_client, payload, header=header)
    assert response.status_code == 200, response.text
    assert fresh(session, invoice).status == InvoiceStatus.paid


def test_partial_payment_then_rest(client, session, invoice, published):
    first = next_id("pi")
    deliver(
        client,
        event("checkout.session.completed", checkout_session(invoice, amount_total=25_000, payment_intent=first)),
    )
    partly = fresh(session, invoice)
    assert (partly.status, partly.balance_minor) == (InvoiceStatus.partially_paid, 100_000)
    deliver(client, event("checkout.session.completed", checkout_session(partly, payment_intent=next_id("pi"))))
    paid = fresh(session, invoice)
    assert (paid.status, paid.balance_minor) == (InvoiceStatus.paid, 0)
    assert [p.amount_minor for p in payments_of(session, invoice)] == [25_000, 100_000]
    assert published == [("payment_recorded", (invoice.id,)), ("paid", (invoice.id,))]


def test_refund_reopens_balance_and_out_of_order_refunds_count_once(client, session, invoice, published):
    intent, charge_id = next_id("pi"), next_id("ch")
    deliver(client, event("checkout.session.completed", checkout_session(invoice, payment_intent=intent)))
    refund_30k = event(
        "charge.refunded",
        charge(invoice, charge_id=charge_id, intent_id=intent, amount=125_000, amount_refunded=30_000),
    )
    refund_50k = event(
        "charge.refunded",
        charge(invoice, charge_id=charge_id, intent_id=intent, amount=125_000, amount_refunded=50_000),
    )
    # The later refund (cumulative 50,000) arrives first; the earlier one then adds nothing.
    assert deliver(client, refund_50k).json()["result"] == "refund of 50000 recorded"
    assert deliver(client, refund_30k).json()["result"] == "refund already recorded"
    reopened = fresh(session, invoice)
    assert (reopened.status, reopened.amount_paid_minor, reopened.paid_at) == (
        InvoiceStatus.partially_paid,
        75_000,
        None,
    )
    assert [p.amount_minor for p in payments_of(session, invoice)] == [125_000, -50_000]
    assert published == [("paid", (invoice.id,)), ("reopened", (invoice.id,))]
    full = event(
        "charge.refunded",
        charge(invoice, charge_id=charge_id, intent_id=intent, amount=125_000, amount_refunded=125_000),
    )
    deliver(client, full)
    refunded = fresh(session, invoice)
    assert (refunded.status, refunded.amount_paid_minor) == (InvoiceStatus.open, 0)


def test_refund_before_payment_event_records_both_once(client, session, invoice):
    intent, charge_id = next_id("pi"), next_id("ch")
    refund = charge(
        invoice, charge_id=charge_id, intent_id=intent, amount=125_000, amount_refunded=125_000, metadata=True
    )
    deliver(client, event("charge.refunded", refund))
    deliver(client, event("checkout.session.completed", checkout_session(invoice, payment_intent=intent)))
    final = fresh(session, invoice)
    assert [p.amount_minor for p in payments_of(session, invoice)] == [125_000, -125_000]
    assert (final.status, final.amount_paid_minor) == (InvoiceStatus.open, 0)


def test_async_payment_waits_then_succeeds_or_fails(client, session, invoice):
    intent = next_id("pi")
    pending = checkout_session(invoice, payment_intent=intent, payment_status="unpaid")
    assert (
        deliver(client, event("checkout.session.completed", pending)).json()["result"]
        == "awaiting asynchronous payment"
    )
    assert fresh(session, invoice).status == InvoiceStatus.open
    failed = deliver(client, event("checkout.session.async_payment_failed", {**pending, "payment_status": "unpaid"}))
    assert "failed" in failed.json()["result"]
    assert fresh(session, invoice).status == InvoiceStatus.open
    deliver(client, event("checkout.session.async_payment_succeeded", {**pending, "payment_status": "paid"}))
    assert fresh(session, invoice).status == InvoiceStatus.paid


def test_unknown_event_is_stored_and_acknowledged(client, session):
    payload = event("customer.created", {"id": "cus_test_1", "object": "customer", "email": "x@y.test"})
    response = deliver(client, payload)
    assert response.status_code == 200
    stored = session.scalars(select(WebhookEvent).where(WebhookEvent.external_id == payload["id"])).one()
    assert (stored.source, stored.type, stored.processed_at) == ("stripe", "customer.created", TEST_NOW)
    assert stored.payload["data"]["object"]["email"] == "x@y.test"


def test_event_for_unknown_invoice_is_acknowledged_with_reason(client, session, invoice):
    payload = checkout_session(invoice, payment_intent=next_id("pi"))
    payload["metadata"] = {"invoice_id": "999999999", "account_id": str(invoice.account_id)}
    response = deliver(client, event("checkout.session.completed", payload))
    assert response.status_code == 200
    assert response.json()["result"].startswith("not applied")
    stored = session.scalars(select(WebhookEvent)).one()
    assert "no DueSpark invoice" in stored.error


def test_currency_mismatch_changes_nothing(client, session, invoice):
    payload = checkout_session(invoice, payment_intent=next_id("pi"))
    payload["currency"] = "usd"
    response = deliver(client, event("checkout.session.completed", payload))
    assert response.json()["result"].startswith("not applied")
    assert payments_of(session, invoice) == []


def test_not_a_stripe_event_is_422(client):
    raw = b'{"hello": "world"}'
    response = client.post("/api/webhooks/stripe", content=raw, headers={"Stripe-Signature": sign(raw)})
    assert response.status_code == 422


def test_imported_invoice_follows_stripe_paid_and_voided(client, session, invoice, clock):
    owner = session.get(Client, invoice.client_id)
    paid_in_stripe = make_invoice(
        session, client=owner, clock=clock, amount_minor=50_000, currency="USD", external_id="stripe:in_test_paid"
    )
    voided_in_stripe = make_invoice(
        session, client=owner, clock=clock, amount_minor=9_900, currency="USD", external_id="stripe:in_test_void"
    )
    for _ in range(2):
        deliver(client, event("invoice.paid", stripe_invoice(invoice_id="in_test_paid", amount_paid=50_000)))
        deliver(client, event("invoice.voided", stripe_invoice(invoice_id="in_test_void", status="void")))
    assert fresh(session, paid_in_stripe).status == InvoiceStatus.paid
    assert len(payments_of(session, paid_in_stripe)) == 1
    assert fresh(session, voided_in_stripe).status == InvoiceStatus.void


def test_imported_invoice_paid_out_of_band_is_settled(client, session, invoice, clock):
    owner = session.get(Client, invoice.client_id)
    imported = make_invoice(
        session, client=owner, clock=clock, amount_minor=50_000, currency="USD", external_id="stripe:in_test_oob"
    )
    marked_paid = stripe_invoice(invoice_id="in_test_oob", amount_due=50_000, status="paid")
    assert deliver(client, event("invoice.paid", marked_paid)).json()["result"] == "payment recorded"
    assert fresh(session, imported).status == InvoiceStatus.paid


def test_account_endpoint_uses_the_accounts_secret_and_scope(client, session, invoice, clock, settings):
    from duespark.payments import links, service

    account_secret = "whsec_accountOwnSecret0000000000000"
    service.connect_stripe(
        session,
        settings=settings,
        account_id=invoice.account_id,
        secret_key="sk_test_accountKey123456",
        webhook_secret=account_secret,
        clock=clock,
    )
    path = links.stripe_webhook_url(settings, invoice.account_id).removeprefix("http://testserver")
    payload = event("checkout.session.completed", checkout_session(invoice, payment_intent=next_id("pi")))
    raw = body(payload)
    # The server's secret does not open an account's endpoint.
    assert deliver(client, payload, header=sign(raw), path=path).status_code == 400
    assert deliver(client, payload, header=sign(raw, secret=account_secret), path=path).status_code == 200
    assert fresh(session, invoice).status == InvoiceStatus.paid
    # Another account's endpoint cannot touch this invoice.
    other = make_account(session, clock=clock, name="Other")
    service.connect_stripe(
        session,
        settings=settings,
        account_id=other.id,
        secret_key="sk_test_otherKey1234567",
        webhook_secret=account_secret,
        clock=clock,
    )
    other_path = links.stripe_webhook_url(settings, other.id).removeprefix("http://testserver")
    refund = event(
        "charge.refunded",
        charge(
            invoice,
            charge_id=next_id("ch"),
            intent_id=payload["data"]["object"]["payment_intent"],
            amount=125_000,
            amount_refunded=125_000,
            metadata=True,
        ),
    )
    raw = body(refund)
    assert (
        deliver(client, refund, header=sign(raw, secret=account_secret), path=other_path)
        .json()["result"]
        .startswith("ignored")
    )
    assert fresh(session, invoice).status == InvoiceStatus.paid
    assert client.post("/api/webhooks/stripe/forged.token", content=raw).status_code == 404
