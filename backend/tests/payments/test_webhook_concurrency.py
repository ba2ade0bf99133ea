"""Deliveries racing each other on PostgreSQL, with real commits: still one payment."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from duespark import migrate
from duespark.db import make_engine, make_session_factory, transaction
from duespark.models import Invoice, Payment
from duespark.models.enums import InvoiceStatus
from duespark.payments.webhooks import receive_stripe_event
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.helpers import make_account, make_client, make_invoice
from tests.payments.stripe_fixtures import checkout_session, event, next_id, payment_intent


@pytest.fixture
def committed_factory(postgres_server_url) -> Iterator:
    url = create_postgres_database(postgres_server_url)
    engine = make_engine(url, pool_size=4)
    migrate.upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()
    drop_postgres_database(postgres_server_url, url)


def run_together(factory, clock, payloads: list[dict]) -> list[str]:
    barrier = threading.Barrier(len(payloads))
    results: list[str] = []
    errors: list[BaseException] = []

    def deliver(payload: dict) -> None:
        try:
            barrier.wait()
            with transaction(factory) as session:
                results.append(receive_stripe_event(session, payload=payload, account_id=None, clock=clock))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=(payload,)) for payload in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return sorted(results)


def test_racing_deliveries_record_one_payment(committed_factory, clock):
    with transaction(committed_factory) as session:
        account = make_account(session, clock=clock)
        invoice = make_invoice(session, client=make_client(session, account=account, clock=clock), clock=clock)
        intent = next_id("pi")
        completed = event("checkout.session.completed", checkout_session(invoice, payment_intent=intent))
        succeeded = event(
            "payment_intent.succeeded", payment_intent(invoice, intent_id=intent, amount=invoice.amount_minor)
        )
        invoice_id = invoice.id

    # The same event delivered four times at once, and the other event naming the same PaymentIntent.
    results = run_together(committed_factory, clock, [completed, completed, completed, completed, succeeded])
    assert results.count("payment recorded") == 1
    assert results.count("duplicate") == 3

    with transaction(committed_factory) as session:
        assert session.scalar(select(func.count()).select_from(Payment).where(Payment.invoice_id == invoice_id)) == 1
        stored = session.get(Invoice, invoice_id)
        assert (stored.status, stored.balance_minor) == (InvoiceStatus.paid, 0)
