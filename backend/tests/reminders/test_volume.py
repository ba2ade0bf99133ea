"""No flood: test-mode samples and one summary, a per-account send budget with one notice, and one
statement per client for a caught-up import (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from duespark.clock import FixedClock
from duespark.models import Message
from duespark.reminders.dispatcher import Dispatcher
from duespark.reminders.policy import DEFAULT_STEPS
from duespark.reminders.volume import SEND_BUDGET, TEST_SAMPLES_PER_DAY, TEST_SUMMARY
from tests.conftest import make_test_settings
from tests.reminders.support import RecordingProvider, all_reminders, make_world

DEC_3 = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # Thursday


def run(db, settings, provider, clock):
    return Dispatcher(
        session_factory=db.factory,
        settings=settings,
        provider=provider,
        clock=clock,
        worker_id="w1",
        rng=random.Random(1),
    ).run()


def account_messages(db, kind: str) -> list[Message]:
    with db.factory() as session:
        return list(session.scalars(select(Message).where(Message.kind == kind).order_by(Message.id)))


def test_test_mode_sends_three_samples_and_one_summary(db, worker_settings):
    clock = FixedClock(DEC_3)
    # Ten invoices due today: ten separate emails (due-today steps are not merged).
    world = make_world(db.factory, clock, invoices=10, due_date=date(2026, 12, 3), test_mode=True)
    provider = RecordingProvider()
    stats = run(db, worker_settings, provider, clock)
    assert len(provider.sent) == TEST_SAMPLES_PER_DAY == 3
    assert {e.to for e in provider.sent} == {world.owner_email}
    rows = all_reminders(db.factory)
    assert sorted(r.state for r in rows) == ["sent"] * 3 + ["skipped"] * 7
    skipped = [r for r in rows if r.state == "skipped"]
    assert {(r.reason, r.is_test) for r in skipped} == {(TEST_SUMMARY, True)}
    assert stats.skipped == 7
    [summary] = account_messages(db, "test_summary")
    assert summary.to_email == world.owner_email
    assert summary.subject == "Test mode: today 10 reminders would have gone to 1 client"
    assert summary.content["text"].startswith(
        "Hello,\n\nDueSpark is in test mode, so no client received anything. "
        "Today 10 reminders would have gone to 1 client.\n\nYou received at most 3 of them as samples"
    )
    # Later the same day: nothing more is sent, no second summary, no burst.
    clock.advance(hours=2)
    run(db, worker_settings, provider, clock)
    assert len(provider.sent) == 3
    assert len(account_messages(db, "test_summary")) == 1


def test_send_budget_holds_back_a_wave_and_tells_the_user_once(db, tmp_path):
    settings = make_test_settings(tmp_path, db.url, send_budget_per_hour=3, send_budget_per_day=4)
    clock = FixedClock(DEC_3)
    world = make_world(db.factory, clock, invoices=6, due_date=date(2026, 12, 3))
    provider = RecordingProvider()
    run(db, settings, provider, clock)
    assert len(provider.sent) == 3
    held = [r for r in all_reminders(db.factory) if r.state == "pending"]
    assert len(held) == 3
    assert {(r.reason, r.next_attempt_at, r.attempts) for r in held} == {
        (SEND_BUDGET, DEC_3 + timedelta(minutes=10), 0)
    }
    assert held[0].detail == (
        "Held back: this account reached its limit of 3 reminder emails an hour or 4 a day; "
        "it goes out when the limit allows."
    )
    [notice] = account_messages(db, "volume_notice")
    assert notice.to_email == world.owner_email
    assert notice.subject == "Unusual volume: 3 reminders held back"
    # Ten minutes on: still within the hour's budget, nothing goes and no second notice.
    clock.advance(minutes=10)
    run(db, settings, provider, clock)
    assert len(provider.sent) == 3
    assert len(account_messages(db, "volume_notice")) == 1
    # An hour later the day's budget (4) lets one more go; the rest waits, none is lost.
    clock.advance(hours=1)
    run(db, settings, provider, clock)
    assert len(provider.sent) == 4
    assert sorted(r.state for r in all_reminders(db.factory)) == ["pending"] * 2 + ["sent"] * 4
    clock.advance(days=1)
    run(db, settings, provider, clock)
    assert sorted(r.state for r in all_reminders(db.factory)) == ["sent"] * 6


def test_a_caught_up_import_gets_one_statement_per_client(db, worker_settings):
    """Three invoices due 28 November imported on 3 December: one statement, not three 'due today'."""
    clock = FixedClock(DEC_3)
    make_world(db.factory, clock, invoices=3, steps=list(DEFAULT_STEPS), due_date=date(2026, 11, 28))
    provider = RecordingProvider()
    run(db, worker_settings, provider, clock)
    [email] = provider.sent
    assert email.tag == "statement"
    assert email.subject.startswith("Statement: 3 overdue invoices")
    assert "(5 days overdue)" in email.text
    assert "due today" not in email.text.lower()


def test_one_statement_per_client_even_across_claimed_batches(db, tmp_path):
    """Batches of 2 rows; the client's 5 overdue invoices still go as one statement."""
    settings = make_test_settings(tmp_path, db.url, scheduler_batch_size=2)
    clock = FixedClock(DEC_3)
    make_world(db.factory, clock, invoices=5, steps=list(DEFAULT_STEPS), due_date=date(2026, 11, 28))
    provider = RecordingProvider()
    run(db, settings, provider, clock)
    [email] = provider.sent
    assert email.subject.startswith("Statement: 5 overdue invoices")
    sent = [r for r in all_reminders(db.factory) if r.state == "sent"]
    assert len(sent) == 5
    assert sorted(r.reason for r in sent) == ["merged_into_statement"] * 4 + ["statement"]
