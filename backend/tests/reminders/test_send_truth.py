"""Invariant 13: an email is true on the day it goes. Catch-up wording, the tone ladder at first contact,
one final notice, titles that match what was sent, true skip reasons (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from duespark.clock import FixedClock
from duespark.db import transaction
from duespark.models import Client, ReminderPolicy
from duespark.reminders.dispatcher import Dispatcher
from duespark.reminders.policy import DEFAULT_STEPS, Step
from duespark.reminders.tone import FINAL_WAITS, History, choose_step
from tests.reminders.support import RecordingProvider, by_step, make_world, reminders_for

# Thursday 3 December 2026, 10:00 UTC: inside the default send window.
DEC_3 = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def run(db, settings, provider, clock) -> None:
    Dispatcher(
        session_factory=db.factory,
        settings=settings,
        provider=provider,
        clock=clock,
        worker_id="w1",
        rng=random.Random(1),
    ).run()


def test_invoice_imported_after_its_due_date_is_not_due_today(db, worker_settings):
    """Due 28 November, added and first emailed on 3 December: the email says 5 days overdue."""
    clock = FixedClock(DEC_3)
    world = make_world(db.factory, clock, steps=list(DEFAULT_STEPS), due_date=date(2026, 11, 28))
    provider = RecordingProvider()
    run(db, worker_settings, provider, clock)
    [email] = provider.sent
    assert email.subject.startswith("Overdue: invoice ")
    assert "due today" not in email.subject.lower()
    assert "due today" not in email.text.lower()
    assert "was due on November 28, 2026 and is now 5 days overdue." in email.text
    rows = by_step(reminders_for(db.factory, world.invoice_ids[0]))
    assert (rows["d+0"].state, rows["d+0"].template_key) == ("sent", "firm")
    assert rows["d+0"].reason == "tone_for_today"
    assert rows["d+0"].detail == "Sent as firm instead of due_today: it goes out 5 days after the due date."
    assert (rows["d-3"].state, rows["d-3"].reason) == ("skipped", "before_added")
    assert rows["d-3"].detail.startswith("Its date was before you added this invoice to DueSpark")


def test_a_friendly_step_sent_after_the_due_date_says_overdue_and_a_missed_step_says_missed(db, worker_settings):
    """Added on 20 November (before its steps); DueSpark then did not run until 30 November."""
    clock = FixedClock(datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
    world = make_world(
        db.factory, clock, steps=[Step(-3, "friendly"), Step(0, "due_today")], due_date=date(2026, 11, 27)
    )
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))  # Monday
    provider = RecordingProvider()
    run(db, worker_settings, provider, clock)
    [email] = provider.sent
    assert email.subject.startswith("Overdue: invoice ")
    assert "is now 3 days overdue." in email.text
    assert "is due on" not in email.text and "due today" not in email.text
    rows = by_step(reminders_for(db.factory, world.invoice_ids[0]))
    assert (rows["d-3"].state, rows["d-3"].reason) == ("skipped", "missed")
    assert "DueSpark not running" in rows["d-3"].detail


def test_only_a_friendly_step_left_after_the_due_date_goes_as_firm(db, worker_settings):
    clock = FixedClock(datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
    make_world(db.factory, clock, steps=[Step(-3, "friendly")], due_date=date(2026, 11, 27))
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    provider = RecordingProvider()
    run(db, worker_settings, provider, clock)
    [email] = provider.sent
    assert email.tag == "firm"
    assert "is now 3 days overdue." in email.text


def test_first_email_about_a_year_old_invoice_is_never_a_final_notice(db, worker_settings):
    clock = FixedClock(DEC_3)
    make_world(db.factory, clock, steps=list(DEFAULT_STEPS), due_date=date(2025, 12, 8))
    provider = RecordingProvider()
    run(db, worker_settings, provider, clock)
    [email] = provider.sent
    assert email.tag == "firm"
    assert not email.subject.lower().startswith(("final notice", "second reminder"))
    assert "is now 360 days overdue." in email.text


def test_imported_late_invoice_gets_firm_then_final_only_after_the_gap(db, worker_settings):
    """Imported 26 days late: firm at once (not urgent), the final step waits 7 days after it, once."""
    clock = FixedClock(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    world = make_world(db.factory, clock, steps=list(DEFAULT_STEPS), due_date=date(2026, 10, 30))
    provider = RecordingProvider()
    run(db, worker_settings, provider, clock)
    assert [e.tag for e in provider.sent] == ["firm"]
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))  # the d+30 final step is due (29 Nov, a Sunday)
    run(db, worker_settings, provider, clock)
    assert [e.tag for e in provider.sent] == ["firm"]
    final = by_step(reminders_for(db.factory, world.invoice_ids[0]))["d+30"]
    assert (final.state, final.reason) == ("pending", FINAL_WAITS)
    assert final.detail == (
        "The final notice waits until 2026-12-02: at least 7 days after the last reminder (2026-11-25)."
    )
    assert final.next_attempt_at == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    run(db, worker_settings, provider, clock)
    assert [e.tag for e in provider.sent] == ["firm", "final"]
    assert provider.sent[1].subject.startswith("Final notice: invoice ")


def test_the_final_gap_is_the_policy_setting(db, worker_settings):
    clock = FixedClock(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    world = make_world(db.factory, clock, steps=list(DEFAULT_STEPS), due_date=date(2026, 10, 30))
    with transaction(db.factory) as session:
        session.execute(
            update(ReminderPolicy).where(ReminderPolicy.account_id == world.account_id).values(final_notice_min_days=3)
        )
    provider = RecordingProvider()
    run(db, worker_settings, provider, clock)
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    run(db, worker_settings, provider, clock)
    assert [e.tag for e in provider.sent] == ["firm", "final"]


def test_one_final_notice_per_invoice(db, worker_settings):
    clock = FixedClock(datetime(2026, 11, 1, 10, 0, tzinfo=UTC))
    steps = [Step(0, "due_today"), Step(7, "firm"), Step(14, "final"), Step(30, "final")]
    world = make_world(db.factory, clock, steps=steps, due_date=date(2026, 11, 2))
    provider = RecordingProvider()
    for day in (datetime(2026, 11, 2, 9, tzinfo=UTC), datetime(2026, 11, 9, 9, tzinfo=UTC)):
        clock.set(day)
        run(db, worker_settings, provider, clock)
    clock.set(datetime(2026, 11, 16, 9, tzinfo=UTC))
    run(db, worker_settings, provider, clock)
    clock.set(datetime(2026, 12, 2, 9, tzinfo=UTC))
    run(db, worker_settings, provider, clock)
    assert [e.tag for e in provider.sent] == ["due_today", "firm", "final"]
    second = by_step(reminders_for(db.factory, world.invoice_ids[0]))["d+30"]
    assert (second.state, second.reason) == ("skipped", "final_already_sent")


def test_the_first_overdue_email_is_not_titled_second_reminder_in_german(db, worker_settings):
    """ "Zweite Mahnung" (urgent) must not follow no first Mahnung: it goes as the first one."""
    clock = FixedClock(datetime(2026, 11, 1, 10, 0, tzinfo=UTC))
    world = make_world(db.factory, clock, steps=[Step(0, "due_today"), Step(7, "urgent")], due_date=date(2026, 11, 2))
    with transaction(db.factory) as session:
        session.execute(update(Client).where(Client.id == world.client_id).values(locale="de"))
    provider = RecordingProvider()
    clock.set(datetime(2026, 11, 2, 9, tzinfo=UTC))
    run(db, worker_settings, provider, clock)
    clock.set(datetime(2026, 11, 9, 9, tzinfo=UTC))
    run(db, worker_settings, provider, clock)
    assert [e.tag for e in provider.sent] == ["due_today", "firm"]
    assert provider.sent[1].subject.startswith("Zahlungserinnerung: Rechnung ")
    assert "Zweite Mahnung" not in provider.sent[1].subject


@pytest.mark.parametrize(
    ("planned", "today", "history", "expected"),
    [
        ("due_today", date(2026, 12, 3), History(), "firm"),
        ("friendly", date(2026, 11, 28), History(), "friendly"),  # "is due on 28 November" is true
        ("friendly", date(2026, 11, 29), History(), "firm"),
        ("firm", date(2026, 11, 20), History(), "friendly"),
        ("urgent", date(2026, 12, 25), History(), "firm"),
        ("final", date(2026, 12, 25), History(), "firm"),
        ("urgent", date(2026, 12, 25), History(sent=2, overdue_sent=1, last_sent_on=date(2026, 12, 5)), "urgent"),
        ("final", date(2026, 12, 25), History(sent=1, overdue_sent=1, last_sent_on=date(2026, 12, 5)), "final"),
    ],
)
def test_choose_step_is_true_on_the_send_day(planned, today, history, expected):
    choice = choose_step(planned, due_date=date(2026, 11, 28), today=today, history=history)
    assert (choice.action, choice.template_key) == ("send", expected)


def test_choose_step_final_waits_or_skips():
    due = date(2026, 11, 1)
    waits = choose_step("final", due_date=due, today=date(2026, 12, 3), history=History(1, 1, False, date(2026, 12, 1)))
    assert (waits.action, waits.wait_until) == ("wait", date(2026, 12, 8))
    skipped = choose_step(
        "final", due_date=due, today=date(2026, 12, 30), history=History(2, 2, True, date(2026, 12, 8))
    )
    assert (skipped.action, skipped.reason) == ("skip", "final_already_sent")
    manual = choose_step(
        "final", due_date=due, today=date(2026, 12, 3), history=History(1, 1, False, date(2026, 12, 1)), manual=True
    )
    assert (manual.action, manual.template_key) == ("send", "urgent")
