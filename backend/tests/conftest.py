"""Test fixtures: every database test runs on SQLite and on PostgreSQL, each in a
transaction rolled back at the end (the pattern of Polar's tests/fixtures/database.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from duespark import migrate
from duespark.app import create_app
from duespark.clock import FixedClock
from duespark.db import make_engine
from duespark.settings import Settings

POSTGRES_SERVER_URL = os.environ.get("DUESPARK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("DUESPARK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("DUESPARK_TEST_REQUIRE_SERVICES") == "1"
TEST_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
TEST_SECRET = "test-only-signing-key-0123456789abcdefghijklmnopqrstuvwxyz"

_skipped_legs: dict[str, str] = {}


def _service_missing(name: str, reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{name} is required (DUESPARK_TEST_REQUIRE_SERVICES=1) but unavailable: {reason}")
    _skipped_legs[name] = reason
    pytest.skip(f"{name} unavailable: {reason}")


def _unreachable_services() -> dict[str, str]:
    """Checked again at the end, in the controlling process, so the warning also shows under xdist."""
    import redis

    missing = dict(_skipped_legs)
    engine = make_engine(POSTGRES_SERVER_URL)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except Exception as exc:
        missing.setdefault("PostgreSQL", f"{POSTGRES_SERVER_URL}: {exc.__class__.__name__}")
    finally:
        engine.dispose()
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        missing.setdefault("Redis", f"{REDIS_URL}: {exc.__class__.__name__}")
    return missing


# The longest tests (a minute or more each on CI's 2 cores), started first: with `--dist worksteal` one worker
# begins with them while the other takes the rest and steals from the first's queue, so no long test starts
# last and stretches the run's tail. Order within each group is kept.
LONGEST_FIRST = (
    "tests/faults/",
    "tests/reminders/test_lifecycle.py::test_ticking_every_minute_for_a_day",
    "tests/test_cli.py::test_demo",
    "tests/ops/test_multiprocess.py",
    "tests/hostile/test_csv_import.py::test_100000_rows",
    "tests/reminders/test_serve_stops.py",
    "tests/reminders/test_concurrency.py",
)


def pytest_collection_modifyitems(items) -> None:
    def rank(item) -> int:
        return next((n for n, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)), len(LONGEST_FIRST))

    items.sort(key=rank)


def pytest_terminal_summary(terminalreporter) -> None:
    missing = _unreachable_services()
    if missing:
        terminalreporter.section("SKIPPED TEST LEGS", sep="!", red=True, bold=True)
        for name, reason in missing.items():
            terminalreporter.write_line(f"{name} tests were SKIPPED: {reason}", red=True, bold=True)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    engine = make_engine(POSTGRES_SERVER_URL)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except Exception as exc:
        _service_missing("PostgreSQL", f"{POSTGRES_SERVER_URL}: {exc.__class__.__name__}")
    finally:
        engine.dispose()
    return POSTGRES_SERVER_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        _service_missing("Redis", f"{REDIS_URL}: {exc.__class__.__name__}")
    return REDIS_URL


def create_postgres_database(server_url: str) -> str:
    """A fresh, uniquely named database, so parallel runs never collide."""
    name = f"duespark_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        # A test database needs no durability across a server crash: without waiting for each commit's WAL
        # flush, the commit-heavy engine tests run several times faster. Locking and visibility are unchanged.
        conn.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(server_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = make_engine(server_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """An empty database of each kind, unmigrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    server = request.getfixturevalue("postgres_server_url")
    url = create_postgres_database(server)
    yield url
    drop_postgres_database(server, url)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url, pool_size=5)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Commits inside the code under test release savepoints; the outer transaction is rolled back.
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def session(session_factory) -> Iterator[Session]:
    s = session_factory()
    yield s
    s.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


def make_test_settings(tmp_path, database_url: str, **overrides) -> Settings:
    values = {
        "env": "test",
        "data_dir": tmp_path / "data",
        "database_url": database_url,
        "secret_keys": [TEST_SECRET],
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "email_provider": "file",
        "email_from": "reminders@duespark.test",
        "public_url": "http://testserver",
        "run_worker_in_process": False,
        "web_dist_dir": tmp_path / "no-web",
        # Tests sign in and register far more often than people do; tests/ops turn limits on.
        "rate_limit_enabled": False,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return make_test_settings(tmp_path, database_url)


@pytest.fixture
def app(settings: Settings, clock: FixedClock, session_factory) -> Iterator[FastAPI]:
    application = create_app(settings, clock)
    application.state.engine.dispose()
    application.state.session_factory = session_factory
    yield application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
