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
from tests.conftest import TEST_NOW, make_test_settings
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


def crash_after_recording(method):
    """Let the rounds that only start emails pass; die after the first one that records an email."""

    def wrapper(self, finished, starting, stats):
        result = method(self, finished, starting, stats)
        if finished:
            raise SimulatedCrash(method.__name__)
        return result

    return wrapper


def crash_instead_of_recording(method):
    """Let the rounds that only start emails pass; die instead of the first one that would record."""

    def wrapper(self, finished, starting, stats):
        if finished:
            raise SimulatedCrash(method.__name__)
        return method(self, finished, starting, stats)

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
    # The round that records the sent email commits, then the worker dies.
    monkeypatch.setattr(Dispatcher, "_record_and_mark", crash_after_recording(Dispatcher._record_and_mark))
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
    slow._send_batches(iter([slow._with_templates([claimed])]), slow_stats)
    assert slow_stats.lost_leases == 1
    assert slow_provider.sent == []
    assert len(fast_provider.sent) == 1


def test_a_crash_before_a_round_is_recorded_leaves_only_the_started_emails_in_doubt(db, tmp_path, clock, monkeypatch):
    """Five rows claimed, two calls at a time: the worker dies with two emails handed over and three
    never started. Only the two carry a send intent, so only they are counted as maybe sent."""
    settings = make_test_settings(tmp_path, db.url, dispatch_concurrency=2)
    make_world(db.factory, clock, invoices=5)
    provider = RecordingProvider()
    monkeypatch.setattr(Dispatcher, "_record_and_mark", crash_instead_of_recording(Dispatcher._record_and_mark))
    with pytest.raises(SimulatedCrash):
        dispatcher(db, settings, provider, clock).run()
    monkeypatch.undo()
    handed_over = set(provider.counts())
    rows = all_reminders(db.factory)
    assert len(handed_over) == 2
    assert {r.id for r in rows if r.send_intent_at is not None} == handed_over
    assert {r.state for r in rows} == {"sending"}
    assert message_count(db) == 0

    clock.advance(LEASE + timedelta(seconds=1))
    stats = dispatcher(db, settings, provider, clock, "w2").run()
    assert (stats.recovered, stats.sent) == (5, 5)
    rows = all_reminders(db.factory)
    assert {r.id: r.uncertain_sends for r in rows} == {r.id: int(r.id in handed_over) for r in rows}
    assert {r.id for r in rows if r.reason == "sent_again_after_crash"} == handed_over
    assert provider.counts() == {r.id: 2 if r.id in handed_over else 1 for r in rows}
    assert message_count(db) == 5


def test_an_email_whose_lease_ran_out_while_queued_is_not_started(db, worker_settings, clock):
    """Claimed, then held up past the lease with nobody recovering it yet: sending now could race
    the worker that recovers it, so the email is left for that worker, never attempted."""
    make_world(db.factory, clock)
    slow = dispatcher(db, worker_settings, RecordingProvider(), clock, "slow")
    stats = DispatchStats()
    claimed = slow._claim_batch(stats)
    clock.advance(LEASE + timedelta(seconds=1))
    slow._send_batches(iter([slow._with_templates(claimed)]), stats)
    assert (stats.lost_leases, slow.provider.sent) == (1, [])
    reminder = only_reminder(db)
    assert (reminder.state, reminder.send_intent_at) == ("sending", None)
    provider = RecordingProvider()
    assert dispatcher(db, worker_settings, provider, clock, "w2").run().sent == 1
    assert (only_reminder(db).uncertain_sends, len(provider.sent)) == (0, 1)


def test_the_send_intent_renews_the_lease_for_the_call(db, worker_settings, clock):
    make_world(db.factory, clock)
    worker = dispatcher(db, worker_settings, AcceptThenCrash(), clock)
    stats = DispatchStats()
    claimed = worker._claim_batch(stats)
    clock.advance(LEASE - timedelta(seconds=10))
    with pytest.raises(SimulatedCrash):
        worker._send_batches(iter([worker._with_templates(claimed)]), stats)
    reminder = only_reminder(db)
    assert (reminder.send_intent_at, reminder.lease_expires_at) == (clock.now(), clock.now() + LEASE)


def test_a_database_error_between_rounds_still_records_the_emails_out(db, tmp_path, clock, monkeypatch):
    """The next claim fails while two emails are out: they are recorded before the error surfaces,
    so the next worker does not send them again."""
    settings = make_test_settings(tmp_path, db.url, scheduler_batch_size=2, dispatch_concurrency=4)
    make_world(db.factory, clock, invoices=5)
    claim = Dispatcher._claim_batch
    claims: list[bool] = []

    def claim_then_fail(self, stats, *, first=False):
        claims.append(first)
        if len(claims) > 1:
            raise RuntimeError("the database went away")
        return claim(self, stats, first=first)

    monkeypatch.setattr(Dispatcher, "_claim_batch", claim_then_fail)
    provider = RecordingProvider()
    with pytest.raises(RuntimeError, match="went away"):
        dispatcher(db, settings, provider, clock).run()
    monkeypatch.undo()
    rows = all_reminders(db.factory)
    assert len(provider.sent) == 2
    assert {r.id: r.state for r in rows} == {r.id: "sent" if r.id in provider.counts() else "pending" for r in rows}
    assert message_count(db) == 2
    assert dispatcher(db, settings, provider, clock, "w2").run().sent == 3
    assert set(provider.counts().values()) == {1}
