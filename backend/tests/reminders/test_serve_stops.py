"""`duespark serve` (`make run`: the API with the worker in the same process) stops within seconds.

A real process on a free port over a database holding thousands of due reminders, sending through the
`file` provider: once the first emails are written it gets SIGTERM (what a deploy, a restart or
`docker stop` sends; Ctrl+C is SIGINT, handled the same way by uvicorn) and must exit within seconds,
leaving no row in `sending`: every email written is recorded as sent, every other row is `pending`
again and still due. The same for the standalone `duespark worker`.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from duespark.clock import FixedClock
from duespark.db import transaction
from duespark.models import Client, Invoice, Message, Reminder
from duespark.reminders.dispatcher import Dispatcher
from duespark.reminders.planner import plan
from duespark.reminders.policy import Step
from tests.conftest import TEST_SECRET
from tests.helpers import make_account
from tests.reminders.support import RecordingProvider, make_world, set_account_policy

BACKEND = Path(__file__).resolve().parents[2]
ACCOUNTS = 4
CLIENTS_PER_ACCOUNT = 750  # one invoice each: 3,000 reminders due now, each its own email
STOP_WITHIN_SECONDS = 5.0
START_WAIT_SECONDS = 60.0


def seed_due_reminders(factory, now: datetime) -> int:
    """Live accounts sending at any hour, each client with one open invoice due today, planned."""
    clock = FixedClock(now)
    with transaction(factory) as session:
        for a in range(ACCOUNTS):
            account = make_account(session, clock=clock, name=f"Studio {a}")
            account.test_mode = False
            account.send_window_start, account.send_window_end, account.send_weekdays = 0, 24 * 60, "1234567"
            set_account_policy(session, account, [Step(0, "due_today")], clock=clock)
            client_rows = [
                {
                    "account_id": account.id,
                    "name": f"Client {a}-{c}",
                    "email": f"billing{a}-{c}@client.test",
                    "client_type": "business",
                    "created_at": now,
                    "updated_at": now,
                }
                for c in range(CLIENTS_PER_ACCOUNT)
            ]
            client_ids = session.scalars(insert(Client).returning(Client.id), client_rows).all()
            invoice_rows = [
                {
                    "account_id": account.id,
                    "client_id": client_id,
                    "number": f"INV-{a}-{n:05d}",
                    "amount_minor": 125_000,
                    "amount_paid_minor": 0,
                    "currency": "EUR",
                    "issue_date": now.date(),
                    "due_date": now.date(),
                    "status": "open",
                    "created_at": now,
                    "updated_at": now,
                }
                for n, client_id in enumerate(client_ids)
            ]
            session.execute(insert(Invoice), invoice_rows)
        plan(session, clock=clock)
    with factory() as session:
        due = session.scalar(select(func.count()).where(Reminder.state == "pending", Reminder.next_attempt_at <= now))
    assert due == ACCOUNTS * CLIENTS_PER_ACCOUNT
    return due


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(url: str, data_dir: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DUESPARK_")},
        "PYTHONPATH": str(BACKEND / "src"),
        # `make run`: development, where the worker runs inside `serve` by default.
        "DUESPARK_ENV": "development",
        "DUESPARK_DATA_DIR": str(data_dir),
        "DUESPARK_DATABASE_URL": url,
        "DUESPARK_SECRET_KEY": TEST_SECRET,
        "DUESPARK_EMAIL_PROVIDER": "file",
        "DUESPARK_EMAIL_FROM": "reminders@duespark.test",
        "DUESPARK_PUBLIC_URL": "http://127.0.0.1",
        "DUESPARK_LOG_LEVEL": "WARNING",
    }


def stop_after_sending_starts(command: list[str], env: dict[str, str], outbox: Path, log: Path) -> float:
    """Start the process, SIGTERM it once emails are being written; seconds it took to exit."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, cwd=BACKEND, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_WAIT_SECONDS
        while not (outbox.is_dir() and len(list(outbox.iterdir())) >= 20):
            assert process.poll() is None, f"exited early:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"no email was written:\n{log.read_text()[-3000:]}"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running 60 s after SIGTERM:\n{log.read_text()[-3000:]}")
        return time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def assert_stopped_cleanly(db, outbox: Path, total: int) -> dict[str, int]:
    with db.factory() as session:
        states = dict(session.execute(select(Reminder.state, func.count()).group_by(Reminder.state)).all())
        attempts_of_pending = set(session.scalars(select(Reminder.attempts).where(Reminder.state == "pending")))
        messages = session.scalar(select(func.count()).select_from(Message).where(Message.status == "sent"))
    written = len(list(outbox.glob("*.eml")))
    assert "sending" not in states, states
    assert states.get("sent", 0) + states.get("pending", 0) == total, states
    assert states.get("pending", 0) > 0, f"everything was sent before the stop took effect: {states}"
    # Every email written is recorded once; the rows given back spent no attempt.
    assert written == states["sent"] == messages
    assert attempts_of_pending == {0}
    return states


@pytest.mark.faults
def test_serve_stops_its_in_process_worker_within_seconds_of_sigterm(db, tmp_path):
    total = seed_due_reminders(db.factory, datetime.now(UTC))
    data_dir = tmp_path / "data"
    port = free_port()
    command = [sys.executable, "-m", "duespark", "serve", "--host", "127.0.0.1", "--port", str(port)]
    seconds = stop_after_sending_starts(
        command, environment(db.url, data_dir), data_dir / "outbox", tmp_path / "serve.log"
    )
    states = assert_stopped_cleanly(db, data_dir / "outbox", total)
    print(f"\nserve exited {seconds:.2f} s after SIGTERM; {states}")
    assert seconds < STOP_WITHIN_SECONDS


@pytest.mark.faults
def test_standalone_worker_stops_within_seconds_of_sigterm(db, tmp_path):
    total = seed_due_reminders(db.factory, datetime.now(UTC))
    data_dir = tmp_path / "data"
    env = environment(db.url, data_dir) | {"DUESPARK_RUN_WORKER_IN_PROCESS": "false"}
    command = [sys.executable, "-m", "duespark", "worker"]
    seconds = stop_after_sending_starts(command, env, data_dir / "outbox", tmp_path / "worker.log")
    states = assert_stopped_cleanly(db, data_dir / "outbox", total)
    print(f"\nworker exited {seconds:.2f} s after SIGTERM; {states}")
    assert seconds < STOP_WITHIN_SECONDS


def test_a_dispatcher_asked_to_stop_records_what_went_out_and_releases_the_rest(db, worker_settings, clock):
    """The dispatcher's side of the stop, with the fixed clock: the flag is raised by the third email."""
    stop = threading.Event()

    class StopAfterThree(RecordingProvider):
        def send(self, message):
            result = super().send(message)
            if len(self.sent) >= 3:
                stop.set()
            return result

    make_world(db.factory, clock, invoices=120)
    provider = StopAfterThree()
    settings = worker_settings.model_copy(update={"dispatch_concurrency": 4, "scheduler_batch_size": 50})
    dispatcher = Dispatcher(
        session_factory=db.factory,
        settings=settings,
        provider=provider,
        clock=clock,
        worker_id="w1",
        rng=random.Random(1),
        should_stop=stop.is_set,
    )
    stats = dispatcher.run()
    with db.factory() as session:
        rows = session.execute(select(Reminder.id, Reminder.state, Reminder.attempts, Reminder.claimed_by)).all()
    sent = {r.id for r in rows if r.state == "sent"}
    pending = [r for r in rows if r.state == "pending"]
    # Only the first batch was claimed; at most the calls already out finished after the flag.
    assert stats.claimed == 50
    assert sent == set(provider.counts()) and 3 <= len(sent) <= 3 + 4
    assert (stats.sent, stats.released) == (len(sent), 50 - len(sent))
    assert {(r.state, r.attempts, r.claimed_by) for r in pending} == {("pending", 0, None)}
    assert len(pending) == 120 - len(sent)
    # The next run sends the rest at once (no lease to wait for), each once.
    again = Dispatcher(
        session_factory=db.factory, settings=settings, provider=provider, clock=clock, worker_id="w2"
    ).run()
    assert again.sent == len(pending) and set(provider.counts().values()) == {1}
