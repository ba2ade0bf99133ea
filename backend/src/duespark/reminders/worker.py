"""The worker: the planner and the dispatcher on a schedule, a leader lock, and a heartbeat.

Jobs and who runs them when there are several worker processes:

- planner: every 6 hours, once per 6-hour window across all workers (the leader lock is
  keyed by the window, in Redis when configured, else in the `scheduler_locks` table);
- dispatcher: every minute in every worker; claims are exclusive (SKIP LOCKED on PostgreSQL,
  the single writer on SQLite), so more workers means more throughput, never duplicates;
- webhooks: every few seconds in every worker; outgoing webhook deliveries are claimed like reminders
  (outgoing_webhooks/delivery.py), a bounded batch at a time;
- jobs other domains add with `run_every` (the daily digest, every 15 minutes) in every worker; each
  makes its own work exactly-once (digest/worker.py: a unique row per member and local day);
- heartbeat: every 15 seconds per worker, from its own thread, read by the readiness check and by
  the dispatcher: the rows of a worker silent for a minute go back to pending (see dispatcher.py).
"""

from __future__ import annotations

import os
import random
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Protocol

import structlog
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from duespark.audit import service as audit
from duespark.clock import Clock
from duespark.db import transaction
from duespark.email.outbox import send_queued_messages
from duespark.email.providers import build_provider
from duespark.email.providers.base import EmailProvider
from duespark.models import Reminder, SchedulerLock, WorkerHeartbeat
from duespark.ops.metrics import track_job
from duespark.outgoing_webhooks.delivery import Deliverer, DeliveryStats
from duespark.reminders.dispatcher import Dispatcher, DispatchStats
from duespark.reminders.planner import PlanResult, ReminderState, invoices_to_plan, plan
from duespark.settings import Settings

log = structlog.get_logger(__name__)

PLAN_INTERVAL = timedelta(hours=6)
PLAN_LOCK = "reminders.plan"
# Well under settings.worker_stale_heartbeat_seconds (60 s at least): a live worker is never presumed dead.
HEARTBEAT_SECONDS = 15
HEARTBEAT_RETENTION = timedelta(days=7)
# How long stopping waits for a running job: the provider calls that are out, then recording them.
SHUTDOWN_WAIT_SECONDS = 30.0
# PostgreSQL's "try again" codes: serialization failure and deadlock.
RETRYABLE_SQLSTATES = ("40001", "40P01")
PLAN_TRIES = 5
# Invoices planned per write transaction by the periodic run: about 10,000 reminder rows at most
# (five steps each), which keeps SQLite's write lock to well under a second on this machine's class.
PLAN_CHUNK = 2000
# Outgoing webhooks are checked this often (or at the dispatch interval, when shorter): the first retry
# waits 5 s and a test event should arrive while the user looks.
WEBHOOK_SECONDS = 5


# Work other domains add to every dispatch, run just before it so that what they change (answers: a promise
# past its date queues its email and moves the hold) counts in the same tick. Added by wiring.connect_domains.
TickJob = Callable[..., object]
_before_dispatch: list[TickJob] = []


def run_before_dispatch(job: TickJob) -> None:
    """`job(session_factory, settings=..., clock=...)` runs before each dispatch (idempotent to add)."""
    if job not in _before_dispatch:
        _before_dispatch.append(job)


# Other domains' periodic jobs, by name: (job, seconds). Added by wiring.connect_domains.
_periodic: dict[str, tuple[TickJob, int]] = {}


def run_every(name: str, seconds: int, job: TickJob) -> None:
    """`job(session_factory, settings=..., clock=...)` runs every `seconds` in each worker (idempotent to add):
    the job itself makes sure that two workers running it at once do its work once."""
    _periodic[name] = (job, seconds)


class LeaderLock(Protocol):
    def acquire(self, name: str, *, holder: str, now: datetime, until: datetime) -> bool:
        """True for exactly one holder per (name, until) window."""
        ...


class DatabaseLeaderLock:
    """A lease row per job in `scheduler_locks`: taken when missing or expired."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def acquire(self, name: str, *, holder: str, now: datetime, until: datetime) -> bool:
        with transaction(self.session_factory, write=False) as session:
            held_until = session.scalar(select(SchedulerLock.expires_at).where(SchedulerLock.name == name))
        if held_until is not None and held_until > now:
            return False  # the common case, answered by a read: no row lock, no write lock
        with transaction(self.session_factory) as session:
            dialect = session.get_bind().dialect.name
            insert = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(SchedulerLock)
            stmt = (
                insert.values(name=name, holder=holder, expires_at=until)
                .on_conflict_do_update(
                    index_elements=[SchedulerLock.name],
                    set_={"holder": insert.excluded.holder, "expires_at": insert.excluded.expires_at},
                    where=SchedulerLock.expires_at <= now,
                )
                .returning(SchedulerLock.holder)
            )
            return session.scalar(stmt) == holder


class RedisLeaderLock:
    """SET NX on a key named after the window, so clocks and restarts cannot run a window twice."""

    def __init__(self, client, *, prefix: str = "duespark:") -> None:
        self.client = client
        self.prefix = prefix

    def acquire(self, name: str, *, holder: str, now: datetime, until: datetime) -> bool:
        key = f"{self.prefix}lock:{name}:{int(until.timestamp())}"
        ttl_ms = max(1000, int((until - now).total_seconds() * 1000))
        return bool(self.client.set(key, holder, nx=True, px=ttl_ms))


class FallbackLeaderLock:
    """Redis first; while Redis cannot be reached, the database lock, so planning never stops.

    Two workers may then hold the same window, one per lock, when only one of them lost Redis:
    planning is idempotent (unique rows, ON CONFLICT DO NOTHING), so that costs one extra run.
    """

    def __init__(self, primary: LeaderLock, fallback: LeaderLock, errors: tuple[type[BaseException], ...]) -> None:
        self.primary = primary
        self.fallback = fallback
        self.errors = errors

    def acquire(self, name: str, *, holder: str, now: datetime, until: datetime) -> bool:
        try:
            return self.primary.acquire(name, holder=holder, now=now, until=until)
        except self.errors as exc:
            log.warning("worker.lock_fallback", lock=name, error=type(exc).__name__)
            return self.fallback.acquire(name, holder=holder, now=now, until=until)


def build_leader_lock(settings: Settings, session_factory: sessionmaker[Session]) -> LeaderLock:
    if settings.redis_url:
        import redis

        client = redis.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
        return FallbackLeaderLock(RedisLeaderLock(client), DatabaseLeaderLock(session_factory), (redis.RedisError,))
    return DatabaseLeaderLock(session_factory)


def window_end(now: datetime, interval: timedelta) -> datetime:
    """The end of the epoch-aligned window of length `interval` that contains `now`."""
    seconds = interval.total_seconds()
    return datetime.fromtimestamp((now.timestamp() // seconds + 1) * seconds, UTC)


def plan_with_retry(session_factory: sessionmaker[Session], clock: Clock) -> PlanResult:
    """A periodic planner run, in chunks of at most PLAN_CHUNK invoices, each in its own short write
    transaction: the chunk's ids are read without the write lock, then planned (invariant 12; one
    transaction over 50,000 invoices held SQLite's write lock for the whole run)."""
    result = PlanResult()
    # A second pass plans what the first marked behind itself (a client's other invoices, when the
    # client's adaptation changed); two at most, so a row that stays "changed" cannot loop.
    for _pass in range(2):
        after_id, planned = 0, 0
        while True:
            with transaction(session_factory, write=False) as session:
                ids = invoices_to_plan(session, after_id=after_id, limit=PLAN_CHUNK)
            if not ids:
                break
            result.add(_plan_chunk_with_retry(session_factory, clock, ids))
            after_id, planned = ids[-1], planned + len(ids)
        if not planned:
            break
    return result


def _plan_chunk_with_retry(session_factory: sessionmaker[Session], clock: Clock, ids: list[int]) -> PlanResult:
    """One chunk in its own transaction.

    On PostgreSQL it runs at REPEATABLE READ: all its statements then see one snapshot, so
    an invoice changed by a request mid-run is never stamped "planned" without having been
    planned. A conflict with a concurrent planner or request raises a serialization error,
    and the chunk is simply tried again.
    """
    for attempt in range(1, PLAN_TRIES + 1):
        session = session_factory()
        try:
            if session.get_bind().dialect.name == "postgresql":
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            result = plan(session, clock=clock, invoice_ids=ids)
            session.commit()
            return result
        except DBAPIError as exc:
            session.rollback()
            if getattr(exc.orig, "sqlstate", None) not in RETRYABLE_SQLSTATES or attempt == PLAN_TRIES:
                raise
            log.info("reminders.plan_retry", attempt=attempt, sqlstate=exc.orig.sqlstate)  # type: ignore[union-attr]
        finally:
            session.close()
    raise AssertionError("unreachable")


def latest_heartbeat_age(session: Session, clock: Clock) -> timedelta | None:
    """How long ago any worker last beat; None when no worker ever ran. For the readiness check."""
    last = session.scalar(select(func.max(WorkerHeartbeat.last_beat_at)))
    if last is None:
        return None
    if last.tzinfo is None:  # SQLite's MAX() returns the stored text, read back without its zone
        last = last.replace(tzinfo=UTC)
    return clock.now() - last


def dispatch_lag_seconds(session: Session, clock: Clock) -> float:
    """How long the oldest due reminder has waited (0 when none waits): the dispatch-lag alert."""
    now = clock.now()
    oldest = session.scalar(
        select(func.min(Reminder.next_attempt_at)).where(
            Reminder.state == ReminderState.pending, Reminder.next_attempt_at <= now
        )
    )
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:  # SQLite's MIN() returns the stored text, read back without its zone
        oldest = oldest.replace(tzinfo=UTC)
    return max(0.0, (now - oldest).total_seconds())


@dataclass
class TickReport:
    planned: PlanResult | None
    dispatched: DispatchStats
    # Outbox emails (thank-yous, verification, password resets) sent in the same tick.
    outbox_sent: int = 0
    webhooks: DeliveryStats | None = None


class ReminderWorker:
    def __init__(
        self,
        *,
        settings: Settings,
        session_factory: sessionmaker[Session],
        clock: Clock,
        provider: EmailProvider | None = None,
        lock: LeaderLock | None = None,
        worker_id: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.clock = clock
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lock = lock or build_leader_lock(settings, session_factory)
        self.started_at = clock.now()
        # Set by stop(): the jobs running then finish their current step and return.
        self.stopping = threading.Event()
        self._running_jobs = 0
        self._jobs_done = threading.Condition()
        self.dispatcher = Dispatcher(
            session_factory=session_factory,
            settings=settings,
            provider=provider or build_provider(settings),
            clock=clock,
            worker_id=self.worker_id,
            rng=rng,
            should_stop=self.stopping.is_set,
        )
        self.deliverer = Deliverer(
            session_factory=session_factory, settings=settings, clock=clock, should_stop=self.stopping.is_set
        )
        self.running_scheduler: BaseScheduler | None = None

    def beat(self) -> None:
        now = self.clock.now()
        with transaction(self.session_factory) as session:
            dialect = session.get_bind().dialect.name
            if dialect == "postgresql":
                # A heartbeat lost in a database crash costs nothing: skip the wait for the disk.
                session.execute(text("SET LOCAL synchronous_commit = off"))
            insert = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(WorkerHeartbeat)
            session.execute(
                insert.values(
                    worker_id=self.worker_id,
                    hostname=socket.gethostname(),
                    pid=os.getpid(),
                    started_at=self.started_at,
                    last_beat_at=now,
                ).on_conflict_do_update(
                    index_elements=[WorkerHeartbeat.worker_id], set_={"last_beat_at": insert.excluded.last_beat_at}
                )
            )
            session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.last_beat_at < now - HEARTBEAT_RETENTION))

    def plan(self) -> PlanResult:
        result = plan_with_retry(self.session_factory, self.clock)
        log.info("reminders.planned", **vars(result))
        return result

    def plan_if_due(self) -> PlanResult | None:
        """Plan when this worker is the first to ask in the current 6-hour window."""
        now = self.clock.now()
        if not self.lock.acquire(PLAN_LOCK, holder=self.worker_id, now=now, until=window_end(now, PLAN_INTERVAL)):
            return None
        with transaction(self.session_factory) as session:  # once a window, like planning
            log.info("audit.pruned", entries=audit.prune(session, now=now))
        return self.plan()

    def dispatch(self) -> DispatchStats:
        for job in list(_before_dispatch):
            try:
                job(self.session_factory, settings=self.settings, clock=self.clock)
            except Exception:
                # Sending must not wait on another domain's trouble; the job's rows are retried next tick.
                log.exception("worker.before_dispatch_failed", job=getattr(job, "__name__", str(job)))
        stats = self.dispatcher.run()
        if stats.claimed or stats.recovered or stats.skipped:
            log.info("reminders.dispatched", **stats.as_dict())
        return stats

    def send_outbox(self) -> int:
        """Send queued account and thank-you emails until none is due."""
        total = 0
        while not self.stopping.is_set() and (
            sent := send_queued_messages(
                self.session_factory,
                provider=self.dispatcher.provider,
                settings=self.settings,
                clock=self.clock,
                batch_size=self.settings.scheduler_batch_size,
            )
        ):
            total += sent
        return total

    def deliver_webhooks(self) -> DeliveryStats:
        stats = self.deliverer.run()
        if stats.claimed or stats.recovered:
            log.info("webhooks.delivered", **{k: v for k, v in vars(stats).items() if k != "disabled_endpoints"})
        return stats

    def tick(self) -> TickReport:
        """What the schedule does each minute, in one call: for tests and simulations."""
        self.beat()
        planned = self.plan_if_due()
        dispatched = self.dispatch()
        return TickReport(planned, dispatched, self.send_outbox(), self.deliver_webhooks())

    def run_once(self) -> TickReport:
        """`duespark worker --once`: plan everything that needs it, send everything due, exit."""
        self.beat()
        planned = self.plan()
        dispatched = self.dispatch()
        return TickReport(planned, dispatched, self.send_outbox(), self.deliver_webhooks())

    def stop(self) -> None:
        """Ask the running jobs to stop within seconds; safe from a signal handler, and twice.

        The running dispatch claims nothing more, finishes and records the provider calls that are
        out (bounded by the provider's timeout) and gives its other claimed rows back to `pending`;
        the outbox sends no further batch.
        """
        self.stopping.set()

    def shutdown(self, *, timeout: float = SHUTDOWN_WAIT_SECONDS) -> bool:
        """stop(), end the scheduler, and wait for the jobs that were running to return.

        False when a job is still running after `timeout` (a provider call hanging past its own
        timeout): its rows then keep their lease and the next worker recovers them.
        """
        self.stop()
        scheduler = self.running_scheduler
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)
        with self._jobs_done:
            done = self._jobs_done.wait_for(lambda: self._running_jobs == 0, timeout=timeout)
        if not done:
            log.warning("worker.stop_timeout", running_jobs=self._running_jobs, waited_seconds=timeout)
        return done

    def _bound(self, job: TickJob) -> Callable[[], object]:
        return partial(job, self.session_factory, settings=self.settings, clock=self.clock)

    def _job(self, name: str, job: Callable[[], object]) -> Callable[[], None]:
        """A scheduled job: counted while it runs (shutdown waits for it), skipped once stopping."""
        logged = _logged(name, job)

        def run() -> None:
            with self._jobs_done:
                if self.stopping.is_set():
                    return
                self._running_jobs += 1
            try:
                logged()
            finally:
                with self._jobs_done:
                    self._running_jobs -= 1
                    self._jobs_done.notify_all()

        return run

    def scheduler(self, *, background: bool) -> BaseScheduler:
        scheduler: BaseScheduler = BackgroundScheduler(timezone=UTC) if background else BlockingScheduler(timezone=UTC)
        self.running_scheduler = scheduler
        start = self.clock.now()
        jobs: list[tuple[str, Callable[[], object], int]] = [
            ("heartbeat", self.beat, HEARTBEAT_SECONDS),
            ("plan", self.plan_if_due, 60),
            ("dispatch", self.dispatch, self.settings.worker_dispatch_seconds),
            ("outbox", self.send_outbox, self.settings.worker_dispatch_seconds),
            ("webhooks", self.deliver_webhooks, min(WEBHOOK_SECONDS, self.settings.worker_dispatch_seconds)),
            *((name, self._bound(job), seconds) for name, (job, seconds) in _periodic.items()),
        ]
        for name, job, seconds in jobs:
            scheduler.add_job(
                self._job(name, job),
                "interval",
                seconds=seconds,
                id=f"reminders.{name}",
                next_run_time=start,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
            )
        return scheduler


def _logged(name: str, job: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        try:
            with track_job(name):
                job()
        except Exception:
            # The next interval tries again; the rows in the database are the state, nothing is lost.
            log.exception("worker.job_failed", job=name)

    return run


def start_in_process_worker(settings: Settings, session_factory: sessionmaker[Session], clock: Clock) -> ReminderWorker:
    """The worker inside `duespark serve` (development default): one process does everything.

    The app's shutdown calls `shutdown_and_wait()`, so SIGTERM or Ctrl+C stops it within seconds."""
    worker = ReminderWorker(settings=settings, session_factory=session_factory, clock=clock)
    worker.scheduler(background=True).start()
    log.info("worker.started_in_process", worker_id=worker.worker_id)
    return worker
