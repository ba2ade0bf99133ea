"""Readiness checks: can this process do its job right now? Each check reports status and latency."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import anyio
import anyio.to_thread
from sqlalchemy import Connection, Engine, func, inspect, select

from duespark import migrate
from duespark.clock import Clock
from duespark.models import WorkerHeartbeat
from duespark.settings import Settings


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    required: bool
    latency_ms: float
    detail: str

    def as_json(self) -> dict[str, object]:
        status = "ok" if self.ok else ("fail" if self.required else "warn")
        return {"status": status, "required": self.required, "latency_ms": self.latency_ms, "detail": self.detail}


@dataclass(frozen=True)
class ReadinessReport:
    checks: list[CheckResult]

    @property
    def ready(self) -> bool:
        return all(check.ok or not check.required for check in self.checks)

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ok" if self.ready else "fail",
            "checks": {check.name: check.as_json() for check in self.checks},
        }


class _Timer:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 2)


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    return migrate.head_revision()


def check_database(connection: Connection, timeout_seconds: float) -> CheckResult:
    timer = _Timer()
    connection.exec_driver_sql("SELECT 1").scalar_one()
    latency = timer.ms()
    if latency > timeout_seconds * 1000:
        return CheckResult("database", False, True, latency, f"slower than {timeout_seconds} s")
    return CheckResult("database", True, True, latency, connection.dialect.name)


def check_migrations(connection: Connection) -> CheckResult:
    timer = _Timer()
    current = (
        connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        if inspect(connection).has_table("alembic_version")
        else None
    )
    head = head_revision()
    if current != head:
        detail = f"database at {current or 'no revision'}, code expects {head}: run `duespark migrate`"
        return CheckResult("migrations", False, True, timer.ms(), detail)
    return CheckResult("migrations", True, True, timer.ms(), f"at head {head}")


def _last_beat(connection: Connection) -> datetime | None:
    return connection.execute(select(func.max(WorkerHeartbeat.last_beat_at))).scalar_one()


def check_worker_heartbeat(connection: Connection, *, settings: Settings, clock: Clock) -> CheckResult:
    timer = _Timer()
    required = worker_required(settings)
    last_beat = _last_beat(connection)
    if last_beat is None:
        return CheckResult("worker", False, required, timer.ms(), "no worker has reported yet: start `duespark worker`")
    age = (clock.now() - last_beat).total_seconds()
    limit = settings.worker_heartbeat_max_age_seconds
    if age > limit:
        return CheckResult("worker", False, required, timer.ms(), f"last heartbeat {age:.0f} s ago (limit {limit} s)")
    return CheckResult("worker", True, required, timer.ms(), f"last heartbeat {age:.0f} s ago")


def worker_required(settings: Settings) -> bool:
    # An in-process worker lives and dies with this process; only separate workers can go missing unseen.
    return not settings.worker_in_process


def email_problems(settings: Settings) -> list[str]:
    problems: list[str] = []
    # The development outbox writes files from each account's own address; real providers need a sender.
    if not settings.email_from and settings.email_provider not in ("console", "file"):
        problems.append("DUESPARK_EMAIL_FROM is missing")
    if settings.email_provider == "postmark" and not settings.postmark_server_token:
        problems.append("DUESPARK_POSTMARK_SERVER_TOKEN is missing")
    if settings.email_provider == "smtp" and not settings.smtp_host:
        problems.append("DUESPARK_SMTP_HOST is missing")
    if settings.is_production and settings.email_provider in ("console", "file"):
        problems.append(f"provider {settings.email_provider!r} delivers nothing")
    return problems


def check_email(settings: Settings) -> CheckResult:
    timer = _Timer()
    problems = email_problems(settings)
    if problems:
        return CheckResult("email", False, True, timer.ms(), "; ".join(problems))
    return CheckResult("email", True, True, timer.ms(), settings.email_provider)


def check_redis(redis_url: str, timeout_seconds: float) -> CheckResult:
    import redis

    timer = _Timer()
    client = redis.Redis.from_url(redis_url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds)
    try:
        client.ping()
    finally:
        client.close()
    return CheckResult("redis", True, True, timer.ms(), "ping ok")


def _guarded(name: str, required: bool, failure: str, check: Callable[[], CheckResult]) -> CheckResult:
    """Run one check; whatever it raises (a driver error, a pool timeout, a bug) is that check failing,
    named, never an error of the endpoint."""
    timer = _Timer()
    try:
        return check()
    except Exception as exc:
        return CheckResult(name, False, required, timer.ms(), f"{failure}: {_name(exc)}")


class Readiness:
    """One run of every check. Results are kept as they come, so a run cut off by its deadline still
    names the checks that answered and the one that did not."""

    def __init__(self, *, settings: Settings, engine: Engine, clock: Clock) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.checks: list[CheckResult] = []

    @property
    def expected(self) -> list[tuple[str, bool]]:
        """The name of every check this run makes, in order, and whether it is required."""
        names = [("database", True), ("migrations", True), ("worker", worker_required(self.settings)), ("email", True)]
        return names + ([("redis", True)] if self.settings.redis_url else [])

    def run(self) -> ReadinessReport:
        self._database_checks()
        self.checks.append(_guarded("email", True, "cannot check", lambda: check_email(self.settings)))
        if self.settings.redis_url:
            redis_url, timeout = self.settings.redis_url, self.settings.ready_redis_timeout_seconds
            self.checks.append(_guarded("redis", True, "ping failed", lambda: check_redis(redis_url, timeout)))
        return self.report()

    def _database_checks(self) -> None:
        """The database-backed checks share one short-lived connection."""
        settings = self.settings
        required = worker_required(settings)
        timer = _Timer()
        try:
            connection = self.engine.connect()
        except Exception as exc:
            self.checks.append(CheckResult("database", False, True, timer.ms(), f"cannot connect: {_name(exc)}"))
            self._database_unavailable(required)
            return
        try:
            timeout = settings.ready_db_timeout_seconds
            self.checks.append(_guarded("database", True, "query failed", lambda: check_database(connection, timeout)))
            if not self.checks[-1].ok:
                self._database_unavailable(required)
                return
            self.checks.append(
                _guarded("migrations", True, "cannot read revision", lambda: check_migrations(connection))
            )
            self.checks.append(
                _guarded(
                    "worker",
                    required,
                    "cannot read heartbeats",
                    lambda: check_worker_heartbeat(connection, settings=settings, clock=self.clock),
                )
            )
        finally:
            _close_quietly(connection)

    def _database_unavailable(self, worker_is_required: bool) -> None:
        self.checks.append(CheckResult("migrations", False, True, 0.0, "database unavailable"))
        self.checks.append(CheckResult("worker", False, worker_is_required, 0.0, "database unavailable"))

    def report(self, *, cut_off_after: float | None = None) -> ReadinessReport:
        """The checks so far; with `cut_off_after`, the first missing check is the one that did not answer."""
        checks = list(self.checks)
        if cut_off_after is not None:
            done = {check.name for check in checks}
            missing = [(name, required) for name, required in self.expected if name not in done]
            for index, (name, required) in enumerate(missing):
                detail = f"no answer within {cut_off_after} s" if index == 0 else "not checked: ran out of time"
                checks.append(CheckResult(name, False, required, cut_off_after * 1000 if index == 0 else 0.0, detail))
        return ReadinessReport(checks)


def _name(exc: Exception) -> str:
    return exc.__class__.__name__


def _close_quietly(connection: Connection) -> None:
    # The database may drop the connection mid-probe; the pool then discards it, and the checks have spoken.
    with contextlib.suppress(Exception):
        connection.close()


def run_checks(*, settings: Settings, engine: Engine, clock: Clock) -> ReadinessReport:
    """Every readiness check. Never raises: anything that goes wrong is a failed check, by name."""
    return Readiness(settings=settings, engine=engine, clock=clock).run()


async def run_checks_within(
    deadline_seconds: float, *, settings: Settings, engine: Engine, clock: Clock
) -> ReadinessReport:
    """`run_checks` in a worker thread, answering by the deadline whatever hangs (a database that accepts
    connections but never replies, a thread pool busy with requests waiting for the database)."""
    readiness = Readiness(settings=settings, engine=engine, clock=clock)
    try:
        with anyio.fail_after(deadline_seconds):
            return await anyio.to_thread.run_sync(readiness.run, abandon_on_cancel=True)
    except TimeoutError:
        return readiness.report(cut_off_after=deadline_seconds)


def heartbeat_age_seconds(engine: Engine, clock: Clock) -> float | None:
    """Seconds since the freshest worker heartbeat, for the scrape-time gauge (None: no worker yet)."""
    with engine.connect() as connection:
        last_beat = _last_beat(connection)
    return None if last_beat is None else max(0.0, (clock.now() - last_beat).total_seconds())


# --- check-config: what would fail clients, beyond what keeps the service up ----------------------


def delivery_warning(settings: Settings) -> str | None:
    """The `file` and `console` providers deliver nothing; fine for a trial, never for live accounts.

    In production they are already refused by `production_problems`; elsewhere this is a warning."""
    if settings.email_provider == "file":
        return (
            f"DUESPARK_EMAIL_PROVIDER is 'file': emails are written to {settings.data_dir / 'outbox'} and no "
            "client ever receives one. Set smtp, postmark or ses before any account goes live."
        )
    if settings.email_provider == "console":
        return (
            "DUESPARK_EMAIL_PROVIDER is 'console': emails are printed to the log and no client ever receives "
            "one. Set smtp, postmark or ses before any account goes live."
        )
    return None


@dataclass(frozen=True)
class LiveAccountFindings:
    live: int
    unpayable: int


def live_account_findings(connection: Connection, settings: Settings) -> LiveAccountFindings:
    """How many accounts send to clients, and how many of those give clients no way to pay."""
    from duespark.models import Account, BankAccount, StripeConnection

    live = connection.scalar(select(func.count()).select_from(Account).where(Account.test_mode.is_(False))) or 0
    unpayable = 0
    if live and not settings.stripe_secret_key:
        no_instructions = func.coalesce(func.trim(Account.payment_instructions), "") == ""
        no_stripe = ~select(StripeConnection.id).where(StripeConnection.account_id == Account.id).exists()
        no_bank = ~select(BankAccount.id).where(BankAccount.account_id == Account.id).exists()
        unpayable = (
            connection.scalar(
                select(func.count())
                .select_from(Account)
                .where(Account.test_mode.is_(False), no_instructions, no_stripe, no_bank)
            )
            or 0
        )
    return LiveAccountFindings(live=live, unpayable=unpayable)


def live_account_problems(findings: LiveAccountFindings, settings: Settings) -> tuple[list[str], list[str]]:
    """(failures, warnings) about live accounts. Live accounts on a provider that delivers nothing are a
    failure in production (their clients get nothing) and a warning elsewhere (a trial on one machine)."""
    failures: list[str] = []
    warnings: list[str] = []
    if findings.live and settings.email_provider in ("file", "console"):
        message = (
            f"{findings.live} live account(s) send reminders through '{settings.email_provider}', "
            "which delivers nothing: their clients receive no email"
        )
        (failures if settings.is_production else warnings).append(message)
    if findings.unpayable:
        warnings.append(
            f"{findings.unpayable} live account(s) have no bank account, payment instructions or Stripe: their "
            "clients' pay links only offer to email the sender"
        )
    return failures, warnings
