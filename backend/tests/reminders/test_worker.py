"""Leader locks (database and real Redis), heartbeats, the CLI and the in-process worker."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from duespark.app import create_app
from duespark.cli import app as cli
from duespark.clock import FixedClock
from duespark.models import Reminder, WorkerHeartbeat
from duespark.reminders.worker import (
    PLAN_INTERVAL,
    DatabaseLeaderLock,
    FallbackLeaderLock,
    RedisLeaderLock,
    ReminderWorker,
    latest_heartbeat_age,
    window_end,
)
from tests.conftest import TEST_NOW, make_test_settings
from tests.reminders.support import RecordingProvider, make_world


def test_window_end_is_aligned():
    assert window_end(datetime(2026, 11, 25, 10, 7, tzinfo=UTC), PLAN_INTERVAL) == datetime(
        2026, 11, 25, 12, tzinfo=UTC
    )
    assert window_end(datetime(2026, 11, 25, 12, tzinfo=UTC), PLAN_INTERVAL) == datetime(2026, 11, 25, 18, tzinfo=UTC)


def check_lock(lock, name: str) -> None:
    now = TEST_NOW
    until = window_end(now, PLAN_INTERVAL)
    assert lock.acquire(name, holder="a", now=now, until=until)
    assert not lock.acquire(name, holder="b", now=now, until=until)
    assert not lock.acquire(name, holder="a", now=now + timedelta(hours=1), until=until)  # once per window
    later = until + timedelta(seconds=1)
    assert lock.acquire(name, holder="b", now=later, until=window_end(later, PLAN_INTERVAL))
    assert not lock.acquire(name, holder="a", now=later, until=window_end(later, PLAN_INTERVAL))
    assert lock.acquire("another-job", holder="a", now=later, until=window_end(later, PLAN_INTERVAL))


def test_database_lock_once_per_window(db):
    check_lock(DatabaseLeaderLock(db.factory), "reminders.plan")


@pytest.mark.redis
def test_redis_lock_once_per_window(redis_url):
    client = redis.Redis.from_url(redis_url)
    prefix = f"duespark-test:{uuid.uuid4().hex}:"
    try:
        check_lock(RedisLeaderLock(client, prefix=prefix), "reminders.plan")
        keys = client.keys(f"{prefix}*")
        assert len(keys) == 3
        assert all(0 < client.pttl(key) <= PLAN_INTERVAL.total_seconds() * 1000 for key in keys)
    finally:
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


@pytest.mark.redis
def test_workers_with_redis_plan_once_per_window(db, tmp_path, redis_url):
    settings = make_test_settings(tmp_path, db.url, redis_url=redis_url)
    clock = FixedClock(TEST_NOW + timedelta(days=uuid.uuid4().int % 10_000))  # a window no earlier run used
    workers = [
        ReminderWorker(settings=settings, session_factory=db.factory, clock=clock, provider=RecordingProvider())
        for _ in range(3)
    ]
    assert all(isinstance(w.lock, FallbackLeaderLock) and isinstance(w.lock.primary, RedisLeaderLock) for w in workers)
    try:
        assert [w.plan_if_due() is not None for w in workers] == [True, False, False]
        clock.advance(PLAN_INTERVAL)
        assert [w.plan_if_due() is not None for w in reversed(workers)] == [True, False, False]
    finally:
        client = redis.Redis.from_url(redis_url)
        until = int(window_end(clock.now(), PLAN_INTERVAL).timestamp())
        client.delete(f"duespark:lock:reminders.plan:{until}", f"duespark:lock:reminders.plan:{until - 21600}")


def test_heartbeat_and_its_age(db, worker_settings):
    clock = FixedClock(TEST_NOW)
    with db.factory() as session:
        assert latest_heartbeat_age(session, clock) is None
    worker = ReminderWorker(settings=worker_settings, session_factory=db.factory, clock=clock, worker_id="w-1")
    worker.beat()
    clock.advance(seconds=45)
    with db.factory() as session:
        assert latest_heartbeat_age(session, clock) == timedelta(seconds=45)
    worker.beat()
    with db.factory() as session:
        assert latest_heartbeat_age(session, clock) == timedelta(0)
        [beat] = session.scalars(select(WorkerHeartbeat)).all()
        assert (beat.worker_id, beat.started_at, beat.last_beat_at) == ("w-1", TEST_NOW, clock.now())
    # Heartbeats of workers gone for a week are cleaned up by the living.
    clock.advance(days=8)
    ReminderWorker(settings=worker_settings, session_factory=db.factory, clock=clock, worker_id="w-2").beat()
    with db.factory() as session:
        assert session.scalars(select(WorkerHeartbeat.worker_id)).all() == ["w-2"]


def test_run_once_plans_and_sends(db, worker_settings):
    clock = FixedClock(TEST_NOW)
    make_world(db.factory, clock)
    provider = RecordingProvider()
    worker = ReminderWorker(settings=worker_settings, session_factory=db.factory, clock=clock, provider=provider)
    report = worker.run_once()
    assert report.planned is not None and report.dispatched.sent == 1
    assert len(provider.sent) == 1


def test_cli_worker_once_at_a_chosen_time(db, tmp_path, monkeypatch):
    clock = FixedClock(TEST_NOW)
    make_world(db.factory, clock, due_date=datetime(2026, 12, 1).date())
    monkeypatch.setenv("DUESPARK_DATABASE_URL", db.url)
    monkeypatch.setenv("DUESPARK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DUESPARK_ENV", "test")
    runner = CliRunner()
    early = runner.invoke(cli, ["worker", "--once", "--now", "2026-11-30T12:00:00Z"])
    assert early.exit_code == 0, early.output
    assert "0 sent" in early.output
    result = runner.invoke(cli, ["worker", "--once", "--now", "2026-12-01T09:30:00+00:00"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    with db.factory() as session:
        assert session.scalars(select(Reminder.state)).all() == ["sent"]


def test_cli_rejects_now_without_once_and_bad_instants(tmp_path, monkeypatch):
    monkeypatch.setenv("DUESPARK_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    assert runner.invoke(cli, ["worker", "--now", "2026-12-01T09:00:00Z"]).exit_code == 1
    bad = runner.invoke(cli, ["worker", "--once", "--now", "2026-12-01 09:00"])
    assert bad.exit_code == 1
    assert "ISO-8601" in bad.output


def test_serve_runs_the_worker_in_process_when_enabled(db, tmp_path):
    clock = FixedClock(TEST_NOW)
    make_world(db.factory, clock)
    settings = make_test_settings(tmp_path, db.url, run_worker_in_process=True)
    app = create_app(settings, clock)
    with TestClient(app):
        scheduler = app.state.worker
        assert scheduler is not None and scheduler.running
        assert {job.id for job in scheduler.get_jobs()} == {
            "reminders.heartbeat",
            "reminders.plan",
            "reminders.dispatch",
            "reminders.outbox",
            "reminders.webhooks",
            "reminders.digest",
        }
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with db.factory() as session:
                if session.scalar(select(Reminder.state)) == "sent":
                    break
            time.sleep(0.1)
    assert not scheduler.running
    with db.factory() as session:
        assert session.scalar(select(Reminder.state)) == "sent"
        assert latest_heartbeat_age(session, clock) == timedelta(0)
    emails = [path.read_text().replace("\n ", " ") for path in (tmp_path / "data" / "outbox").glob("*.eml")]
    # One reminder; the owner's daily digest (digest/worker.py, in the same scheduler) may have gone out beside it.
    assert len([email for email in emails if "Subject: DueSpark daily digest" not in email]) == 1


def test_serve_without_the_worker(db, tmp_path):
    app = create_app(make_test_settings(tmp_path, db.url, run_worker_in_process=False), FixedClock(TEST_NOW))
    with TestClient(app):
        assert app.state.worker is None
