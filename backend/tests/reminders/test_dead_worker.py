"""A worker that dies is noticed by its heartbeat, within about a minute, not only when the lease ends.

Workers beat every 15 s from their own thread; the dispatcher puts the `sending` rows of a worker
whose last beat is over `worker_stale_heartbeat_seconds` (60) old back to `pending` (the lease is
5 minutes). The send intent still tells "maybe sent" from "never attempted", and a worker that
was only frozen and comes back finds its rows taken over and sends nothing: never twice.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from duespark.models import Message, Reminder
from duespark.reminders.dispatcher import Dispatcher, DispatchStats
from duespark.reminders.worker import HEARTBEAT_SECONDS, ReminderWorker
from tests.conftest import make_test_settings
from tests.reminders.support import RecordingProvider, SimulatedCrash, all_reminders, make_world

pytestmark = pytest.mark.faults

STALE = timedelta(seconds=60)
LEASE = timedelta(seconds=300)


@pytest.fixture
def settings(tmp_path, db):
    return make_test_settings(tmp_path, db.url, reminder_lease_seconds=300, dispatch_concurrency=2)


def worker(db, settings, clock, worker_id: str, provider=None) -> ReminderWorker:
    return ReminderWorker(
        settings=settings,
        session_factory=db.factory,
        clock=clock,
        provider=provider or RecordingProvider(),
        worker_id=worker_id,
        rng=random.Random(1),
        lock=_NoPlanLock(),
    )


class _NoPlanLock:
    """The data is planned by make_world; the workers only dispatch."""

    def acquire(self, name, *, holder, now, until) -> bool:
        return False


def crash_instead_of_recording(method):
    def wrapper(self, finished, starting, stats):
        if finished:
            raise SimulatedCrash(method.__name__)
        return method(self, finished, starting, stats)

    return wrapper


def message_count(db) -> int:
    with db.factory() as session:
        return session.scalar(select(func.count()).select_from(Message))


def test_the_rows_of_a_dead_worker_go_back_a_minute_after_its_last_beat(db, settings, clock, monkeypatch):
    """Five rows claimed, two emails handed to the provider, then the worker dies. A minute after its
    last heartbeat (4 minutes before the lease ends) the next worker takes all five over: the two
    that may have gone out are counted as such and carry the same Message-ID, the three never
    started go out once."""
    make_world(db.factory, clock, invoices=5)
    dead = worker(db, settings, clock, "host:101:aa")
    dead.beat()
    monkeypatch.setattr(Dispatcher, "_record_and_mark", crash_instead_of_recording(Dispatcher._record_and_mark))
    with pytest.raises(SimulatedCrash):
        dead.dispatch()
    monkeypatch.undo()
    handed_over = set(dead.dispatcher.provider.counts())
    rows = all_reminders(db.factory)
    assert len(handed_over) == 2 and {r.state for r in rows} == {"sending"}

    provider = RecordingProvider()
    nxt = worker(db, settings, clock, "host:102:bb", provider)
    # Silent for exactly a minute: not yet presumed dead.
    clock.advance(STALE)
    nxt.beat()
    assert (nxt.dispatch().recovered, provider.sent) == (0, [])

    clock.advance(timedelta(seconds=1))
    assert clock.now() < rows[0].lease_expires_at - 3 * timedelta(minutes=1)
    nxt.beat()
    stats = nxt.dispatch()
    assert (stats.recovered, stats.sent) == (5, 5)
    rows = all_reminders(db.factory)
    assert {r.state for r in rows} == {"sent"}
    assert {r.id: r.uncertain_sends for r in rows} == {r.id: int(r.id in handed_over) for r in rows}
    assert {r.id for r in rows if r.reason == "sent_again_after_crash"} == handed_over
    assert provider.counts() == {r.id: 1 for r in rows}
    assert message_count(db) == 5
    # The resends carry the Message-ID of the email that may have gone out: mail programs show one.
    first = {int(m.metadata["reminder_id"]): m.headers["Message-ID"] for m in dead.dispatcher.provider.sent}
    again = {int(m.metadata["reminder_id"]): m.headers["Message-ID"] for m in provider.sent}
    assert {rid: again[rid] for rid in first} == first


def test_recovered_rows_say_the_worker_stopped(db, settings, clock):
    make_world(db.factory, clock, invoices=1)
    dead = worker(db, settings, clock, "dead")
    dead.beat()
    dead.dispatcher._claim_batch(DispatchStats())
    clock.advance(STALE + timedelta(seconds=1))
    stats = DispatchStats()
    with db.engine.begin() as connection:
        worker(db, settings, clock, "other").dispatcher._recover_expired_leases(connection, clock.now(), stats)
    [row] = all_reminders(db.factory)
    assert stats.recovered == 1
    assert (row.state, row.reason, row.claimed_by, row.lease_expires_at) == ("pending", "worker_stopped", None, None)
    assert (row.attempts, row.uncertain_sends, row.next_attempt_at) == (1, 0, clock.now())
    assert row.detail == "The worker stopped before sending this email; trying again."


def test_a_live_worker_keeps_its_rows_however_long_its_dispatch_runs(db, settings, clock):
    """Its heartbeat thread beats while it sends: 100 s into a dispatch nothing is taken from it, not
    even by a worker whose id starts with the same characters as a dead one's."""
    make_world(db.factory, clock, invoices=1)
    dead = worker(db, settings, clock, "host:1")
    dead.beat()  # a dead worker whose id is a prefix of the live one's
    slow = worker(db, settings, clock, "host:1:2")
    slow.beat()
    stats = DispatchStats()
    claimed = slow.dispatcher._claim_batch(stats)
    for _ in range(100 // HEARTBEAT_SECONDS):
        clock.advance(timedelta(seconds=HEARTBEAT_SECONDS))
        slow.beat()
    clock.advance(timedelta(seconds=100 % HEARTBEAT_SECONDS))
    other = worker(db, settings, clock, "other")
    other.beat()
    assert other.dispatch().recovered == 0
    slow.dispatcher._send_batches(iter([slow.dispatcher._with_templates(claimed)]), stats)
    assert (stats.sent, stats.lost_leases) == (1, 0)
    [row] = all_reminders(db.factory)
    assert (row.state, row.uncertain_sends) == ("sent", 0)
    assert other.dispatcher.provider.sent == []


def test_a_frozen_worker_that_comes_back_sends_nothing_twice(db, settings, clock):
    """Presumed dead after a minute of silence (a stopped VM, a debugger), its rows were taken over
    and sent; when it wakes up the fence stops it: it neither sends nor records them again."""
    make_world(db.factory, clock, invoices=1)
    frozen = worker(db, settings, clock, "frozen")
    frozen.beat()
    stats = DispatchStats()
    claimed = frozen.dispatcher._claim_batch(stats)
    clock.advance(STALE + timedelta(seconds=1))
    other = worker(db, settings, clock, "other")
    other.beat()
    assert other.dispatch().sent == 1
    frozen.dispatcher._send_batches(iter([frozen.dispatcher._with_templates(claimed)]), stats)
    assert (stats.sent, stats.lost_leases) == (0, 1)
    assert frozen.dispatcher.provider.sent == []
    assert len(other.dispatcher.provider.sent) == 1
    assert message_count(db) == 1


def test_a_worker_that_never_beat_waits_for_the_lease(db, settings, clock):
    """No heartbeat row (a dispatcher outside a worker): only the lease frees its rows."""
    make_world(db.factory, clock, invoices=1)
    lone = Dispatcher(
        session_factory=db.factory, settings=settings, provider=RecordingProvider(), clock=clock, worker_id="lone"
    )
    lone._claim_batch(DispatchStats())
    clock.advance(LEASE - timedelta(seconds=1))
    other = worker(db, settings, clock, "other")
    other.beat()
    assert other.dispatch().recovered == 0
    clock.advance(timedelta(seconds=2))
    assert other.dispatch().sent == 1
    with db.factory() as session:
        assert session.scalar(select(Reminder.reason)) is None
