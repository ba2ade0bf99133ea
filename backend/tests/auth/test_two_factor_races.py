"""On PostgreSQL, over real connections and commits: two sign-ins with the same recovery code (or the same
TOTP code) at the same moment, many times; exactly one signs in each time, and none answers 500."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from duespark import migrate
from duespark.app import create_app
from duespark.auth import two_factor
from duespark.clock import FixedClock
from duespark.db import make_engine
from tests.conftest import TEST_NOW, create_postgres_database, drop_postgres_database, make_test_settings
from tests.helpers import register

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def api(postgres_server_url, tmp_path_factory) -> Iterator[tuple[TestClient, FixedClock]]:
    url = create_postgres_database(postgres_server_url)
    engine = make_engine(url, pool_size=2)
    migrate.upgrade(engine)
    engine.dispose()
    clock = FixedClock(TEST_NOW)
    app = create_app(make_test_settings(tmp_path_factory.mktemp("2fa-races"), url), clock)
    try:
        with TestClient(app) as http:
            yield http, clock
    finally:
        app.state.engine.dispose()
        drop_postgres_database(postgres_server_url, url)


def _together(http: TestClient, email: str, code: str) -> list[int]:
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def sign_in() -> None:
        barrier.wait()
        answer = http.post("/api/auth/login", json={"email": email, "password": PASSWORD, "code": code})
        answers.append(answer.status_code)

    threads = [threading.Thread(target=sign_in) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(answers)


def _enrol(http: TestClient, clock: FixedClock) -> tuple[dict, str, list[str]]:
    user = register(http, password=PASSWORD)
    secret = http.post("/api/auth/2fa/enrol", headers=user["headers"]).json()["secret"]
    code = two_factor.current_code(secret, clock.now())
    codes = http.post("/api/auth/2fa/confirm", json={"code": code}, headers=user["headers"]).json()
    return user, secret, codes["recovery_codes"]


def test_a_recovery_code_used_twice_at_once_signs_in_once(api):
    http, clock = api
    user, _, codes = _enrol(http, clock)
    for code in codes:
        assert _together(http, user["email"], code) == [200, 401]


def test_a_totp_code_used_twice_at_once_signs_in_once(api):
    http, clock = api
    user, secret, _ = _enrol(http, clock)
    for _ in range(10):
        clock.advance(timedelta(seconds=30))
        assert _together(http, user["email"], two_factor.current_code(secret, clock.now())) == [200, 401]
