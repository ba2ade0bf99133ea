from __future__ import annotations

import uuid

import pytest
import redis
from fastapi.testclient import TestClient

from duespark.app import create_app
from tests.conftest import make_test_settings
from tests.helpers import register


def _app(tmp_path, database_url, clock, session_factory=None, **overrides):
    settings = make_test_settings(tmp_path, database_url, **{"rate_limit_enabled": True, **overrides})
    app = create_app(settings, clock)
    if session_factory is not None:
        app.state.engine.dispose()
        app.state.session_factory = session_factory
    return app


def _login(client: TestClient, email: str, ip: str | None = None):
    headers = {"X-Forwarded-For": ip} if ip else {}
    return client.post("/api/auth/login", json={"email": email, "password": "wrong password!"}, headers=headers)


def _assert_limited(response) -> int:
    assert response.status_code == 429, response.text
    assert response.json()["error"] == "TooManyRequests"
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    return retry_after


def test_sign_in_limited_per_ip(tmp_path, database_url, clock, session_factory):
    client = TestClient(_app(tmp_path, database_url, clock, session_factory, rate_limit_sign_in="3/minute"))
    for n in range(3):
        assert _login(client, f"someone{n}@example.com").status_code == 401
    _assert_limited(_login(client, "someone-else@example.com"))


def test_sign_in_limited_per_email_across_addresses(tmp_path, database_url, clock, session_factory):
    app = _app(
        tmp_path, database_url, clock, session_factory, rate_limit_sign_in="3/minute", trusted_proxies=["127.0.0.1"]
    )
    client = TestClient(app, client=("127.0.0.1", 4000))
    for n in range(3):
        assert _login(client, "Target@Example.com", ip=f"198.51.100.{n}").status_code == 401
    # A fourth address, same account (any case): still refused.
    _assert_limited(_login(client, "target@example.com", ip="198.51.100.99"))
    # Another account from a fresh address is unaffected.
    assert _login(client, "other@example.com", ip="198.51.100.100").status_code == 401


def test_forwarded_for_is_ignored_from_untrusted_peers(tmp_path, database_url, clock, session_factory):
    client = TestClient(_app(tmp_path, database_url, clock, session_factory, rate_limit_sign_in="2/minute"))
    assert _login(client, "a@example.com", ip="198.51.100.1").status_code == 401
    assert _login(client, "b@example.com", ip="198.51.100.2").status_code == 401
    # Spoofing another X-Forwarded-For does not buy a fresh allowance.
    _assert_limited(_login(client, "c@example.com", ip="198.51.100.3"))


def test_registration_limited_per_ip(tmp_path, database_url, clock, session_factory):
    client = TestClient(_app(tmp_path, database_url, clock, session_factory, rate_limit_register="2/minute"))
    register(client)
    register(client)
    response = client.post(
        "/api/auth/register", json={"email": "third@example.com", "password": "correct horse battery", "name": "T"}
    )
    _assert_limited(response)


def test_api_limited_per_user(tmp_path, database_url, clock, session_factory):
    client = TestClient(_app(tmp_path, database_url, clock, session_factory, rate_limit_api="3/minute"))
    first, second = register(client), register(client)
    for _ in range(3):
        assert client.get("/api/me", headers=first["headers"]).status_code == 200
    _assert_limited(client.get("/api/clients", headers=first["headers"]))
    assert client.get("/api/me", headers=second["headers"]).status_code == 200


def test_public_links_are_limited_per_ip(tmp_path, database_url, clock, session_factory):
    app = _app(tmp_path, database_url, clock, session_factory, rate_limit_public_link="3/minute")
    client = TestClient(app)
    # Guessing tokens: each wrong one is a 404 until the limit stops the guesser.
    assert client.get("/pay/a").status_code == 404
    assert client.get("/unsubscribe/b").status_code == 404
    assert client.get("/c/c").status_code == 404
    _assert_limited(client.get("/pay/d"))
    _assert_limited(client.post("/unsubscribe/e"))


def test_limits_off_when_disabled(tmp_path, database_url, clock, session_factory):
    app = _app(tmp_path, database_url, clock, session_factory, rate_limit_sign_in="1/minute", rate_limit_enabled=False)
    client = TestClient(app)
    assert [_login(client, "x@example.com").status_code for _ in range(3)] == [401, 401, 401]


@pytest.fixture
def redis_prefix(redis_url):
    prefix = f"duespark-test-{uuid.uuid4().hex[:8]}"
    yield prefix
    connection = redis.Redis.from_url(redis_url)
    for key in connection.scan_iter(f"{prefix}*"):
        connection.delete(key)


@pytest.mark.redis
@pytest.mark.parametrize("strategy", ["moving-window", "fixed-window"])
def test_two_app_instances_share_counters_in_redis(tmp_path, database_url, clock, redis_url, redis_prefix, strategy):
    options = {
        "redis_url": redis_url,
        "rate_limit_prefix": redis_prefix,
        "rate_limit_sign_in": "4/minute",
        "rate_limit_strategy": strategy,
    }
    one = TestClient(_app(tmp_path, database_url, clock, **options))
    two = TestClient(_app(tmp_path, database_url, clock, **options))
    statuses = [(one if n % 2 else two).post("/api/auth/login", json={"email": "x"}).status_code for n in range(4)]
    assert statuses == [422, 422, 422, 422]  # counted before validation: a malformed flood is limited too
    _assert_limited(one.post("/api/auth/login", json={"email": "x"}))
    _assert_limited(two.post("/api/auth/login", json={"email": "x"}))
    keys = list(redis.Redis.from_url(redis_url).scan_iter(f"{redis_prefix}*"))
    assert keys and all("testclient" not in key.decode() for key in keys)


def test_unreachable_redis_fails_open(tmp_path, database_url, clock, session_factory):
    app = _app(
        tmp_path, database_url, clock, session_factory, redis_url="redis://127.0.0.1:1/0", rate_limit_sign_in="1/minute"
    )
    client = TestClient(app)
    assert [_login(client, "x@example.com").status_code for _ in range(3)] == [401, 401, 401]
