"""Holds the client causes (reminders/holds.py): a dated hold delays the steps, an open one stops them,
neither touches the user's own pause, and releasing one resumes chasing with only the latest missed step."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from duespark.clock import FixedClock
from duespark.db import transaction
from duespark.models import Invoice
from duespark.reminders.dispatcher import Dispatcher
from duespark.reminders.holds import place_hold, release_hold
from duespark.reminders.policy import Step
from tests.reminders.support import RecordingProvider, by_step, make_world, reminders_for

DEC_1 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # Tuesday, inside the default send window
STEPS = [Step(0, "due_today"), Step(3, "firm"), Step(7, "urgent")]


def run(db, settings, provider, clock) -> None:
    Dispatcher(
        session_factory=db.factory,
        settings=settings,
        provider=provider,
        clock=clock,
        worker_id="w1",
        rng=random.Random(1),
    ).run()


def hold(db, invoice_id, clock, *, kind, until):
    with transaction(db.factory) as session:
        return place_hold(session, session.get(Invoice, invoice_id), kind=kind, until=until, clock=clock)


def release(db, invoice_id, clock, *, kind):
    with transaction(db.factory) as session:
        return release_hold(session, session.get(Invoice, invoice_id), kind=kind, clock=clock)


def test_a_dated_hold_moves_the_steps_to_its_end(db, worker_settings):
    clock = FixedClock(DEC_1)
    world = make_world(db.factory, clock, steps=STEPS, due_date=date(2026, 12, 1))
    [invoice_id] = world.invoice_ids
    assert hold(db, invoice_id, clock, kind="promise", until=date(2026, 12, 15))
    provider = RecordingProvider()
    for day in (1, 4, 8, 14):
        clock.set(datetime(2026, 12, day, 10, 0, tzinfo=UTC))
        run(db, worker_settings, provider, clock)
    assert provider.sent == []
    clock.set(datetime(2026, 12, 15, 10, 0, tzinfo=UTC))
    run(db, worker_settings, provider, clock)
    # Only the latest step goes once the hold ends; the earlier ones are recorded as not sent.
    assert len(provider.sent) == 1
    rows = by_step(reminders_for(db.factory, invoice_id))
    assert rows["d+7"].state == "sent"
    assert {rows["d+0"].state, rows["d+3"].state} <= {"skipped", "canceled"}


def test_an_open_hold_stops_chasing_until_released_and_keeps_the_users_pause(db, worker_settings):
    clock = FixedClock(DEC_1)
    world = make_world(db.factory, clock, steps=STEPS, due_date=date(2026, 12, 4))
    [invoice_id] = world.invoice_ids
    assert hold(db, invoice_id, clock, kind="dispute", until=None)
    rows = by_step(reminders_for(db.factory, invoice_id))
    assert {r.state for r in rows.values()} <= {"canceled"}
    assert all(r.reason == "on_hold" for r in rows.values())
    # A dated hold does not replace an open one; a reply of another kind does not release it.
    assert not hold(db, invoice_id, clock, kind="reply", until=date(2026, 12, 10))
    assert not release(db, invoice_id, clock, kind="reply")
    provider = RecordingProvider()
    clock.set(datetime(2026, 12, 4, 10, 0, tzinfo=UTC))
    run(db, worker_settings, provider, clock)
    assert provider.sent == []
    assert release(db, invoice_id, clock, kind="dispute")
    run(db, worker_settings, provider, clock)
    assert [m.subject for m in provider.sent] and len(provider.sent) == 1


def test_a_users_open_pause_survives_a_released_hold(db, worker_settings):
    clock = FixedClock(DEC_1)
    world = make_world(db.factory, clock, steps=STEPS, due_date=date(2026, 12, 4))
    [invoice_id] = world.invoice_ids
    with transaction(db.factory) as session:
        invoice = session.get(Invoice, invoice_id)
        invoice.reminders_paused, invoice.reminders_paused_until = True, None
    hold(db, invoice_id, clock, kind="paid_claim", until=date(2026, 12, 6))
    release(db, invoice_id, clock, kind="paid_claim")
    with transaction(db.factory) as session:
        invoice = session.get(Invoice, invoice_id)
        assert (invoice.reminders_paused, invoice.hold_kind) == (True, None)
    provider = RecordingProvider()
    clock.set(datetime(2026, 12, 11, 10, 0, tzinfo=UTC))
    run(db, worker_settings, provider, clock)
    assert provider.sent == []
