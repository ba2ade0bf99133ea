from __future__ import annotations

import threading

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError

from duespark.app import create_app
from duespark.db import make_engine
from duespark.ops import health
from tests.conftest import make_test_settings
from tests.ops.data import beat


def _client(tmp_path, url, clock, **overrides) -> TestClient:
    return TestClient(create_app(make_test_settings(tmp_path, url, **overrides), clock))


def test_health_answers_without_touching_the_database(tmp_path, clock):
    client = _client(tmp_path, "postgresql://nobody@127.0.0.1:1/none", clock)
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.headers["Cache-Control"] == "no-store"


def test_ready_green_with_fresh_heartbeat(tmp_path, clock, committed_url, committed_engine):
    beat(committed_engine, clock, seconds_ago=20)
    response = _client(tmp_path, committed_url, clock).get("/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "worker", "email"}
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert isinstance(check["latency_ms"], float)
    assert body["checks"]["worker"]["detail"] == "last heartbeat 20 s ago"
    assert body["checks"]["migrations"]["detail"].startswith("at head ")


def test_ready_fails_on_stale_or_missing_heartbeat(tmp_path, clock, committed_url, committed_engine):
    client = _client(tmp_path, committed_url, clock, worker_heartbeat_max_age_seconds=120)
    missing = client.get("/ready")
    assert missing.status_code == 503
    assert missing.json()["checks"]["worker"]["status"] == "fail"
    assert "no worker" in missing.json()["checks"]["worker"]["detail"]

    beat(committed_engine, clock, seconds_ago=121)
    stale = client.get("/ready")
    assert stale.status_code == 503
    assert stale.json()["checks"]["worker"]["detail"] == "last heartbeat 121 s ago (limit 120 s)"
    # The freshest of several workers counts.
    beat(committed_engine, clock, seconds_ago=5, worker_id="worker-2")
    assert client.get("/ready").status_code == 200


def test_in_process_worker_heartbeat_is_reported_but_not_required(tmp_path, clock, committed_url, committed_engine):
    response = _client(tmp_path, committed_url, clock, run_worker_in_process=True).get("/ready")
    assert response.status_code == 200
    worker = response.json()["checks"]["worker"]
    assert worker == worker | {"status": "warn", "required": False}


def test_ready_fails_when_migrations_are_behind(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    make_engine(url).dispose()
    response = _client(tmp_path, url, clock).get("/ready")
    assert response.status_code == 503
    migrations = response.json()["checks"]["migrations"]
    assert migrations["status"] == "fail"
    assert "no revision" in migrations["detail"] and "duespark migrate" in migrations["detail"]


def test_ready_fails_when_database_unreachable(tmp_path, clock):
    response = _client(tmp_path, "postgresql://nobody@127.0.0.1:1/none", clock).get("/ready")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["status"] == "fail"
    assert checks["database"]["detail"].startswith("cannot connect")
    assert checks["migrations"]["detail"] == "database unavailable"
    assert checks["email"]["status"] == "ok"


def test_ready_fails_when_email_provider_is_not_configured(tmp_path, clock, committed_url, committed_engine):
    beat(committed_engine, clock, seconds_ago=1)
    client = _client(tmp_path, committed_url, clock, email_provider="postmark", postmark_server_token=None)
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["email"]["detail"] == "DUESPARK_POSTMARK_SERVER_TOKEN is missing"


@pytest.mark.redis
def test_ready_checks_redis_when_configured(tmp_path, clock, committed_url, committed_engine, redis_url):
    beat(committed_engine, clock, seconds_ago=1)
    good = _client(tmp_path, committed_url, clock, redis_url=redis_url).get("/ready")
    assert good.status_code == 200
    assert good.json()["checks"]["redis"]["status"] == "ok"

    down = _client(tmp_path, committed_url, clock, redis_url="redis://127.0.0.1:1/0", rate_limit_enabled=False)
    response = down.get("/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["detail"].startswith("ping failed")


def test_development_outbox_needs_no_sender_address_but_real_providers_do(
    tmp_path, clock, committed_url, committed_engine
):
    """`make run` is ready out of the box; an SMTP server without a From address is not."""
    beat(committed_engine, clock, seconds_ago=1)
    outbox = _client(tmp_path, committed_url, clock, email_provider="file", email_from=None)
    assert outbox.get("/ready").json()["checks"]["email"]["status"] == "ok"
    smtp = _client(tmp_path, committed_url, clock, email_provider="smtp", email_from=None)
    assert smtp.get("/ready").json()["checks"]["email"]["detail"] == "DUESPARK_EMAIL_FROM is missing"


def _admin_shutdown() -> OperationalError:
    """What psycopg raises, wrapped by SQLAlchemy, on a connection PostgreSQL terminates while shutting down."""
    return OperationalError(
        "ROLLBACK", {}, psycopg.errors.AdminShutdown("terminating connection due to administrator command")
    )


def test_ready_is_503_when_the_database_drops_the_probe_mid_check(
    tmp_path, clock, committed_url, committed_engine, monkeypatch
):
    """The CI failure: PostgreSQL stopped between the checks; closing the probe connection raised too (a 500)."""
    beat(committed_engine, clock, seconds_ago=1)
    client = _client(tmp_path, committed_url, clock)

    def dropped(*_args, **_kwargs):
        raise _admin_shutdown()

    monkeypatch.setattr(health, "check_worker_heartbeat", dropped)
    monkeypatch.setattr(Connection, "close", dropped)
    response = client.get("/ready")
    monkeypatch.undo()

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["status"] == "ok"
    assert checks["worker"] == checks["worker"] | {
        "status": "fail",
        "detail": "cannot read heartbeats: OperationalError",
    }
    assert client.get("/ready").status_code == 200, "the next probe gets a working connection"


class _Unconnectable:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def connect(self):
        raise self.error


@pytest.mark.parametrize(
    "error",
    [
        _admin_shutdown(),
        SQLAlchemyTimeoutError("QueuePool limit of size 1 overflow 4 reached, connection timed out"),
        psycopg.OperationalError("connection refused"),
        ConnectionRefusedError(111, "Connection refused"),
        RuntimeError("anything else"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_ready_is_503_naming_the_database_whatever_connecting_raises(tmp_path, clock, error):
    client = _client(tmp_path, f"sqlite:///{tmp_path / 'unused.db'}", clock)
    client.app.state.probe_engine = _Unconnectable(error)
    response = client.get("/ready")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["detail"] == f"cannot connect: {type(error).__name__}"
    assert checks["migrations"]["detail"] == checks["worker"]["detail"] == "database unavailable"


def test_ready_answers_by_its_deadline_naming_the_check_that_hangs(
    tmp_path, clock, committed_url, committed_engine, monkeypatch
):
    beat(committed_engine, clock, seconds_ago=1)
    client = _client(tmp_path, committed_url, clock, ready_timeout_seconds=0.2, redis_url="redis://127.0.0.1:1/0")
    released = threading.Event()

    def hangs(_settings):
        released.wait(30)
        raise AssertionError("released")

    monkeypatch.setattr(health, "check_email", hangs)
    try:
        response = client.get("/ready")
    finally:
        released.set()
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert [checks[name]["status"] for name in ("database", "migrations", "worker")] == ["ok", "ok", "ok"]
    assert checks["email"] == checks["email"] | {"status": "fail", "detail": "no answer within 0.2 s"}
    assert checks["redis"] == checks["redis"] | {"status": "fail", "detail": "not checked: ran out of time"}
