"""The dispatcher on SQLite and PostgreSQL with real commits: send, retry, fail, re-check, catch-up."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from duespark.clock import FixedClock
from duespark.db import transaction
from duespark.models import Client, Invoice, Message, Reminder
from duespark.reminders import service
from duespark.reminders.dispatcher import Dispatcher, backoff, message_id_for
from duespark.reminders.policy import DEFAULT_STEPS
from tests.conftest import TEST_NOW
from tests.reminders.support import (
    RecordingProvider,
    ScriptedProvider,
    SelectiveProvider,
    all_reminders,
    by_step,
    make_world,
    permanent,
    reminders_for,
    transient,
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)  # Wednesday 25 November 2026, 10:00 UTC


def dispatcher(db, settings, provider, clock, worker_id: str = "w1") -> Dispatcher:
    return Dispatcher(
        session_factory=db.factory,
        settings=settings,
        provider=provider,
        clock=clock,
        worker_id=worker_id,
        rng=random.Random(3),
    )


def messages(db) -> list[Message]:
    with db.factory() as session:
        return list(session.scalars(select(Message).order_by(Message.id)))


def test_sends_a_due_reminder_and_records_it(db, worker_settings, clock):
    world = make_world(db.factory, clock)
    provider = RecordingProvider()
    stats = dispatcher(db, worker_settings, provider, clock).run()
    assert (stats.claimed, stats.sent) == (1, 1)
    [email] = provider.sent
    [reminder] = all_reminders(db.factory)
    assert email.to == "billing@globex.test"
    assert not email.subject.startswith("[TEST]")
    assert email.headers["Message-ID"] == message_id_for(
        reminder.id, "reminders@duespark.test", key=worker_settings.signing_keys[0]
    )
    assert reminder.state == "sent"
    assert reminder.sent_at == clock.now()
    assert reminder.provider_message_id == email.headers["Message-ID"]
    assert (reminder.attempts, reminder.is_test, reminder.lease_expires_at) == (1, False, None)
    [message] = messages(db)
    assert (message.kind, message.status, message.provider, message.is_test) == ("reminder", "sent", "recording", False)
    assert (message.reminder_id, message.invoice_id, message.client_id) == (
        reminder.id,
        world.invoice_ids[0],
        world.client_id,
    )
    assert message.template_key == "due_today"
    # Sent rows are done: another run sends nothing.
    assert dispatcher(db, worker_settings, provider, clock).run().claimed == 0
    assert len(provider.sent) == 1


def test_nothing_is_sent_before_its_time(db, worker_settings, clock):
    make_world(db.factory, clock, due_date=date(2026, 11, 26))
    provider = RecordingProvider()
    assert dispatcher(db, worker_settings, provider, clock).run().claimed == 0
    clock.set(datetime(2026, 11, 26, 8, 59, 59, tzinfo=UTC))
    assert dispatcher(db, worker_settings, provider, clock).run().claimed == 0
    clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    assert dispatcher(db, worker_settings, provider, clock).run().sent == 1


def test_test_mode_delivers_only_to_the_owner_marked_as_test(db, worker_settings, clock):
    world = make_world(db.factory, clock, test_mode=True)
    provider = RecordingProvider()
    dispatcher(db, worker_settings, provider, clock).run()
    [email] = provider.sent
    assert email.to == world.owner_email
    assert email.subject.startswith("[TEST] ")
    assert "billing@globex.test" in email.text
    assert email.headers["X-DueSpark-Test"] == "1"
    [reminder] = all_reminders(db.factory)
    [message] = messages(db)
    assert reminder.is_test and message.is_test
    assert message.to_email == world.owner_email


def test_going_live_sends_no_backlog(db, worker_settings, clock):
    """Reminders due while in test mode went to the owner; going live re-sends none of them."""
    world = make_world(db.factory, clock, test_mode=True, steps=list(DEFAULT_STEPS), due_date=date(2026, 11, 20))
    provider = RecordingProvider()
    dispatcher(db, worker_settings, provider, clock).run()
    assert [e.to for e in provider.sent] == [world.owner_email]
    with transaction(db.factory) as session:
        service.set_test_mode(session, account_id=world.account_id, test_mode=False, clock=clock)
    clock.advance(hours=1)
    assert dispatcher(db, worker_settings, provider, clock).run().claimed == 0
    clock.set(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # the +7 step
    dispatcher(db, worker_settings, provider, clock).run()
    assert [e.to for e in provider.sent] == [world.owner_email, "billing@globex.test"]


def test_transient_failures_back_off_then_send(db, worker_settings, clock):
    make_world(db.factory, clock)
    provider = ScriptedProvider(script=[transient("timed out"), transient("429 Too Many Requests")])
    worker = dispatcher(db, worker_settings, provider, clock)
    assert worker.run().retried == 1
    [reminder] = all_reminders(db.factory)
    assert (reminder.state, reminder.reason, reminder.attempts) == ("pending", "retrying", 1)
    assert "timed out" in reminder.detail
    first_wait = reminder.next_attempt_at - clock.now()
    assert timedelta(seconds=30) <= first_wait <= timedelta(seconds=60)
    assert worker.run().claimed == 0  # not before the backoff ends
    clock.set(reminder.next_attempt_at)
    assert worker.run().retried == 1
    [reminder] = all_reminders(db.factory)
    second_wait = reminder.next_attempt_at - clock.now()
    assert timedelta(seconds=60) <= second_wait <= timedelta(seconds=120)
    clock.set(reminder.next_attempt_at)
    assert worker.run().sent == 1
    [reminder] = all_reminders(db.factory)
    assert (reminder.state, reminder.attempts, reminder.reason) == ("sent", 3, None)


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    rng = random.Random(1)
    waits = [backoff(n, base_seconds=60, rng=rng).total_seconds() for n in range(1, 12)]
    for attempt, wait in enumerate(waits, start=1):
        step = min(6 * 3600, 60 * 2 ** (attempt - 1))
        assert step / 2 <= wait <= step
    assert len({round(w) for w in waits[:5]}) == 5


def test_attempt_limit_fails_with_the_last_error(db, worker_settings, clock):
    make_world(db.factory, clock)
    provider = ScriptedProvider(script=[transient(f"503 number {n}") for n in range(1, 5)])
    worker = dispatcher(db, worker_settings, provider, clock)
    for _ in range(worker_settings.reminder_max_attempts):
        worker.run()
        clock.set(max(clock.now(), all_reminders(db.factory)[0].next_attempt_at))
    [reminder] = all_reminders(db.factory)
    assert (reminder.state, reminder.reason, reminder.attempts) == ("failed", "attempts_exhausted", 4)
    assert "503 number 4" in reminder.detail
    assert provider.sent == []


def test_permanent_failure_is_final_and_visible(db, worker_settings, clock):
    make_world(db.factory, clock)
    provider = ScriptedProvider(script=[permanent("406 Inactive recipient: billing@globex.test")])
    stats = dispatcher(db, worker_settings, provider, clock).run()
    assert stats.failed == 1
    [reminder] = all_reminders(db.factory)
    assert (reminder.state, reminder.reason) == ("failed", "rejected")
    assert "Inactive recipient" in reminder.detail
    [message] = messages(db)
    assert (message.status, message.provider_message_id) == ("failed", None)
    assert "Inactive recipient" in message.error
    clock.advance(days=1)
    assert dispatcher(db, worker_settings, provider, clock).run().claimed == 0


def test_each_email_of_a_round_is_recorded_with_its_own_outcome(db, worker_settings, clock):
    """Five emails out at once, recorded together: one retried, one rejected, the others sent."""
    make_world(db.factory, clock, invoices=5)
    ids = [reminder.id for reminder in all_reminders(db.factory)]
    provider = SelectiveProvider(failures={ids[1]: transient("503 busy"), ids[3]: permanent("422 Invalid 'To'")})
    stats = dispatcher(db, worker_settings, provider, clock).run()
    assert (stats.claimed, stats.sent, stats.retried, stats.failed) == (5, 3, 1, 1)
    rows = {reminder.id: reminder for reminder in all_reminders(db.factory)}
    assert [rows[i].state for i in ids] == ["sent", "pending", "sent", "failed", "sent"]
    for sent_id in (ids[0], ids[2], ids[4]):
        assert rows[sent_id].provider_message_id == message_id_for(
            sent_id, "reminders@duespark.test", key=worker_settings.signing_keys[0]
        )
        assert (rows[sent_id].reason, rows[sent_id].sent_at) == (None, clock.now())
    retried = rows[ids[1]]
    assert (retried.reason, retried.attempts, retried.claimed_by, retried.send_intent_at) == ("retrying", 1, None, None)
    assert retried.next_attempt_at > clock.now() and "503 busy" in retried.detail
    assert (rows[ids[3]].reason, rows[ids[3]].sent_at) == ("rejected", None)
    # One messages row per email: sent for the three, failed for the rejected one, none for the retry.
    recorded = sorted((m.reminder_id, m.status, m.provider_message_id) for m in messages(db))
    assert recorded == [
        (ids[0], "sent", rows[ids[0]].provider_message_id),
        (ids[2], "sent", rows[ids[2]].provider_message_id),
        (ids[3], "failed", None),
        (ids[4], "sent", rows[ids[4]].provider_message_id),
    ]
    clock.set(retried.next_attempt_at)
    provider.failures.clear()
    assert dispatcher(db, worker_settings, provider, clock).run().sent == 1
    assert provider.counts() == {ids[0]: 1, ids[1]: 1, ids[2]: 1, ids[4]: 1}


def test_an_unexpected_provider_error_is_retried_not_dropped(db, worker_settings, clock):
    make_world(db.factory, clock)
    provider = ScriptedProvider(script=[RuntimeError("connection reset")])
    assert dispatcher(db, worker_settings, provider, clock).run().retried == 1
    [reminder] = all_reminders(db.factory)
    assert reminder.state == "pending"
    assert "RuntimeError: connection reset" in reminder.detail


def test_a_client_without_email_fails_with_a_reason(db, worker_settings, clock):
    make_world(db.factory, clock, client_email=None)
    provider = RecordingProvider()
    dispatcher(db, worker_settings, provider, clock).run()
    [reminder] = all_reminders(db.factory)
    assert (reminder.state, reminder.reason) == ("failed", "no_address")
    assert provider.sent == []


def test_catch_up_sends_only_the_latest_missed_step(db, worker_settings, clock):
    world = make_world(db.factory, clock, steps=list(DEFAULT_STEPS), due_date=date(2026, 11, 5))
    provider = RecordingProvider()
    stats = dispatcher(db, worker_settings, provider, clock).run()
    assert (stats.sent, stats.skipped) == (1, 3)
    rows = by_step(reminders_for(db.factory, world.invoice_ids[0]))
    assert rows["d+14"].state == "sent"
    for key in ("d-3", "d+0", "d+7"):
        # The invoice was added today: these steps were never missed, they were before it.
        assert (rows[key].state, rows[key].reason) == ("skipped", "before_added")
        assert "later reminder" in rows[key].detail
    assert rows["d+30"].state == "pending"
    # The first email about the invoice is a first reminder, not "second reminder" (urgent).
    assert [e.tag for e in provider.sent] == ["firm"]
    assert (rows["d+14"].template_key, rows["d+14"].reason) == ("firm", "first_contact")


def test_outside_business_hours_a_late_row_waits_for_the_window(db, worker_settings, clock):
    make_world(db.factory, clock, client_timezone="Europe/Berlin", due_date=date(2026, 11, 27))
    # The worker comes back on Saturday night, Berlin time: the Friday reminder waits for Monday 09:00.
    clock.set(datetime(2026, 11, 28, 22, 30, tzinfo=UTC))
    provider = RecordingProvider()
    stats = dispatcher(db, worker_settings, provider, clock).run()
    assert (stats.claimed, stats.deferred, stats.sent) == (1, 1, 0)
    [reminder] = all_reminders(db.factory)
    monday_9_berlin = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert (reminder.state, reminder.attempts, reminder.next_attempt_at) == ("pending", 0, monday_9_berlin)
    clock.set(monday_9_berlin)
    assert dispatcher(db, worker_settings, provider, clock).run().sent == 1


def test_recheck_cancels_when_the_invoice_was_paid_meanwhile(db, worker_settings, clock):
    world = make_world(db.factory, clock)
    with transaction(db.factory) as session:  # paid behind the planner's back: no event, no re-plan
        session.execute(update(Invoice).values(status="paid", amount_paid_minor=Invoice.amount_minor))
    provider = RecordingProvider()
    stats = dispatcher(db, worker_settings, provider, clock).run()
    assert (stats.canceled, stats.sent) == (1, 0)
    [reminder] = reminders_for(db.factory, world.invoice_ids[0])
    assert (reminder.state, reminder.reason) == ("canceled", "paid")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"unsubscribed_at": TEST_NOW}, "unsubscribed"),
        ({"reminders_paused": True}, "client_paused"),
        ({"deleted_at": TEST_NOW}, "client_deleted"),
    ],
)
def test_recheck_cancels_for_the_client(db, worker_settings, clock, change, reason):
    make_world(db.factory, clock)
    with transaction(db.factory) as session:
        session.execute(update(Client).values(**change))
    provider = RecordingProvider()
    assert dispatcher(db, worker_settings, provider, clock).run().canceled == 1
    [reminder] = all_reminders(db.factory)
    assert (reminder.state, reminder.reason, provider.sent) == ("canceled", reason, [])


def test_recheck_holds_back_during_a_dated_pause(db, worker_settings, clock):
    make_world(db.factory, clock)
    with transaction(db.factory) as session:
        session.execute(update(Invoice).values(reminders_paused=True, reminders_paused_until=date(2026, 12, 1)))
    provider = RecordingProvider()
    assert dispatcher(db, worker_settings, provider, clock).run().deferred == 1
    [reminder] = all_reminders(db.factory)
    assert (reminder.state, reminder.next_attempt_at) == ("pending", datetime(2026, 12, 1, 9, tzinfo=UTC))


def test_due_date_moved_without_an_event_is_caught_before_sending(db, worker_settings, clock):
    world = make_world(db.factory, clock)
    with transaction(db.factory) as session:
        session.execute(update(Invoice).values(due_date=date(2026, 12, 10)))
    provider = RecordingProvider()
    assert dispatcher(db, worker_settings, provider, clock).run().canceled == 1
    with db.factory() as session:
        invoice = session.get(Invoice, world.invoice_ids[0])
        assert invoice.reminders_planned_at is None  # the next planner run plans the new date


def test_send_now_ignores_window_and_schedule(db, worker_settings, clock):
    world = make_world(db.factory, clock, steps=list(DEFAULT_STEPS), due_date=date(2026, 12, 20))
    provider = RecordingProvider()
    clock.set(datetime(2026, 11, 28, 23, 0, tzinfo=UTC))  # Saturday night
    final = by_step(reminders_for(db.factory, world.invoice_ids[0]))["d+30"]
    with transaction(db.factory) as session:
        service.send_now(session, account_id=world.account_id, reminder_id=final.id, clock=clock)
    assert dispatcher(db, worker_settings, provider, clock).run().sent == 1
    # Sent before the due date, a final notice would be false: it goes as the friendly reminder.
    assert [e.tag for e in provider.sent] == ["friendly"]


def test_send_now_retries_a_failed_reminder(db, worker_settings, clock):
    world = make_world(db.factory, clock)
    provider = ScriptedProvider(script=[permanent()])
    dispatcher(db, worker_settings, provider, clock).run()
    [reminder] = all_reminders(db.factory)
    assert reminder.state == "failed"
    with transaction(db.factory) as session:
        service.send_now(session, account_id=world.account_id, reminder_id=reminder.id, clock=clock)
    assert dispatcher(db, worker_settings, provider, clock).run().sent == 1


def test_batches_are_claimed_until_nothing_is_due(db, tmp_path, clock):
    from tests.conftest import make_test_settings

    settings = make_test_settings(tmp_path, db.url, scheduler_batch_size=3)
    make_world(db.factory, clock, invoices=7)
    provider = RecordingProvider()
    stats = dispatcher(db, settings, provider, clock).run()
    assert (stats.claimed, stats.sent) == (7, 7)
    assert sorted(provider.counts().values()) == [1] * 7


def test_rows_of_other_states_are_never_claimed(db, worker_settings, clock):
    make_world(db.factory, clock, invoices=3)
    with transaction(db.factory) as session:
        ids = session.scalars(select(Reminder.id).order_by(Reminder.id)).all()
        session.execute(update(Reminder).where(Reminder.id == ids[0]).values(state="skipped", reason="missed"))
        session.execute(update(Reminder).where(Reminder.id == ids[1]).values(state="canceled", reason="paid"))
    provider = RecordingProvider()
    assert dispatcher(db, worker_settings, provider, clock).run().claimed == 1
    assert provider.reminder_ids() == [ids[2]]
