"""Crashes and leases, in the manner of the job queues' own suites (procrastinate, River, graphile-worker).

A crash is a SimulatedCrash (a BaseException) raised at one point of the send path: nothing in
the code under test handles it, its open transaction rolls back as a dead process's would,
and a fresh dispatcher plays the next worker.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from duespark.clock import FixedClock
from duespark.db import transaction
from duespark.models import Message, Reminder
from duespark.reminders.dispatcher import Dispatcher, DispatchStats
from tests.conftest import TEST_NOW
from tests.reminders.support import RecordingProvider, SimulatedCrash, all_reminders, make_world

pytestmark = pytest.mark.faults

LEASE = timedelta(seconds=300)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


def dispatcher(db, settings, provider, clock, worker_id="w1") -> Dispatcher:
    return Dispatcher(
        session_factory=db.factory,
        settings=settings,
        provider=provider,
        clock=clock,
        worker_id=worker_id,
        rng=random.Random(1),
    )


def message_count(db) -> int:
    with db.factory() as session:
        return session.scalar(select(func.count()).select_from(Message))


def only_reminder(db) -> Reminder:
    [reminder] = all_reminders(db.factory)
    return reminder


def crash_after(method):
    def wrapper(self, *args, **kwargs):
        method(self, *args, **kwargs)
        raise SimulatedCrash(method.__name__)

    return wrapper


def crash_instead(method):
    def wrapper(self, *args, **kwargs):
        raise SimulatedCrash(method.__name__)

    return wrapper


class AcceptThenCrash(RecordingProvider):
    """The provider accepts the email, then the worker dies before it can record that."""

    crashes = 1

    def send(self, message):
        result = super().send(message)
        if self.crashes:
            self.crashes -= 1
            raise SimulatedCrash("after provider accepted")
        return result


def test_crash_before_the_claim_commits_leaves_the_row_pending(db, worker_settings, clock, monkeypatch):
    make_world(db.factory, clock)
    provider = RecordingProvider()
    monkeypatch.setattr(Dispatcher, "_recheck", crash_after(Dispatcher._recheck))
    with pytest.raises(SimulatedCrash):
        dispatcher(db, worker_settings, provider, clock).run()
    monkeypatch.undo()
    reminder = only_reminder(db)
    assert (reminder.state, reminder.attempts, reminder.claimed_by) == ("pending", 0, None)
    # The next worker sends it straight away: no lease to wait for.
    assert dispatcher(db, worker_settings, provider, clock, "w2").run().sent == 1
    assert provider.counts() == {reminder.id: 1}


def test_crash_after_the_claim_before_the_provider_call(db, worker_settings, clock, monkeypatch):
    make_world(db.factory, clock)
    provider = RecordingProvider()
    monkeypatch.setattr(Dispatcher, "_mark_send_intent", crash_instead(Dispatcher._mark_send_intent))
    with pytest.raises(SimulatedCrash):
        dispatcher(db, worker_settings, provider, clock).run()
    monkeypatch.undo()
    reminder = only_reminder(db)
    assert (reminder.state, reminder.attempts, reminder.send_intent_at) == ("sending", 1, None)
    assert reminder.lease_expires_at == clock.now() + LEASE
    # Within the lease nobody touches it; after it, it is "never attempted": sent once, no doubt recorded.
    assert dispatcher(db, worker_settings, provider, clock, "w2").run().claimed == 0
    clock.advance(LEASE + timedelta(seconds=1))
    stats = dispatcher(db, worker_settings, provider, clock, "w2").run()
    assert (stats.recovered, stats.sent) == (1, 1)
    reminder = only_reminder(db)
    assert (reminder.state, reminder.attempts, reminder.uncertain_sends) == ("sent", 2, 0)
    assert provider.counts() == {reminder.id: 1}
    assert message_count(db) == 1


def test_crash_after_the_provider_accepted_before_recording(db, worker_settings, clock):
    make_world(db.factory, clock)
    provider = AcceptThenCrash()
    with pytest.raises(SimulatedCrash):
        dispatcher(db, worker_settings, provider, clock).run()
    reminder = only_reminder(db)
    assert reminder.state == "sending"
    assert reminder.send_intent_at == clock.now()  # the marker says: maybe sent
    assert message_count(db) == 0
    clock.advance(LEASE + timedelta(seconds=1))
    stats = dispatcher(db, worker_settings, provider, clock, "w2").run()
    assert (stats.recovered, stats.sent) == (1, 1)
    reminder = only_reminder(db)
    # At-least-once: sent again, counted, and with the same Message-ID so mail programs merge the two.
    assert (reminder.state, reminder.uncertain_sends, reminder.reason) == ("sent", 1, "sent_again_after_crash")
    assert [e.headers["Message-ID"] for e in provider.sent] == [reminder.provider_message_id] * 2
    assert message_count(db) == 1


def test_crash_after_recording_changes_nothing(db, worker_settings, clock, monkeypatch):
    make_world(db.factory, clock)
    provider = RecordingProvider()
    monkeypatch.setattr(Dispatcher, "_record_sent", crash_after(Dispatcher._record_sent))
    with pytest.raises(SimulatedCrash):
        dispatcher(db, worker_settings, provider, clock).run()
    monkeypatch.undo()
    reminder = only_reminder(db)
    assert (reminder.state, reminder.uncertain_sends) == ("sent", 0)
    clock.advance(LEASE * 3)
    stats = dispatcher(db, worker_settings, provider, clock, "w2").run()
    assert (stats.recovered, stats.claimed) == (0, 0)
    assert provider.counts() == {reminder.id: 1}
    assert message_count(db) == 1


def _leave_sending(db, worker_settings, clock, monkeypatch) -> Reminder:
    monkeypatch.setattr(Dispatcher, "_mark_send_intent", crash_instead(Dispatcher._mark_send_intent))
    with pytest.raises(SimulatedCrash):
        dispatcher(db, worker_settings, RecordingProvider(), clock).run()
    monkeypatch.undo()
    return only_reminder(db)


@pytest.mark.parametrize(
    ("offset", "recovered"),
    [(-timedelta(seconds=1), False), (timedelta(0), False), (timedelta(seconds=1), True)],
    ids=["just-before-horizon", "at-horizon", "just-after-horizon"],
)
def test_lease_boundary(db, worker_settings, clock, monkeypatch, offset, recovered):
    make_world(db.factory, clock)
    stuck = _leave_sending(db, worker_settings, clock, monkeypatch)
    clock.set(stuck.lease_expires_at + offset)
    provider = RecordingProvider()
    stats = dispatcher(db, worker_settings, provider, clock, "w2").run()
    reminder = only_reminder(db)
    if recovered:
        assert (stats.recovered, reminder.state, len(provider.sent)) == (1, "sent", 1)
    else:
        assert (stats.recovered, reminder.state, provider.sent) == (0, "sending", [])
        assert reminder.claimed_by == stuck.claimed_by


def test_lease_expired_at_the_attempt_limit_fails(db, worker_settings, clock, monkeypatch):
    make_world(db.factory, clock)
    stuck = _leave_sending(db, worker_settings, clock, monkeypatch)
    with transaction(db.factory) as session:
        session.execute(update(Reminder).values(attempts=worker_settings.reminder_max_attempts))
    clock.set(stuck.lease_expires_at + timedelta(seconds=1))
    provider = RecordingProvider()
    stats = dispatcher(db, worker_settings, provider, clock, "w2").run()
    reminder = only_reminder(db)
    assert (stats.recovered, stats.failed) == (1, 1)
    assert (reminder.state, reminder.reason) == ("failed", "attempts_exhausted")
    assert "attempt limit" in reminder.detail
    assert provider.sent == []


def test_a_worker_that_lost_its_lease_does_not_send(db, worker_settings, clock, monkeypatch):
    """A slow worker whose row was recovered and re-claimed by another must not send it too."""
    make_world(db.factory, clock)
    slow = dispatcher(db, worker_settings, RecordingProvider(), clock, "slow")
    slow_stats = DispatchStats()
    [claimed] = slow._claim_batch(slow_stats)
    assert slow_stats.claimed == 1
    clock.advance(LEASE + timedelta(seconds=1))
    fast_provider = RecordingProvider()
    assert dispatcher(db, worker_settings, fast_provider, clock, "fast").run().sent == 1
    slow_provider = slow.provider
    slow._send(claimed, slow_stats)
    assert slow_stats.lost_leases == 1
    assert slow_provider.sent == []
    assert len(fast_provider.sent) == 1
