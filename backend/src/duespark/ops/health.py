"""Readiness checks: can this process do its job right now? Each check reports status and latency."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Connection, Engine, func, inspect, select
from sqlalchemy.exc import SQLAlchemyError

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


def _probe_connection(engine: Engine) -> Connection:
    if engine.dialect.name == "sqlite":
        # No BEGIN IMMEDIATE: a probe must never queue behind a writer.
        return engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    return engine.connect()


def check_database(connection: Connection, timeout_seconds: float) -> CheckResult:
    timer = _Timer()
    try:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_seconds * 1000)}")
        connection.exec_driver_sql("SELECT 1").scalar_one()
    except SQLAlchemyError as exc:
        return CheckResult("database", False, True, timer.ms(), f"query failed: {exc.__class__.__name__}")
    latency = timer.ms()
    if latency > timeout_seconds * 1000:
        return CheckResult("database", False, True, latency, f"slower than {timeout_seconds} s")
    return CheckResult("database", True, True, latency, connection.dialect.name)


def check_migrations(connection: Connection) -> CheckResult:
    timer = _Timer()
    try:
        current = (
            connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            if inspect(connection).has_table("alembic_version")
            else None
        )
    except SQLAlchemyError as exc:
        return CheckResult("migrations", False, True, timer.ms(), f"cannot read revision: {exc.__class__.__name__}")
    head = head_revision()
    if current != head:
        detail = f"database at {current or 'no revision'}, code expects {head}: run `duespark migrate`"
        return CheckResult("migrations", False, True, timer.ms(), detail)
    return CheckResult("migrations", True, True, timer.ms(), f"at head {head}")


def _last_beat(connection: Connection) -> datetime | None:
    return connection.execute(select(func.max(WorkerHeartbeat.last_beat_at))).scalar_one()


def check_worker_heartbeat(connection: Connection, *, settings: Settings, clock: Clock) -> CheckResult:
    timer = _Timer()
    # An in-process worker lives and dies with this process; only separate workers can go missing unseen.
    required = not settings.worker_in_process
    try:
        last_beat = _last_beat(connection)
    except SQLAlchemyError as exc:
        return CheckResult("worker", False, required, timer.ms(), f"cannot read heartbeats: {exc.__class__.__name__}")
    if last_beat is None:
        return CheckResult("worker", False, required, timer.ms(), "no worker has reported yet: start `duespark worker`")
    age = (clock.now() - last_beat).total_seconds()
    limit = settings.worker_heartbeat_max_age_seconds
    if age > limit:
        return CheckResult("worker", False, required, timer.ms(), f"last heartbeat {age:.0f} s ago (limit {limit} s)")
    return CheckResult("worker", True, required, timer.ms(), f"last heartbeat {age:.0f} s ago")


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
    except redis.RedisError as exc:
        return CheckResult("redis", False, True, timer.ms(), f"ping failed: {exc.__class__.__name__}")
    finally:
        client.close()
    return CheckResult("redis", True, True, timer.ms(), "ping ok")


def run_checks(*, settings: Settings, engine: Engine, clock: Clock) -> ReadinessReport:
    """Every readiness check; the database-backed ones share one short-lived connection."""
    checks: list[CheckResult] = []
    worker_required = not settings.worker_in_process
    timer = _Timer()
    try:
        connection = _probe_connection(engine)
    except SQLAlchemyError as exc:
        connection = None
        checks.append(CheckResult("database", False, True, timer.ms(), f"cannot connect: {exc.__class__.__name__}"))
    if connection is not None:
        with connection:
            checks.append(check_database(connection, settings.ready_db_timeout_seconds))
            if checks[-1].ok:
                checks.append(check_migrations(connection))
                checks.append(check_worker_heartbeat(connection, settings=settings, clock=clock))
    if not checks[-1].ok and checks[-1].name == "database":
        checks.append(CheckResult("migrations", False, True, 0.0, "database unavailable"))
        checks.append(CheckResult("worker", False, worker_required, 0.0, "database unavailable"))
    checks.append(check_email(settings))
    if settings.redis_url:
        checks.append(check_redis(settings.redis_url, settings.ready_redis_timeout_seconds))
    return ReadinessReport(checks)


def heartbeat_age_seconds(engine: Engine, clock: Clock) -> float | None:
    """Seconds since the freshest worker heartbeat, for the scrape-time gauge (None: no worker yet)."""
    with _probe_connection(engine) as connection:
        last_beat = _last_beat(connection)
    return None if last_beat is None else max(0.0, (clock.now() - last_beat).total_seconds())
