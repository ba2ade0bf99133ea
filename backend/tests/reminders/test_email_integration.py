"""The reminder engine and the email domain together: consent, suppressions, user templates,
the outbox in the worker tick, the verified-sender rule and the dispatch-lag gauge."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from duespark.db import transaction
from duespark.email import service as email_service
from duespark.email.links import unsubscribe_token
from duespark.models import Client, EmailTemplate, Reminder, User
from duespark.reminders.dispatcher import message_id_for
from duespark.reminders.worker import ReminderWorker, dispatch_lag_seconds
from tests.conftest import TEST_SECRET
from tests.reminders.support import by_step, make_world, reminders_for
from tests.reminders.test_lifecycle import create_invoice, live_account, run_until, utc


def _client_email(db, client_id: int) -> str:
    with db.factory() as session:
        return session.get(Client, client_id).email


def test_unsubscribe_cancels_pending_reminders_at_once(db, worker, clock, provider, worker_settings):
    account_id, client_id = live_account(db, clock)
    invoice_id = create_invoice(db, clock, account_id, client_id, date(2026, 12, 8))
    assert {r.state for r in reminders_for(db.factory, invoice_id)} == {"pending"}
    with transaction(db.factory) as session:
        client, _ = email_service.unsubscribe_target(
            session, token=unsubscribe_token(worker_settings, client_id), settings=worker_settings
        )
        email_service.unsubscribe_client(session, client=client, clock=clock)
    rows = reminders_for(db.factory, invoice_id)
    assert {(r.state, r.reason) for r in rows} == {("canceled", "unsubscribed")}
    run_until(worker, clock, db, utc(2027, 2, 1))
    # The client gets nothing more; the account's owner is told once that reminders stopped.
    assert [email.tag for email in provider.sent] == ["client_unsubscribed"]
    assert _client_email(db, client_id) not in {email.to for email in provider.sent}


def test_a_hard_bounce_stops_and_pauses_the_client(db, worker, clock, provider):
    account_id, client_id = live_account(db, clock)
    invoice_id = create_invoice(db, clock, account_id, client_id, date(2026, 12, 8))
    address = _client_email(db, client_id)
    with transaction(db.factory) as session:
        email_service.suppress(session, account_id=None, email=address.upper(), reason="hard_bounce", clock=clock)
    assert {(r.state, r.reason) for r in reminders_for(db.factory, invoice_id)} == {("canceled", "hard_bounce")}
    with db.factory() as session:
        assert session.get(Client, client_id).reminders_paused is True
    run_until(worker, clock, db, utc(2027, 2, 1))
    assert provider.sent == []


def test_the_dispatcher_rechecks_suppressions_before_sending(db, worker, clock, provider):
    """A suppression that arrives without the listener (another process, a restore) still stops the send."""
    account_id, client_id = live_account(db, clock)
    invoice_id = create_invoice(db, clock, account_id, client_id, date(2026, 12, 8))
    other_account, _ = live_account(db, clock)
    address = _client_email(db, client_id)
    with transaction(db.factory) as session:
        # Another account's complaint does not stop this account's reminders...
        session.add(
            email_service.Suppression(
                account_id=other_account, email=address, reason="complaint", created_at=clock.now()
            )
        )
    run_until(worker, clock, db, utc(2026, 12, 7, 9))
    assert [email.tag for email in provider.sent] == ["friendly"]
    with transaction(db.factory) as session:
        # ...its own does, even with nobody listening.
        session.add(
            email_service.Suppression(account_id=account_id, email=address, reason="complaint", created_at=clock.now())
        )
    run_until(worker, clock, db, utc(2027, 2, 1))
    assert [email.tag for email in provider.sent] == ["friendly"]
    rows = by_step(reminders_for(db.factory, invoice_id))
    assert (rows["d+0"].state, rows["d+0"].reason) == ("canceled", "suppressed")


def test_reminders_use_the_accounts_own_template(db, worker, clock, provider):
    account_id, client_id = live_account(db, clock)
    create_invoice(db, clock, account_id, client_id, date(2026, 12, 8))
    with transaction(db.factory) as session:
        session.add(
            EmailTemplate(
                account_id=account_id,
                key="friendly",
                locale="en",
                subject="A gentle nudge about {{ invoice_number }}",
                body="Hi {{ client_name }}, {{ invoice_number }} is due soon.",
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    run_until(worker, clock, db, utc(2026, 12, 7, 9))
    [email] = provider.sent
    assert email.subject == "A gentle nudge about INV-2026-12-08"
    # The reminder's own Message-ID survives composing: a resend after a crash carries the same one.
    with db.factory() as session:
        reminder_id = session.scalar(select(Reminder.id).where(Reminder.state == "sent"))
    assert email.headers["Message-ID"] == message_id_for(reminder_id, email.from_email, key=TEST_SECRET)


def test_each_account_in_a_batch_gets_its_own_templates(db, worker, clock, provider):
    """One batch for two accounts: the templates read for it once stay per account."""
    own = make_world(db.factory, clock)
    default = make_world(db.factory, clock)
    with transaction(db.factory) as session:
        session.add(
            EmailTemplate(
                account_id=own.account_id,
                key="due_today",
                locale="en",
                subject="Our own words for {{ invoice_number }}",
                body="Hi {{ client_name }}.",
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    assert worker.dispatch().sent == 2
    subjects = {int(email.metadata["account_id"]): email.subject for email in provider.sent}
    assert subjects[own.account_id].startswith("Our own words for ")
    assert not subjects[default.account_id].startswith("Our own words")


def test_production_waits_for_a_verified_sender(db, clock, provider, tmp_path):
    from tests.conftest import make_test_settings

    settings = make_test_settings(tmp_path, db.url, require_verified_email_for_reminders=True)
    worker = ReminderWorker(
        settings=settings, session_factory=db.factory, clock=clock, provider=provider, worker_id="w"
    )
    account_id, client_id = live_account(db, clock)
    invoice_id = create_invoice(db, clock, account_id, client_id, date(2026, 12, 8))
    run_until(worker, clock, db, utc(2026, 12, 7, 9))
    assert provider.sent == []
    assert by_step(reminders_for(db.factory, invoice_id))["d-3"].reason == "unverified_sender"
    with transaction(db.factory) as session:
        for user in session.scalars(select(User)):
            user.email_verified_at = clock.now()
    run_until(worker, clock, db, utc(2026, 12, 7, 11))
    assert [email.tag for email in provider.sent] == ["friendly"]


def test_dispatch_lag_is_the_age_of_the_oldest_due_reminder(db, clock):
    account_id, client_id = live_account(db, clock)
    create_invoice(db, clock, account_id, client_id, date(2026, 12, 8))
    with db.factory() as session:
        assert dispatch_lag_seconds(session, clock) == 0.0
        first_due = session.scalar(select(Reminder.next_attempt_at).order_by(Reminder.next_attempt_at))
    clock.set(first_due)
    clock.advance(minutes=7)
    with db.factory() as session:
        assert dispatch_lag_seconds(session, clock) == 420.0
