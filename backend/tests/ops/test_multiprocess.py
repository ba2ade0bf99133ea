"""Several API and worker processes on one PostgreSQL database and one Redis, as in production."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from duespark.db import make_engine
from duespark.models import WorkerHeartbeat
from tests.conftest import TEST_SECRET, create_postgres_database, drop_postgres_database

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
SRC = Path(__file__).resolve().parents[2] / "src"
STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ApiProcess:
    def __init__(self, env: dict[str, str], log_path: Path, *args: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        command = [sys.executable, "-m", "duespark", "serve", "--host", "127.0.0.1", "--port", str(self.port), *args]
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)

    def wait_healthy(self) -> int:
        """Wait for the first answer to /health; returns how many /health requests were answered (1)."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited with {self.process.returncode}:\n{self.log_path.read_text()}")
            try:
                response = httpx.get(f"{self.url}/health", timeout=1)
            except httpx.TransportError:
                time.sleep(0.1)
                continue
            assert response.status_code == 200
            return 1
        raise AssertionError(f"serve did not answer within {STARTUP_SECONDS} s:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def stack_env(tmp_path, postgres_server_url, redis_url) -> Iterator[dict[str, str]]:
    database_url = create_postgres_database(postgres_server_url)
    prefix = f"duespark-mp-{uuid.uuid4().hex[:8]}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DUESPARK_", "PROMETHEUS_"))},
        "PYTHONPATH": str(SRC),
        "DUESPARK_ENV": "test",
        "DUESPARK_DATA_DIR": str(tmp_path / "data"),
        "DUESPARK_DATABASE_URL": database_url,
        "DUESPARK_SECRET_KEY": TEST_SECRET,
        "DUESPARK_REDIS_URL": redis_url,
        "DUESPARK_RATE_LIMIT_PREFIX": prefix,
        "DUESPARK_RATE_LIMIT_SIGN_IN": "4/minute",
        "DUESPARK_EMAIL_FROM": "reminders@duespark.test",
        "DUESPARK_ARGON2_TIME_COST": "1",
        "DUESPARK_ARGON2_MEMORY_KIB": "1024",
        "DUESPARK_RUN_WORKER_IN_PROCESS": "false",
        "DUESPARK_LOG_JSON": "true",
    }
    yield env
    connection = redis.Redis.from_url(redis_url)
    for key in connection.scan_iter(f"{prefix}*"):
        connection.delete(key)
    drop_postgres_database(postgres_server_url, database_url)


def _beat(database_url: str) -> None:
    engine = make_engine(database_url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            WorkerHeartbeat.__table__.insert().values(
                worker_id="test-worker", hostname="box", pid=1, started_at=now, last_beat_at=now
            )
        )
    engine.dispose()


def test_two_api_processes_share_one_database_and_redis(stack_env, tmp_path):
    first = ApiProcess(stack_env, tmp_path / "api1.log")
    processes = [first]
    try:
        first.wait_healthy()  # it migrated the database; the second one finds it at head
        second = ApiProcess(stack_env, tmp_path / "api2.log", "--no-migrate")
        processes.append(second)
        second.wait_healthy()

        not_ready = httpx.get(f"{second.url}/ready", timeout=5)
        assert not_ready.status_code == 503
        assert not_ready.json()["checks"]["worker"]["status"] == "fail"
        _beat(stack_env["DUESPARK_DATABASE_URL"])
        for api in processes:
            ready = httpx.get(f"{api.url}/ready", timeout=5)
            assert ready.status_code == 200, ready.text
            assert {name: c["status"] for name, c in ready.json()["checks"].items()} == {
                "database": "ok",
                "migrations": "ok",
                "worker": "ok",
                "email": "ok",
                "redis": "ok",
            }

        # A user registered through one process signs in through the other: one database.
        created = httpx.post(
            f"{first.url}/api/auth/register",
            json={"email": "ada@example.com", "password": "correct horse battery", "name": "Ada"},
        )
        assert created.status_code == 201, created.text
        signed_in = httpx.post(
            f"{second.url}/api/auth/login", json={"email": "ada@example.com", "password": "correct horse battery"}
        )
        assert signed_in.status_code == 200

        # The sign-in limit (4/minute per address) is counted in Redis across both processes.
        statuses = [
            httpx.post(
                f"{api.url}/api/auth/login", json={"email": "x@example.com", "password": "nope nope"}
            ).status_code
            for api in (first, second, first)
        ]
        assert statuses == [401, 401, 401]  # plus Ada's sign-in: 4 from 127.0.0.1
        for api in processes:
            limited = httpx.post(f"{api.url}/api/auth/login", json={"email": "x@example.com", "password": "nope"})
            assert limited.status_code == 429
            assert int(limited.headers["Retry-After"]) >= 1

        # Each process serves its own metrics to a loopback scraper, with the request id in its JSON logs.
        metrics = httpx.get(f"{second.url}/metrics", timeout=5)
        assert metrics.status_code == 200
        names = {family.name for family in text_string_to_metric_families(metrics.text)}
        assert {"duespark_http_requests", "duespark_worker_heartbeat_age_seconds"} <= names
        traced = httpx.get(f"{first.url}/health", headers={"X-Request-ID": "trace-me-123"})
        assert traced.headers["X-Request-ID"] == "trace-me-123"
    finally:
        for api in processes:
            api.stop()
    assert '"request_id": "trace-me-123"' in first.log_path.read_text()


def test_serve_with_two_workers_sums_metrics_across_processes(stack_env, tmp_path):
    api = ApiProcess(stack_env, tmp_path / "api.log", "--workers", "2")
    metrics_dir = Path(stack_env["DUESPARK_DATA_DIR"]) / "prometheus"
    try:
        answered = api.wait_healthy()
        # New connections are spread over both processes; go on until each has counted something.
        deadline = time.monotonic() + STARTUP_SECONDS
        while len(list(metrics_dir.glob("counter_*.db"))) < 2 or answered < 20:
            assert time.monotonic() < deadline, "the second worker process never answered"
            response = httpx.get(f"{api.url}/health", headers={"Connection": "close"})
            assert response.status_code == 200
            answered += 1
        scrape = httpx.get(f"{api.url}/metrics").text
    finally:
        api.stop()
    families = {family.name: family.samples for family in text_string_to_metric_families(scrape)}
    counted = sum(
        s.value
        for s in families["duespark_http_requests"]
        if s.name.endswith("_total") and s.labels["route"] == "/health"
    )
    assert counted == answered


class WorkerProcess:
    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "duespark", "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _wait_for(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_two_apis_and_two_workers_send_each_reminder_once(stack_env, tmp_path):
    """The production shape: reminders are planned and sent once across two workers, and both APIs are ready."""
    from sqlalchemy import func, select

    from duespark.models import Message, Reminder

    env = {**stack_env, "DUESPARK_WORKER_DISPATCH_SECONDS": "1", "DUESPARK_EMAIL_PROVIDER": "file"}
    apis = [ApiProcess(env, tmp_path / "api1.log")]
    workers: list[WorkerProcess] = []
    engine = make_engine(env["DUESPARK_DATABASE_URL"])
    try:
        apis[0].wait_healthy()
        apis.append(ApiProcess(env, tmp_path / "api2.log", "--no-migrate"))
        apis[1].wait_healthy()
        registered = httpx.post(
            f"{apis[0].url}/api/auth/register",
            json={"email": "ada@example.com", "password": "correct horse battery", "name": "Ada"},
        )
        headers = {"Authorization": f"Bearer {registered.json()['access_token']}"}
        # Every hour of every day is business hours, so the test does not depend on when it runs.
        policy = {
            "steps": [{"offset_days": -3, "template_key": "friendly"}, {"offset_days": 7, "template_key": "firm"}],
            "send_window": {"start": "00:00", "end": "23:59", "weekdays": [1, 2, 3, 4, 5, 6, 7]},
        }
        assert httpx.put(f"{apis[1].url}/api/reminder-policy", json=policy, headers=headers).status_code == 200
        # Going live needs a way for clients to pay (invariant 14).
        instructions = {"payment_instructions": "IBAN DE02 1203 0000 0000 2020 51"}
        assert httpx.patch(f"{apis[1].url}/api/account", json=instructions, headers=headers).status_code == 200
        live = httpx.post(f"{apis[0].url}/api/account/go-live", headers=headers, json={"confirm": True})
        assert live.status_code == 200
        today = datetime.now(UTC).date()
        for n in range(24):
            api = apis[n % 2]
            client_id = httpx.post(
                f"{api.url}/api/clients", json={"name": f"Client {n}", "email": f"c{n}@example.com"}, headers=headers
            ).json()["id"]
            invoice = httpx.post(
                f"{api.url}/api/invoices",
                json={
                    "client_id": client_id,
                    "number": f"INV-{n}",
                    "amount": "100.00",
                    "issue_date": str(today),
                    "due_date": str(today + timedelta(days=3)),
                },
                headers=headers,
            )
            assert invoice.status_code == 201, invoice.text

        workers = [WorkerProcess(env, tmp_path / f"worker{n}.log") for n in (1, 2)]

        def sent_reminders() -> int:
            with engine.connect() as conn:
                return conn.scalar(select(func.count()).select_from(Reminder).where(Reminder.state == "sent"))

        _wait_for(lambda: sent_reminders() == 24, seconds=60, what="24 reminders sent")
        time.sleep(2)  # a few more ticks by both workers: nothing is sent again
        with engine.connect() as conn:
            per_reminder = conn.execute(
                select(Message.reminder_id, func.count())
                .where(Message.kind == "reminder")
                .group_by(Message.reminder_id)
            ).all()
            heartbeats = conn.scalar(select(func.count()).select_from(WorkerHeartbeat))
            sent = select(Message.kind, func.count()).where(Message.sent_at.is_not(None)).group_by(Message.kind)
            kinds = dict(conn.execute(sent).all())
        assert len(per_reminder) == 24 and {count for _, count in per_reminder} == {1}
        # One file per sent message, whatever else the workers queued (the verify email; a digest if 07:00 UTC
        # passed between sign-up and now): no message was written twice.
        assert kinds["reminder"] == 24
        assert len(list((Path(env["DUESPARK_DATA_DIR"]) / "outbox").glob("*.eml"))) == sum(kinds.values())
        assert heartbeats == 2
        for api in apis:
            ready = httpx.get(f"{api.url}/ready", timeout=5)
            assert ready.status_code == 200, ready.text
    finally:
        for process in [*workers, *apis]:
            process.stop()
        engine.dispose()
