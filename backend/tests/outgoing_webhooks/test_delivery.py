"""Outgoing webhooks end to end on SQLite and PostgreSQL: the outbox row written with the change, then
delivered by the worker's Deliverer to a real HTTP server on 127.0.0.1, signed (verified with the
`standardwebhooks` package on the exact bytes received), retried on an injected clock, disabled."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from duespark.clients import service as clients
from duespark.clients.schemas import ClientCreate
from duespark.invoices import service as invoices
from duespark.invoices.schemas import InvoiceCreate
from duespark.models import Message, WebhookDelivery, WebhookEndpoint
from duespark.outgoing_webhooks import service
from duespark.outgoing_webhooks.delivery import MAX_ATTEMPTS, RETRY_DELAYS, Deliverer
from duespark.outgoing_webhooks.events import EVENT_DATA, EVENT_TYPES
from duespark.outgoing_webhooks.schemas import EndpointCreate
from duespark.wiring import connect_domains
from tests.helpers import make_account, make_client


@pytest.fixture
def account(session, now_clock, settings):
    connect_domains(settings)
    return make_account(session, clock=now_clock)


def add_endpoint(session, account, receiver, settings, clock, *, types=None, path="/hook"):
    data = EndpointCreate(url=receiver.url(path), event_types=types or list(EVENT_TYPES), description="books")
    endpoint, secret = service.create_endpoint(
        session, account_id=account.id, data=data, settings=settings, clock=clock
    )
    session.commit()
    return endpoint, secret


def make_invoice(session, account, clock, client=None, number="INV-1"):
    client = client or make_client(session, account=account, clock=clock)
    data = InvoiceCreate(
        client_id=client.id,
        number=number,
        amount="100.00",
        currency="EUR",
        issue_date=date(2026, 11, 1),
        due_date=date(2026, 12, 1),
    )
    return invoices.create_invoice(session, account_id=account.id, data=data, clock=clock)


def deliverer(session_factory, settings, clock, **kwargs) -> Deliverer:
    return Deliverer(session_factory=session_factory, settings=settings, clock=clock, **kwargs)


def deliveries(session) -> list[WebhookDelivery]:
    session.expire_all()
    return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_an_event_is_queued_with_the_change_and_delivered_signed(
    session, session_factory, settings, now_clock, account, receiver
):
    endpoint, secret = add_endpoint(session, account, receiver, settings, now_clock)
    assert secret.startswith("whsec_")
    invoice = make_invoice(session, account, now_clock)
    session.commit()
    [queued] = [d for d in deliveries(session) if d.event_type == "invoice.created"]
    assert queued.status == "pending" and queued.endpoint_id == endpoint.id

    stats = deliverer(session_factory, settings, now_clock).run()

    assert stats.delivered >= 1
    [request] = [r for r in receiver.requests if b'"invoice.created"' in r.body]
    # The package's own verifier, on the bytes exactly as they arrived.
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == "invoice.created"
    assert payload["data"]["id"] == invoice.id and payload["data"]["amount"] == "100.00"
    assert payload["data"]["balance"] == "100.00" and payload["data"]["due_date"] == "2026-12-01"
    assert request.headers["webhook-id"] == queued.event_id
    assert request.headers["webhook-timestamp"] == str(int(now_clock.now().timestamp()))
    assert request.body == queued.body.encode()
    with pytest.raises(Exception, match="signature"):
        Webhook(secret).verify(request.body + b" ", request.headers)
    session.refresh(queued)
    assert (queued.status, queued.attempts, queued.last_response_code) == ("delivered", 1, 200)
    assert queued.last_response_excerpt == "ok" and queued.delivered_at == now_clock.now()


def test_a_change_that_rolls_back_queues_nothing_and_unsubscribed_types_are_not_queued(
    session, settings, now_clock, account, receiver
):
    add_endpoint(session, account, receiver, settings, now_clock, types=["invoice.paid"])
    make_invoice(session, account, now_clock)
    session.rollback()
    assert deliveries(session) == []
    invoice = make_invoice(session, account, now_clock, number="INV-2")
    session.commit()
    assert deliveries(session) == []  # invoice.created is not subscribed
    invoices.record_manual_payment(
        session,
        invoice=invoice,
        amount="100.00",
        method="bank_transfer",
        paid_at=None,
        reference=None,
        note=None,
        clock=now_clock,
    )
    session.commit()
    assert [d.event_type for d in deliveries(session)] == ["invoice.paid"]


def test_events_of_each_domain_reach_a_subscribed_endpoint(
    session, session_factory, settings, now_clock, account, receiver
):
    types = [t for t in EVENT_TYPES if not t.startswith("reminder.")]  # the planner's: test_more_events.py
    _, secret = add_endpoint(session, account, receiver, settings, now_clock, types=types)
    client = clients.create_client(
        session, account_id=account.id, data=ClientCreate(name="Globex", email="ap@globex.com"), clock=now_clock
    )
    invoice = make_invoice(session, account, now_clock, client=client)
    invoices.record_manual_payment(
        session,
        invoice=invoice,
        amount="40.00",
        method="bank_transfer",
        paid_at=None,
        reference="T-1",
        note=None,
        clock=now_clock,
    )
    invoices.record_manual_payment(
        session,
        invoice=invoice,
        amount="60.00",
        method="bank_transfer",
        paid_at=None,
        reference="T-2",
        note=None,
        clock=now_clock,
    )
    other = make_invoice(session, account, now_clock, client=client, number="INV-9")
    invoices.void_invoice(session, invoice=other, clock=now_clock)
    session.commit()
    deliverer(session_factory, settings, now_clock).run()

    types = [json.loads(r.body)["type"] for r in receiver.requests]
    assert sorted(types) == sorted(
        [
            "client.created",
            "invoice.created",
            "invoice.partially_paid",
            "payment.recorded",
            "invoice.paid",
            "payment.recorded",
            "invoice.created",
            "invoice.voided",
        ]
    )

    # One invoice's events arrive in the order they happened.
    def about_invoice(payload: dict) -> bool:
        data = payload["data"]
        return data.get("invoice_id", data["id"] if payload["type"].startswith("invoice.") else None) == invoice.id

    first = [p["type"] for p in map(json.loads, (r.body for r in receiver.requests)) if about_invoice(p)]
    assert first == [
        "invoice.created",
        "invoice.partially_paid",
        "payment.recorded",
        "invoice.paid",
        "payment.recorded",
    ]
    assert all(Webhook(secret).verify(r.body, r.headers) for r in receiver.requests)
    # Each data object has the fields GET /api/webhooks/event-types lists, in order.
    for payload in map(json.loads, (r.body for r in receiver.requests)):
        assert list(payload["data"]) == list(EVENT_DATA[payload["type"]]), payload["type"]
    payments = [json.loads(b)["data"] for b in receiver.bodies_of("payment.recorded")]
    assert sorted((p["amount"], p["external_reference"]) for p in payments) == [("40.00", "T-1"), ("60.00", "T-2")]


def test_events_of_one_invoice_are_delivered_in_order_even_when_the_receiver_fails_first(
    session, session_factory, settings, now_clock, account, receiver
):
    """The receiver is down for the first five attempts; every event still arrives once, in order."""
    add_endpoint(
        session, account, receiver, settings, now_clock, types=["invoice.created", "invoice.updated", "invoice.voided"]
    )
    invoice = make_invoice(session, account, now_clock)
    invoice.description = "changed"
    from duespark.invoices.events import InvoiceChange, publish

    publish(session, InvoiceChange.updated, [invoice.id], now_clock)
    invoices.void_invoice(session, invoice=invoice, clock=now_clock)
    session.commit()
    receiver.answer = lambda n, r: (503, {}, b"down") if n <= 5 else (200, {}, b"ok")
    worker = deliverer(session_factory, settings, now_clock)
    for _ in range(12):
        worker.run()
        now_clock.advance(hours=1)
    delivered = [json.loads(r.body)["type"] for r in receiver.requests[5:]]
    assert delivered == ["invoice.created", "invoice.updated", "invoice.voided"]
    # While the first was failing, the later ones were never attempted (they wait for it).
    assert {json.loads(r.body)["type"] for r in receiver.requests[:5]} == {"invoice.created"}
    assert [d.status for d in deliveries(session)] == ["delivered"] * 3


def test_retries_follow_the_schedule_then_the_endpoint_is_disabled_and_the_owner_emailed(
    session, session_factory, settings, now_clock, account, receiver
):
    endpoint, _ = add_endpoint(session, account, receiver, settings, now_clock, types=["invoice.created"])
    make_invoice(session, account, now_clock)
    session.commit()
    receiver.answer = lambda n, r: (500, {}, b"x" * 5000)
    worker = deliverer(session_factory, settings, now_clock)
    start = now_clock.now()
    attempts_at = []
    for delay in (timedelta(0), *RETRY_DELAYS):
        now_clock.advance(delay)
        before = len(receiver.requests)
        worker.run()
        assert len(receiver.requests) == before + 1, f"no attempt after {delay}"
        attempts_at.append(now_clock.now())
        # A moment before the next retry is due, nothing is sent.
        now_clock.advance(seconds=-1)
        worker.run()
        now_clock.advance(seconds=1)
        assert len(receiver.requests) == before + 1
    assert len(receiver.requests) == MAX_ATTEMPTS == 11
    assert attempts_at[-1] - start > timedelta(days=2, hours=20)
    [delivery] = deliveries(session)
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == ("failed", 11, 500)
    assert delivery.last_response_excerpt == "x" * 512  # the excerpt is kept small
    session.refresh(endpoint)
    assert not endpoint.enabled and "HTTP 500" in endpoint.disabled_reason
    [email] = session.scalars(select(Message).where(Message.kind == "webhook_endpoint_disabled")).all()
    assert email.to_email.startswith("owner") and receiver.url() in email.subject
    assert receiver.url() in email.content["text"] and "HTTP 500" in email.content["text"]
    assert "<script" not in email.content["html"]
    # A disabled endpoint gets no new events.
    make_invoice(session, account, now_clock, number="INV-2")
    session.commit()
    assert len(deliveries(session)) == 1


def test_a_success_in_between_keeps_the_endpoint_enabled(
    session, session_factory, settings, now_clock, account, receiver
):
    endpoint, _ = add_endpoint(session, account, receiver, settings, now_clock, types=["invoice.created"])
    make_invoice(session, account, now_clock)
    session.commit()
    # Fails the first invoice forever, accepts any other (the receiver chokes on one payload).
    receiver.answer = lambda n, r: (500, {}, b"") if b'"INV-1"' in r.body else (200, {}, b"")
    worker = deliverer(session_factory, settings, now_clock)
    worker.run()
    make_invoice(session, account, now_clock, number="INV-2")
    session.commit()
    for delay in RETRY_DELAYS:
        now_clock.advance(delay)
        worker.run()
    statuses = {json.loads(d.body)["data"]["number"]: d.status for d in deliveries(session)}
    assert statuses == {"INV-1": "failed", "INV-2": "delivered"}
    session.refresh(endpoint)
    assert endpoint.enabled


def test_redirects_are_not_followed(session, session_factory, settings, now_clock, account, receiver):
    add_endpoint(session, account, receiver, settings, now_clock, types=["invoice.created"])
    make_invoice(session, account, now_clock)
    session.commit()
    receiver.answer = lambda n, r: (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")
    stats = deliverer(session_factory, settings, now_clock).run()
    assert stats.retried == 1 and len(receiver.requests) == 1
    [delivery] = deliveries(session)
    assert delivery.last_response_code == 302 and "Redirect not followed" in delivery.last_response_excerpt
    assert delivery.status == "pending" and delivery.next_attempt_at == now_clock.now() + RETRY_DELAYS[0]


def test_the_address_is_checked_again_at_delivery(session, session_factory, settings, now_clock, account, receiver):
    """DNS rebinding: public when saved, private when sent. The attempt is refused, nothing connects."""
    strict = settings.model_copy(update={"webhooks_allow_private_targets": False})
    answers = {"hooks.acme.test": ["93.184.215.14"]}
    data = EndpointCreate(url="http://hooks.acme.test/in", event_types=["invoice.created"])
    service.create_endpoint(
        session,
        account_id=account.id,
        data=data,
        settings=strict,
        clock=now_clock,
        resolver=lambda host, port: answers[host],
    )
    make_invoice(session, account, now_clock)
    session.commit()
    answers["hooks.acme.test"] = ["127.0.0.1"]
    stats = deliverer(session_factory, strict, now_clock, resolver=lambda host, port: answers[host]).run()
    assert stats.retried == 1 and receiver.requests == []
    [delivery] = deliveries(session)
    assert delivery.last_response_code is None and "private or reserved" in delivery.last_response_excerpt


def test_a_timeout_is_a_failed_attempt(session, session_factory, settings, now_clock, account, receiver):
    add_endpoint(session, account, receiver, settings, now_clock, types=["invoice.created"])
    make_invoice(session, account, now_clock)
    session.commit()
    receiver.delay = 3  # the timeout is 2 s in these tests
    stats = deliverer(session_factory, settings, now_clock).run()
    assert stats.retried == 1
    [delivery] = deliveries(session)
    assert "Timed out" in delivery.last_response_excerpt and delivery.last_response_code is None


def test_a_worker_dying_after_the_claim_loses_nothing(session, session_factory, settings, now_clock, account, receiver):
    add_endpoint(session, account, receiver, settings, now_clock, types=["invoice.created"])
    make_invoice(session, account, now_clock)
    session.commit()
    dead = deliverer(session_factory, settings, now_clock)
    [claimed] = dead._claim(10)  # claimed and committed, then the process dies before sending
    assert deliveries(session)[0].status == "sending"
    survivor = deliverer(session_factory, settings, now_clock)
    assert survivor.run().claimed == 0  # the lease still holds
    now_clock.advance(dead.lease + timedelta(seconds=1))
    stats = survivor.run()
    assert stats.recovered == 1 and stats.delivered == 1
    assert [r.headers["webhook-id"] for r in receiver.requests] == [claimed.event_id]


def test_a_rotated_secret_signs_beside_the_old_one_for_a_day(
    session, session_factory, settings, now_clock, account, receiver
):
    endpoint, old = add_endpoint(session, account, receiver, settings, now_clock, types=["invoice.created"])
    new = service.rotate_secret(session, endpoint=endpoint, settings=settings, clock=now_clock)
    make_invoice(session, account, now_clock)
    session.commit()
    deliverer(session_factory, settings, now_clock).run()
    [request] = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(request.body, request.headers)
    Webhook(new).verify(request.body, request.headers)
    # A day later only the new one signs.
    now_clock.advance(hours=25)
    make_invoice(session, account, now_clock, number="INV-2")
    session.commit()
    deliverer(session_factory, settings, now_clock).run()
    signature = receiver.requests[-1].headers["webhook-signature"]
    timestamp = datetime.fromtimestamp(int(receiver.requests[-1].headers["webhook-timestamp"]), UTC)
    event_id = receiver.requests[-1].headers["webhook-id"]
    assert signature == Webhook(new).sign(event_id, timestamp, receiver.requests[-1].body)


def test_resend_and_test_event(session, session_factory, settings, now_clock, account, receiver):
    endpoint, secret = add_endpoint(session, account, receiver, settings, now_clock, types=["invoice.created"])
    make_invoice(session, account, now_clock)
    session.commit()
    worker = deliverer(session_factory, settings, now_clock)
    worker.run()
    [delivery] = deliveries(session)
    service.resend(session, endpoint=endpoint, delivery=delivery, clock=now_clock)
    test = service.send_test_event(session, endpoint=endpoint, clock=now_clock)
    session.commit()
    worker.run()
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    # A resend keeps its webhook-id (receivers deduplicate on it); the test event has its own.
    assert ids[0] == delivery.event_id and sorted(ids[1:]) == sorted([delivery.event_id, test.event_id])
    [sent_test] = [r for r in receiver.requests if r.headers["webhook-id"] == test.event_id]
    assert Webhook(secret).verify(sent_test.body, sent_test.headers)["type"] == "webhook.test"


def test_accounts_without_endpoints_queue_nothing(session, settings, now_clock, account):
    other = make_account(session, clock=now_clock, name="Other")
    make_invoice(session, other, now_clock)
    session.commit()
    assert session.scalars(select(WebhookEndpoint)).all() == []
    assert deliveries(session) == []
