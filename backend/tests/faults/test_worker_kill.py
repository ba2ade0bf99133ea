"""Three worker processes on PostgreSQL, one SIGKILLed at random moments and restarted.

Each kill lands on a worker that is dispatching (it has handed emails to the provider), a random
moment later: a kill while a fresh process still starts up would test nothing. The workers send
through a 100 ms provider, 8 calls at a time, so the work outlasts the kills.

Every reminder must end up sent and recorded once; the provider may see a reminder twice only
when the dead worker had stamped its send intent (the row is `sending` with `send_intent_at`
at the kill), and the recovered row then counts it in `uncertain_sends`.

`make test-faults` runs issue #9's full drill (5,000 reminders, 10 kills, about 30 s on an idle machine);
`make test` runs the same 10 kills over 1,500 reminders, enough work that each kill still lands mid-dispatch,
so that CI stays within its time (DUESPARK_FAULTS_FULL=1 chooses the full drill anywhere).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from duespark import migrate
from duespark.clock import FixedClock
from duespark.db import make_engine, make_session_factory
from duespark.models import Message, Reminder
from tests.conftest import TEST_NOW, TEST_SECRET, create_postgres_database, drop_postgres_database
from tests.reminders.support import make_world

pytestmark = [pytest.mark.faults, pytest.mark.postgres]

BACKEND = Path(__file__).resolve().parents[2]
REMINDERS = 5000 if os.environ.get("DUESPARK_FAULTS_FULL") == "1" else 1500
KILLS = 10
WORKERS = 3
LEASE_SECONDS = 10
DRAIN_SECONDS = 180
PROVIDER_LATENCY = "0.1"
CONCURRENCY = "8"
# How long the kills wait for a worker to be dispatching (a restarted one first starts Python).
VICTIM_WAIT_SECONDS = 60


@dataclass
class Fleet:
    env: dict[str, str]
    log: Path
    epoch: float
    generation: int = 0
    processes: dict[int, tuple[str, subprocess.Popen[bytes]]] = field(default_factory=dict)

    def start(self, slot: int) -> None:
        self.generation += 1
        worker_id = f"kill-w{slot}-g{self.generation}"
        command = [sys.executable, "-m", "tests.faults.worker_runner", "--log", str(self.log)]
        command += ["--worker-id", worker_id, "--start", TEST_NOW.isoformat(), "--epoch", str(self.epoch)]
        command += ["--latency", PROVIDER_LATENCY]
        output = (self.log.parent / f"{worker_id}.out").open("wb")
        process = subprocess.Popen(command, env=self.env, cwd=BACKEND, stdout=output, stderr=subprocess.STDOUT)
        self.processes[slot] = (worker_id, process)

    def kill(self, slot: int) -> str:
        worker_id, process = self.processes.pop(slot)
        process.kill()
        process.wait()
        return worker_id

    def dispatching_slot(self, rng: random.Random) -> int:
        """A slot whose worker has handed emails to the provider, at random; waits for one."""
        deadline = time.monotonic() + VICTIM_WAIT_SECONDS
        while True:
            senders = {line.split()[2] for line in self.log.read_text().splitlines()}
            slots = sorted(slot for slot, (worker_id, _) in self.processes.items() if worker_id in senders)
            if slots:
                return rng.choice(slots)
            assert time.monotonic() < deadline, "no worker is dispatching"
            time.sleep(0.05)

    def stop_all(self) -> None:
        for slot in list(self.processes):
            self.kill(slot)


@pytest.fixture
def database(postgres_server_url):
    url = create_postgres_database(postgres_server_url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield url, engine
    engine.dispose()
    drop_postgres_database(postgres_server_url, url)


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DUESPARK_")},
        "PYTHONPATH": f"{BACKEND / 'src'}{os.pathsep}{BACKEND}",
        "DUESPARK_ENV": "test",
        "DUESPARK_DATA_DIR": str(tmp_path / "data"),
        "DUESPARK_DATABASE_URL": url,
        "DUESPARK_SECRET_KEY": TEST_SECRET,
        "DUESPARK_EMAIL_FROM": "reminders@duespark.test",
        "DUESPARK_REMINDER_LEASE_SECONDS": str(LEASE_SECONDS),
        "DUESPARK_SCHEDULER_BATCH_SIZE": "100",
        "DUESPARK_DISPATCH_CONCURRENCY": CONCURRENCY,
        "DUESPARK_RUN_WORKER_IN_PROCESS": "false",
        # One account sends thousands here on purpose: the per-account send budget is not what is tested.
        "DUESPARK_SEND_BUDGET_PER_HOUR": "1000000",
        "DUESPARK_SEND_BUDGET_PER_DAY": "10000000",
    }


def _in_flight(factory, worker_id: str) -> set[int]:
    """Rows the dead worker had handed, or was about to hand, to the provider."""
    with factory() as session:
        return set(
            session.scalars(
                select(Reminder.id).where(
                    Reminder.state == "sending",
                    Reminder.send_intent_at.is_not(None),
                    Reminder.claimed_by.startswith(f"{worker_id}/"),
                )
            )
        )


def _unfinished(factory) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).where(Reminder.state.in_(("pending", "sending"))))


def test_sigkilled_workers_send_every_reminder_and_duplicate_only_in_flight(database, tmp_path):
    url, engine = database
    factory = make_session_factory(engine)
    make_world(factory, FixedClock(TEST_NOW), invoices=REMINDERS)
    with factory() as session:
        reminder_ids = set(session.scalars(select(Reminder.id)))
    assert len(reminder_ids) == REMINDERS

    send_log = tmp_path / "sends.log"
    fleet = Fleet(_env(url, tmp_path), send_log, time.time())
    rng = random.Random(int(os.environ.get("DUESPARK_FAULTS_SEED", "9")))
    in_flight: set[int] = set()
    unfinished_at_kill: list[int] = []
    started = time.monotonic()
    try:
        for slot in range(WORKERS):
            fleet.start(slot)
        while not send_log.exists():  # the kills start once sending has started
            time.sleep(0.05)
        for _ in range(KILLS):
            slot = fleet.dispatching_slot(rng)
            time.sleep(rng.uniform(0.0, 0.5))
            worker_id = fleet.kill(slot)
            unfinished_at_kill.append(_unfinished(factory))
            in_flight |= _in_flight(factory, worker_id)
            fleet.start(slot)
        deadline = time.monotonic() + DRAIN_SECONDS
        while _unfinished(factory) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        fleet.stop_all()

    sends = Counter(int(line.split()[0]) for line in send_log.read_text().splitlines())
    with factory() as session:
        states = Counter(session.scalars(select(Reminder.state)))
        uncertain = dict(session.execute(select(Reminder.id, Reminder.uncertain_sends)).all())
        recorded = Counter(session.scalars(select(Message.reminder_id)))
    duplicates = {rid: count for rid, count in sends.items() if count > 1}
    print(
        f"\n{REMINDERS} reminders, {WORKERS} workers, {KILLS} SIGKILLs in {time.monotonic() - started:.0f} s: "
        f"{states['sent']} sent, {sum(sends.values())} provider calls, {len(in_flight)} in flight at the kills, "
        f"{len(duplicates)} sent twice, unfinished at each kill {unfinished_at_kill}"
    )
    assert all(count > 0 for count in unfinished_at_kill), "every kill must land while work remains"
    assert states == {"sent": REMINDERS}
    assert set(sends) == reminder_ids, "every reminder reached the provider"
    assert set(recorded) == reminder_ids and set(recorded.values()) == {1}, "one messages row per reminder"
    assert set(duplicates) <= in_flight, "a duplicate only for a reminder in flight at a kill"
    assert all(count - 1 <= uncertain[rid] for rid, count in duplicates.items()), "each resend is counted"
