"""On PostgreSQL with real commits: two requests adding a bank account for the same currency at the same
moment leave one account and answer 201 and 409, never a 500 (the unique constraint, caught in a savepoint)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from duespark import migrate
from duespark.app import create_app
from duespark.clock import FixedClock
from duespark.db import make_engine
from tests.conftest import TEST_NOW, create_postgres_database, drop_postgres_database, make_test_settings
from tests.helpers import register

TRIALS = 15
CURRENCIES = ["EUR", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "BGN", "ISK", "GBP", "USD", "JPY", "AUD"]


@pytest.fixture(scope="module")
def http(postgres_server_url, tmp_path_factory) -> Iterator[TestClient]:
    url = create_postgres_database(postgres_server_url)
    engine = make_engine(url, pool_size=2)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app(make_test_settings(tmp_path_factory.mktemp("bank-races"), url), FixedClock(TEST_NOW))
    try:
        with TestClient(app) as client:
            yield client
    finally:
        app.state.engine.dispose()
        drop_postgres_database(postgres_server_url, url)


def test_the_same_currency_twice_at_once_gives_one_account(http):
    user = register(http)
    for currency in CURRENCIES[:TRIALS]:
        body = {"currency": currency, "payee_name": "Acme", "iban": "DE89370400440532013000"}
        barrier = threading.Barrier(2)
        statuses: list[int] = []

        def add(body=body, barrier=barrier, statuses=statuses) -> None:
            barrier.wait()
            statuses.append(http.post("/api/bank-accounts", json=body, headers=user["headers"]).status_code)

        threads = [threading.Thread(target=add) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [201, 409], (currency, statuses)
    listed = http.get("/api/bank-accounts", headers=user["headers"]).json()
    assert sorted(row["currency"] for row in listed) == sorted(CURRENCIES[:TRIALS])
