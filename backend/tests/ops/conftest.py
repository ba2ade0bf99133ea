"""Fixtures for ops tests that need committed data: their own database of each kind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import delete

from duespark import migrate
from duespark.db import make_engine
from duespark.models import WorkerHeartbeat
from tests.conftest import create_postgres_database, drop_postgres_database


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def committed_url(request, tmp_path_factory) -> Iterator[str]:
    """A migrated database whose writes are really committed (no rolled-back outer transaction)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('committed') / 'ops.db'}"
    else:
        server = request.getfixturevalue("postgres_server_url")
        url = create_postgres_database(server)
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield url
    engine.dispose()
    if request.param == "postgresql":
        drop_postgres_database(server, url)


@pytest.fixture
def committed_engine(committed_url):
    engine = make_engine(committed_url)
    yield engine
    with engine.begin() as conn:
        conn.execute(delete(WorkerHeartbeat))
    engine.dispose()
