"""PostgreSQL restarted under load and Redis stopped, on servers this test starts itself.

A real `duespark serve` and a real `duespark worker` run against them. While the database is
down the API says 503 on /ready (never 500) and keeps answering /health; when it is back, both
recover on their own, without a restart. Without Redis /ready says 503, and a worker plans
under the database lock instead of stopping.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text

from duespark.clock import SystemClock
from duespark.db import make_engine, make_session_factory, transaction
from duespark.models import Reminder, SchedulerLock
from duespark.reminders.planner import plan
from duespark.reminders.worker import PLAN_LOCK, ReminderWorker
from tests.conftest import TEST_SECRET, make_test_settings
from tests.faults.services import OwnPostgres, OwnRedis, free_port
from tests.helpers import make_account, make_client, make_invoice
from tests.reminders.support import RecordingProvider

pytestmark = pytest.mark.faults

BACKEND = Path(__file__).resolve().parents[2]
RECOVERY_SECONDS = 30


@pytest.fixture(scope="module")
def postgres() -> Iterator[OwnPostgres]:
    server = OwnPostgres()
    yield server
    server.close()


@pytest.fixture(scope="module")
def redis_server() -> Iterator[OwnRedis]:
    server = OwnRedis()
    yield server
    server.close()


@pytest.fixture
def database_url(postgres: OwnPostgres) -> str:
    admin = make_engine(postgres.url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("DROP DATABASE IF EXISTS duespark WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE duespark"))
    admin.dispose()
    return postgres.url.rsplit("/", 1)[0] + "/duespark"


def _process(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "duespark", *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_until(condition: Callable[[], bool], what: str, seconds: float = RECOVERY_SECONDS) -> float:
    """Seconds it took for `condition` to hold."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"{what} did not happen within {seconds} s"
        time.sleep(0.2)
    return time.monotonic() - started


def _ready_status(url: str) -> int:
    try:
        return httpx.get(f"{url}/ready", timeout=5).status_code
    except httpx.TransportError:
        return 0


class Load:
    """Threads calling /health, /ready and an invoice list without pause; every status is counted."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.headers = {"Authorization": f"Bearer {token}"}
        self.statuses: dict[str, Counter[int]] = {"/health": Counter(), "/ready": Counter(), "/api/invoices": Counter()}
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(path,)) for path in self.statuses]

    def _run(self, path: str) -> None:
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=10) as client:
            while not self.stopping.is_set():
                try:
                    status = client.get(path).status_code
                except httpx.TransportError:
                    status = 0
                self.statuses[path][status] += 1

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()


def _due_reminder(database_url: str) -> int:
    """A reminder due now, for an account that sends around the clock."""
    clock = SystemClock()
    engine = make_engine(database_url)
    with transaction(make_session_factory(engine)) as session:
        account = make_account(session, clock=clock, name=f"After restart {time.monotonic()}")
        account.send_window_start, account.send_window_end, account.send_weekdays = 0, 1440, "1234567"
        client = make_client(session, account=account, clock=clock)
        invoice = make_invoice(session, client=client, clock=clock, due_date=datetime.now(UTC).date())
        plan(session, clock=clock)
        # Of the steps already due, catch-up sends the latest.
        reminder_id = session.scalar(
            select(Reminder.id)
            .where(Reminder.invoice_id == invoice.id, Reminder.scheduled_for <= clock.now())
            .order_by(Reminder.scheduled_for.desc(), Reminder.offset_days.desc())
            .limit(1)
        )
    engine.dispose()
    assert reminder_id is not None
    return reminder_id


def _reminder_state(database_url: str, reminder_id: int) -> str:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        state = conn.scalar(select(Reminder.state).where(Reminder.id == reminder_id))
    engine.dispose()
    return state


def test_api_and_worker_recover_from_a_postgres_restart_and_a_redis_stop(
    postgres, redis_server, database_url, tmp_path
):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DUESPARK_", "PROMETHEUS_"))},
        "PYTHONPATH": str(BACKEND / "src"),
        "DUESPARK_ENV": "test",
        "DUESPARK_DATA_DIR": str(tmp_path / "data"),
        "DUESPARK_DATABASE_URL": database_url,
        "DUESPARK_REDIS_URL": redis_server.url,
        "DUESPARK_SECRET_KEY": TEST_SECRET,
        "DUESPARK_EMAIL_FROM": "reminders@duespark.test",
        "DUESPARK_ARGON2_TIME_COST": "1",
        "DUESPARK_ARGON2_MEMORY_KIB": "1024",
        "DUESPARK_RUN_WORKER_IN_PROCESS": "false",
        "DUESPARK_WORKER_DISPATCH_SECONDS": "1",
    }
    api = _process(env, tmp_path / "api.log", "serve", "--host", "127.0.0.1", "--port", str(port))
    worker = None
    try:
        _wait_until(lambda: _health(url), "the API starting")
        worker = _process(env, tmp_path / "worker.log", "worker")
        _wait_until(lambda: _ready_status(url) == 200, "readiness with a running worker")
        httpx.post(
            f"{url}/api/auth/register",
            json={"email": "ada@example.com", "password": "correct horse battery", "name": "Ada"},
        ).raise_for_status()
        token = httpx.post(
            f"{url}/api/auth/login", json={"email": "ada@example.com", "password": "correct horse battery"}
        ).json()["access_token"]

        with Load(url, token) as load:
            time.sleep(1)
            postgres.stop()
            down = _wait_until(lambda: _ready_status(url) == 503, "503 on /ready with the database down", 10)
            assert _health(url), "liveness does not depend on the database"
            time.sleep(2)
            postgres.start()
            back = _wait_until(lambda: _ready_status(url) == 200, "/ready recovering after the restart")
            time.sleep(1)
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        # The worker, never restarted, sends a reminder made after the database came back.
        reminder_id = _due_reminder(database_url)
        _wait_until(lambda: _reminder_state(database_url, reminder_id) == "sent", "the worker sending again")
        seen = {path: dict(counts) for path, counts in load.statuses.items()}
        print(f"\nPostgreSQL restart: /ready 503 after {down:.1f} s, 200 again {back:.1f} s after the start; {seen}")
        assert load.statuses["/health"].keys() == {200}
        assert load.statuses["/ready"].keys() <= {200, 503} and load.statuses["/ready"][503] > 0
        # The invoice list answers 503 while the database is away, then 200 again; never a 500, a hang
        # or a dropped connection.
        assert load.statuses["/api/invoices"].keys() <= {200, 503}, (tmp_path / "api.log").read_text()[-5000:]
        assert load.statuses["/api/invoices"][200] > 0
        assert httpx.get(f"{url}/api/invoices", headers=load.headers).status_code == 200

        redis_server.stop()
        _wait_until(lambda: _ready_status(url) == 503, "503 on /ready with Redis down", 10)
        assert httpx.get(f"{url}/ready").json()["checks"]["redis"]["status"] == "fail"
        assert httpx.get(f"{url}/api/invoices", headers=load.headers).status_code == 200
        _plans_under_the_database_lock(env, tmp_path)
        redis_server.start()
        _wait_until(lambda: _ready_status(url) == 200, "/ready recovering after Redis is back")
    finally:
        for process in (api, worker):
            if process is not None:
                _stop(process)


def _health(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _plans_under_the_database_lock(env: dict[str, str], tmp_path: Path) -> None:
    settings = make_test_settings(tmp_path, env["DUESPARK_DATABASE_URL"], redis_url=env["DUESPARK_REDIS_URL"])
    engine = make_engine(settings.database_url_or_default)
    factory = make_session_factory(engine)
    worker = ReminderWorker(
        settings=settings,
        session_factory=factory,
        clock=SystemClock(),
        provider=RecordingProvider(),
        worker_id="no-redis",
    )
    assert worker.plan_if_due() is not None, "planning goes on without Redis"
    with factory() as session:
        assert session.scalar(select(SchedulerLock.holder).where(SchedulerLock.name == PLAN_LOCK)) == "no-redis"
    assert worker.plan_if_due() is None, "and the database lock still holds the window"
    engine.dispose()
