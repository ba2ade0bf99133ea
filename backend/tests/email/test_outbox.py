"""Thank-you emails queued on payment and the outbox that sends queued messages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from duespark.db import transaction
from duespark.email import outbox
from duespark.email.outbox import LEASE, MAX_ATTEMPTS, send_queued_messages
from duespark.email.providers.base import PermanentSendError, TransientSendError
from duespark.email.service import queue_thank_you, suppress, unsubscribe_client
from duespark.invoices.service import apply_payment
from duespark.models import Client, Message, User
from tests.conftest import make_test_settings
from tests.helpers import make_account, make_client, make_invoice


def _pay(session, invoice, clock, amount=None):
    apply_payment(
        session,
        invoice=invoice,
        amount_minor=invoice.balance_minor if amount is None else amount,
        method="manual",
        paid_at=clock.now(),
        clock=clock,
    )
    session.flush()


def _live_client(session, clock, **fields):
    account = make_account(session, clock=clock, name="Ada Design")
    account.test_mode = False
    client = make_client(session, account=account, clock=clock, name="Jordan Miller", **fields)
    return account, client


def _messages(session, **filters):
    session.expire_all()
    return list(session.scalars(select(Message).filter_by(**filters).order_by(Message.id)))


def _send(session_factory, provider, settings, clock, batch_size=100):
    return send_queued_messages(
        session_factory, provider=provider, settings=settings, clock=clock, batch_size=batch_size
    )


def test_paying_an_invoice_queues_one_thank_you_that_the_outbox_sends(
    session, session_factory, clock, settings, provider
):
    _account, client = _live_client(session, clock, locale="de_DE")
    invoice = make_invoice(session, client=client, clock=clock, amount_minor=125_000)
    _pay(session, invoice, clock, amount=25_000)
    assert _messages(session, kind="thank_you") == []  # partly paid: no thanks yet
    _pay(session, invoice, clock)
    [queued] = _messages(session, kind="thank_you")
    assert (queued.status, queued.to_email, queued.invoice_id, queued.content) == (
        "queued",
        client.email,
        invoice.id,
        None,
    )

    assert _send(session_factory, provider, settings, clock) == 1
    [email] = provider.sent
    assert email.to == client.email
    assert email.subject == f"Vielen Dank \u2013 Zahlung für Rechnung {invoice.number} erhalten"
    assert "1.250,00\xa0€" in email.text
    assert email.tag == "thank_you"
    [sent] = _messages(session, kind="thank_you")
    assert sent.status == "sent" and sent.provider == "recording" and sent.provider_message_id == "rec-1"
    assert sent.sent_at == clock.now() and sent.subject == email.subject and sent.attempts == 1
    assert _send(session_factory, provider, settings, clock) == 0


def test_an_invoice_is_thanked_once_even_when_paid_again_after_a_refund(session, clock):
    _account, client = _live_client(session, clock)
    invoice = make_invoice(session, client=client, clock=clock)
    _pay(session, invoice, clock)
    _pay(session, invoice, clock, amount=-1000)  # refund reopens it
    _pay(session, invoice, clock)
    assert len(_messages(session, kind="thank_you")) == 1
    assert queue_thank_you(session, invoice_ids=[invoice.id], clock=clock) == []


def test_test_mode_thanks_the_account_owner_instead_of_the_client(session, session_factory, clock, settings, provider):
    account = make_account(session, clock=clock)
    client = make_client(session, account=account, clock=clock)
    invoice = make_invoice(session, client=client, clock=clock)
    _pay(session, invoice, clock)
    [queued] = _messages(session, kind="thank_you")
    assert queued.to_email == account.sender_email and queued.is_test is True
    _send(session_factory, provider, settings, clock)
    assert [e.to for e in provider.sent] == [account.sender_email]


def test_no_thank_you_for_clients_without_consent_or_address(session, clock):
    account, _client = _live_client(session, clock)
    unsubscribed = make_client(session, account=account, clock=clock, name="Gone")
    unsubscribe_client(session, client=unsubscribed, clock=clock)
    no_email = make_client(session, account=account, clock=clock, name="Paper", email=None)
    bounced = make_client(session, account=account, clock=clock, name="Bounced")
    suppress(session, account_id=None, email=bounced.email.upper(), reason="hard_bounce", clock=clock)
    for c in (unsubscribed, no_email, bounced):
        _pay(session, make_invoice(session, client=c, clock=clock), clock)
    assert _messages(session, kind="thank_you") == []


def test_a_client_who_unsubscribes_while_the_message_waits_is_not_mailed(
    session, session_factory, clock, settings, provider
):
    _account, client = _live_client(session, clock)
    _pay(session, make_invoice(session, client=client, clock=clock), clock)
    unsubscribe_client(session, client=session.get(Client, client.id), clock=clock)
    session.flush()
    # Only the note telling the account's owner goes out; nothing to the client.
    assert _send(session_factory, provider, settings, clock) == 1
    [message] = _messages(session, kind="thank_you")
    assert (message.status, message.error) == ("canceled", "unsubscribed")
    assert [email.tag for email in provider.sent] == ["client_unsubscribed"]
    assert client.email not in {email.to for email in provider.sent}


def test_suppressed_or_unverified_accounts_are_canceled_at_send_time(
    session, session_factory, clock, tmp_path, database_url, provider
):
    account, client = _live_client(session, clock)
    other = make_client(session, account=account, clock=clock, name="Other")
    _pay(session, make_invoice(session, client=client, clock=clock), clock)
    _pay(session, make_invoice(session, client=other, clock=clock), clock)
    suppress(session, account_id=account.id, email=client.email, reason="complaint", clock=clock)
    session.flush()
    strict = make_test_settings(tmp_path, database_url, require_verified_email_for_reminders=True)
    assert _send(session_factory, provider, strict, clock) == 0
    reasons = {m.client_id: m.error for m in _messages(session, kind="thank_you")}
    assert reasons == {client.id: "suppressed", other.id: "account email address not verified"}


def test_transient_failures_retry_with_backoff_then_fail(session, session_factory, clock, settings, provider):
    _account, client = _live_client(session, clock)
    _pay(session, make_invoice(session, client=client, clock=clock), clock)
    provider.outcomes[client.email] = TransientSendError("Postmark HTTP 503")
    assert _send(session_factory, provider, settings, clock) == 0
    [message] = _messages(session, kind="thank_you")
    assert message.status == "queued" and message.attempts == 1 and "503" in message.error
    first_retry = message.next_attempt_at
    assert clock.now() + timedelta(seconds=45) < first_retry < clock.now() + timedelta(seconds=75)
    assert _send(session_factory, provider, settings, clock) == 0  # not due yet
    assert provider.batches == [1]

    for attempt in range(2, MAX_ATTEMPTS + 1):
        clock.advance(hours=7)
        _send(session_factory, provider, settings, clock)
        [message] = _messages(session, kind="thank_you")
        assert message.attempts == attempt
    assert message.status == "failed" and message.next_attempt_at is None

    del provider.outcomes[client.email]
    clock.advance(days=1)
    assert _send(session_factory, provider, settings, clock) == 0


def test_a_transient_failure_then_success(session, session_factory, clock, settings, provider):
    _account, client = _live_client(session, clock)
    _pay(session, make_invoice(session, client=client, clock=clock), clock)
    provider.outcomes[client.email] = TransientSendError("timeout")
    _send(session_factory, provider, settings, clock)
    del provider.outcomes[client.email]
    clock.advance(minutes=2)
    assert _send(session_factory, provider, settings, clock) == 1
    [message] = _messages(session, kind="thank_you")
    assert (message.status, message.error, message.attempts) == ("sent", None, 2)


def test_permanent_failure_is_final(session, session_factory, clock, settings, provider):
    _account, client = _live_client(session, clock)
    _pay(session, make_invoice(session, client=client, clock=clock), clock)
    provider.outcomes[client.email] = PermanentSendError("Postmark 406: inactive recipient")
    _send(session_factory, provider, settings, clock)
    [message] = _messages(session, kind="thank_you")
    assert (message.status, message.next_attempt_at) == ("failed", None)
    assert "406" in message.error


def test_many_messages_go_in_batches(session, session_factory, clock, settings, provider):
    _account, client = _live_client(session, clock)
    for _ in range(5):
        _pay(session, make_invoice(session, client=client, clock=clock), clock)
    assert _send(session_factory, provider, settings, clock, batch_size=3) == 3
    assert _send(session_factory, provider, settings, clock, batch_size=3) == 2
    assert provider.batches == [3, 2]


def test_a_worker_that_died_mid_send_leaves_the_message_to_be_claimed_after_its_lease(
    session, session_factory, clock, settings, provider
):
    _account, client = _live_client(session, clock)
    _pay(session, make_invoice(session, client=client, clock=clock), clock)
    with transaction(session_factory) as claiming:
        [claimed] = outbox._claim(claiming, settings=settings, clock=clock, batch_size=10)
    # ...the worker dies here, before sending or recording.
    [message] = _messages(session, kind="thank_you")
    assert message.status == "sending"
    assert _send(session_factory, provider, settings, clock) == 0  # still leased
    clock.advance(LEASE + timedelta(seconds=1))
    assert _send(session_factory, provider, settings, clock) == 1
    [message] = _messages(session, kind="thank_you")
    assert message.id == claimed.message_id and message.status == "sent" and message.attempts == 2


def test_owner_email_is_used_for_test_mode_without_sender_email(session, clock):
    account = make_account(session, clock=clock)
    account.sender_email = None
    client = make_client(session, account=account, clock=clock)
    _pay(session, make_invoice(session, client=client, clock=clock), clock)
    [message] = _messages(session, kind="thank_you")
    owner = session.scalars(select(User).where(User.email.like("owner%@acme.test")).order_by(User.id.desc())).first()
    assert message.to_email == owner.email


def test_a_thank_you_too_late_to_send_is_canceled(session, session_factory, clock, settings, provider):
    """History (demo data, imports) or a worker down for days: a weeks-late thank-you is not sent."""
    _account, client = _live_client(session, clock)
    fresh = make_invoice(session, client=client, clock=clock)
    stale = make_invoice(session, client=client, clock=clock)
    _pay(session, stale, clock)
    clock.advance(days=3, minutes=1)
    _pay(session, fresh, clock)
    assert _send(session_factory, provider, settings, clock) == 1
    assert [email.subject for email in provider.sent] == [f"Thank you: payment for invoice {fresh.number} received"]
    assert [(m.invoice_id, m.status, m.error) for m in _messages(session, kind="thank_you")] == [
        (stale.id, "canceled", "too late to thank"),
        (fresh.id, "sent", None),
    ]
