"""Issue 15's drill: 1,000 due reminders, workers SIGKILLed 10 times at random moments while sending,
then every worker gone; the next tick a minute later (the default 5-minute lease still running)
sends all that is left, because the dead workers' heartbeats are stale. Nothing is sent twice except
a reminder whose provider call had started when its worker died (send intent stamped), and each of
those resends is counted in `uncertain_sends`.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from duespark.clock import FixedClock
from duespark.db import make_session_factory
from duespark.models import Message, Reminder
from duespark.reminders.worker import ReminderWorker
from tests.conftest import TEST_NOW, make_test_settings
from tests.faults.test_worker_kill import BACKEND, Fleet, _env, _in_flight, _unfinished, database  # noqa: F401
from tests.reminders.support import RecordingProvider, make_world

pytestmark = [pytest.mark.faults, pytest.mark.postgres]

REMINDERS = 1000
KILLS = 10
WORKERS = 2


class SlowFleet(Fleet):
    """The kill test's workers with a slower provider (0.4 s a call), so ten kills land while work remains."""

    def start(self, slot: int) -> None:
        self.generation += 1
        worker_id = f"drill-w{slot}-g{self.generation}"
        command = [sys.executable, "-m", "tests.faults.worker_runner", "--log", str(self.log), "--worker-id", worker_id]
        command += ["--start", TEST_NOW.isoformat(), "--epoch", str(self.epoch), "--latency", "0.4"]
        output = (self.log.parent / f"{worker_id}.out").open("wb")
        self.processes[slot] = (worker_id, subprocess.Popen(command, env=self.env, cwd=BACKEND, stdout=output))


class NoPlanning:
    def acquire(self, name, *, holder, now, until) -> bool:
        return False


def test_a_minute_after_the_last_kill_the_next_tick_sends_everything_once(database, tmp_path):  # noqa: F811
    url, engine = database
    factory = make_session_factory(engine)
    make_world(factory, FixedClock(TEST_NOW), invoices=REMINDERS)
    with factory() as session:
        reminder_ids = set(session.scalars(select(Reminder.id)))

    send_log = tmp_path / "sends.log"
    env = _env(url, tmp_path) | {
        "DUESPARK_REMINDER_LEASE_SECONDS": "300",  # the default: only the heartbeat can free rows within a minute
        "DUESPARK_DISPATCH_CONCURRENCY": "4",
    }
    epoch = time.time()
    fleet = SlowFleet(env, send_log, epoch)
    rng = random.Random(int(os.environ.get("DUESPARK_FAULTS_SEED", "15")))
    in_flight: set[int] = set()
    try:
        for slot in range(WORKERS):
            fleet.start(slot)
        while not send_log.exists():
            time.sleep(0.05)
        for _ in range(KILLS):
            slot = fleet.dispatching_slot(rng)
            time.sleep(rng.uniform(0.0, 0.5))
            worker_id = fleet.kill(slot)
            in_flight |= _in_flight(factory, worker_id)
            fleet.start(slot)
        # Every worker dies: their rows stay `sending`, leases running for minutes.
        for slot, (worker_id, _) in list(fleet.processes.items()):
            fleet.kill(slot)
            in_flight |= _in_flight(factory, worker_id)
    finally:
        fleet.stop_all()
    stopped_at = TEST_NOW + timedelta(seconds=time.time() - epoch)
    left = _unfinished(factory)
    assert left > 0, "the workers finished everything before the kills; the drill tested nothing"

    # The next tick, a minute after the last heartbeat could have been written.
    clock = FixedClock(stopped_at + timedelta(seconds=61))
    with factory() as session:
        leases = session.scalars(select(Reminder.lease_expires_at).where(Reminder.state == "sending")).all()
    assert leases and min(lease.astimezone(UTC) for lease in leases) > clock.now(), "leases still run"
    provider = RecordingProvider()
    settings = make_test_settings(tmp_path, url, send_budget_per_hour=1_000_000, send_budget_per_day=10_000_000)
    tick = ReminderWorker(
        settings=settings, session_factory=factory, clock=clock, provider=provider, worker_id="next", lock=NoPlanning()
    ).tick()

    sends = Counter(int(line.split()[0]) for line in send_log.read_text().splitlines())
    sends.update(provider.counts())
    with factory() as session:
        states = Counter(session.scalars(select(Reminder.state)))
        uncertain = dict(session.execute(select(Reminder.id, Reminder.uncertain_sends)).all())
        recorded = Counter(session.scalars(select(Message.reminder_id)))
    duplicates = {rid: n for rid, n in sends.items() if n > 1}
    print(
        f"\n{REMINDERS} reminders, {KILLS} SIGKILLs + all workers killed: {left} unfinished; the tick at +61 s "
        f"recovered {tick.dispatched.recovered} and sent {tick.dispatched.sent}; {len(in_flight)} in flight at "
        f"the kills, {len(duplicates)} sent twice ({datetime.now(UTC):%H:%M:%S})"
    )
    assert tick.dispatched.recovered > 0
    assert states == {"sent": REMINDERS}
    assert set(sends) == reminder_ids
    assert set(recorded) == reminder_ids and set(recorded.values()) == {1}
    assert set(duplicates) <= in_flight
    assert all(n - 1 <= uncertain[rid] for rid, n in duplicates.items())
