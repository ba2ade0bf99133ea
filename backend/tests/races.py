"""The app on a database of its own, for the race tests of invariant 11 (on PostgreSQL) and other
concurrent requests: every request commits for real over its own connection. One account, reached with
two credentials (a sign-in's access token and a personal API token: the requests of a pair use one each),
and one client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from duespark import migrate
from duespark.app import create_app
from duespark.clock import FixedClock
from duespark.db import make_engine
from tests.conftest import TEST_NOW, create_postgres_database, drop_postgres_database, make_test_settings
from tests.helpers import register

GLOBEX = {"name": "Globex", "email": "ap@globex.com"}


@dataclass
class RaceApp:
    http: TestClient
    settings: Any
    session_factory: Any
    first: dict[str, str]
    second: dict[str, str]
    client_id: int


@contextmanager
def race_app(
    server_url: str, directory: Path, *, client: dict[str, str] = GLOBEX, **settings: Any
) -> Iterator[RaceApp]:
    url = create_postgres_database(server_url)
    try:
        with app_on(url, directory, client=client, **settings) as app:
            yield app
    finally:
        drop_postgres_database(server_url, url)


@contextmanager
def app_on(url: str, directory: Path, *, client: dict[str, str] = GLOBEX, **settings: Any) -> Iterator[RaceApp]:
    """The app on an empty database of its own (PostgreSQL or an SQLite file), migrated here."""
    engine = make_engine(url, pool_size=2)
    migrate.upgrade(engine)
    engine.dispose()
    configured = make_test_settings(directory, url, **settings)
    app = create_app(configured, FixedClock(TEST_NOW))
    try:
        with TestClient(app) as http:
            user = register(http)
            created = http.post("/api/tokens", headers=user["headers"], json={"name": "races"})
            assert created.status_code == 201, created.text
            api_token = {"Authorization": f"Bearer {created.json()['token']}"}
            made = http.post("/api/clients", headers=user["headers"], json=client)
            assert made.status_code == 201, made.text
            yield RaceApp(http, configured, app.state.session_factory, user["headers"], api_token, made.json()["id"])
    finally:
        app.state.engine.dispose()
