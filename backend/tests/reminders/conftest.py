"""Databases that really commit, for the dispatcher and worker (their transactions are the subject)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from duespark import migrate
from duespark.clock import FixedClock
from duespark.db import make_engine, make_session_factory
from duespark.models import Base
from duespark.reminders.worker import DatabaseLeaderLock, ReminderWorker
from duespark.wiring import connect_domains
from tests.conftest import TEST_NOW, create_postgres_database, drop_postgres_database, make_test_settings
from tests.reminders.support import RecordingProvider


@pytest.fixture(scope="session", autouse=True)
def _listeners(tmp_path_factory) -> None:
    connect_domains(make_test_settings(tmp_path_factory.mktemp("wiring"), "sqlite://"))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def committed_url(request, tmp_path_factory) -> Iterator[str]:
    """A migrated database of each kind whose tests commit for real (emptied after each test)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('committed') / 'reminders.db'}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url
        return
    server = request.getfixturevalue("postgres_server_url")
    url = create_postgres_database(server)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    drop_postgres_database(server, url)


@dataclass
class Db:
    url: str
    engine: Engine
    factory: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


def _empty(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))


@pytest.fixture
def db(committed_url: str) -> Iterator[Db]:
    engine = make_engine(committed_url, pool_size=25)
    _empty(engine)
    yield Db(committed_url, engine, make_session_factory(engine))
    _empty(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def pg_url(postgres_server_url: str) -> Iterator[str]:
    """A PostgreSQL database for the tests that need several real writers at once."""
    url = create_postgres_database(postgres_server_url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    drop_postgres_database(postgres_server_url, url)


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Db]:
    engine = make_engine(pg_url, pool_size=25)
    _empty(engine)
    yield Db(pg_url, engine, make_session_factory(engine))
    _empty(engine)
    engine.dispose()


@pytest.fixture
def worker_settings(tmp_path, db: Db):
    return make_test_settings(tmp_path, db.url, reminder_lease_seconds=300, reminder_max_attempts=4)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)  # Wednesday 25 November 2026, 10:00 UTC


@pytest.fixture
def provider() -> RecordingProvider:
    return RecordingProvider()


@pytest.fixture
def worker(db, worker_settings, clock, provider) -> ReminderWorker:
    return ReminderWorker(
        settings=worker_settings,
        session_factory=db.factory,
        clock=clock,
        provider=provider,
        lock=DatabaseLeaderLock(db.factory),
        worker_id="worker-1",
    )
