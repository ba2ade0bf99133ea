"""A reminder worker process for the kill tests: `python -m tests.faults.worker_runner ...`.

It is the real ReminderWorker (heartbeat, planner lock, dispatcher with its thread pool) over the
database in DUESPARK_DATABASE_URL, ticking like the scheduler's dispatch job, with two test
doubles: a clock shifted to the test's "now" (the data is planned for TEST_NOW) and a provider
that appends each accepted email to a shared log with one write() before returning, so a
SIGKILL right after the provider call still leaves the line in the file.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from datetime import UTC, datetime

import structlog

from duespark.clock import parse_instant
from duespark.db import make_engine, make_session_factory
from duespark.email.message import OutgoingEmail
from duespark.email.providers.base import SendResult
from duespark.reminders.worker import HEARTBEAT_SECONDS, ReminderWorker
from duespark.settings import Settings
from duespark.wiring import connect_domains

# The scheduler's dispatch job runs every minute in production; here often, so kills land mid-work.
TICK_SECONDS = 0.2


class ShiftedClock:
    """Real time moving forward from `start`, the same in every process that shares `epoch`."""

    def __init__(self, start: datetime, epoch: float) -> None:
        self.offset = start - datetime.fromtimestamp(epoch, UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class LoggingProvider:
    name = "send-log"

    def __init__(self, path: str, worker_id: str, latency: float) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.worker_id = worker_id
        self.latency = latency

    def send(self, message: OutgoingEmail) -> SendResult:
        time.sleep(self.latency)  # the provider's round trip: most kills land inside it
        message_id = message.headers["Message-ID"]
        # One short O_APPEND write is atomic between processes and survives the writer's SIGKILL.
        os.write(self.fd, f"{message.metadata['reminder_id']} {message_id} {self.worker_id}\n".encode())
        return SendResult(provider_message_id=message_id)


def _beat_forever(worker: ReminderWorker) -> None:
    while True:
        try:
            worker.beat()
        except Exception as exc:
            print(f"beat failed: {type(exc).__name__}: {exc}", flush=True)
        time.sleep(HEARTBEAT_SECONDS)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--worker-id", required=True)
    parser.add_argument("--start", required=True, help="the instant the shared clock showed at --epoch")
    parser.add_argument("--epoch", type=float, required=True)
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args()

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    settings = Settings()
    connect_domains(settings)
    engine = make_engine(settings.database_url_or_default, pool_size=settings.database_pool_size)
    worker = ReminderWorker(
        settings=settings,
        session_factory=make_session_factory(engine),
        clock=ShiftedClock(parse_instant(args.start), args.epoch),
        provider=LoggingProvider(args.log, args.worker_id, args.latency),
        worker_id=args.worker_id,
    )
    # As the scheduler does: the heartbeat beats from its own thread, whatever the dispatch is doing
    # (a worker silent for a minute is presumed dead and its rows are taken over).
    threading.Thread(target=_beat_forever, args=(worker,), daemon=True).start()
    while True:
        try:
            worker.plan_if_due()
            worker.dispatch()
        except Exception as exc:  # as the scheduler's job wrapper: the next tick tries again
            print(f"tick failed: {type(exc).__name__}: {exc}", flush=True)
        time.sleep(TICK_SECONDS)


if __name__ == "__main__":
    main()
