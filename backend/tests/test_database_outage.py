"""While the database is unavailable the API answers 503 with Retry-After, never 500.

Unavailable means: connections refused (the server is down or restarting), no pooled connection to
spare, or the connection dropped at commit. Other database errors are bugs and stay 500s.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.pool import QueuePool

from duespark.app import create_app
from duespark.db import make_engine, make_session_factory
from tests.conftest import make_test_settings
from tests.helpers import register

CLOSED_PORT_URL = "postgresql://nobody@127.0.0.1:1/none"


def _assert_unavailable(response) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["error"] == "ServiceUnavailable"
    assert "database" in response.json()["detail"]
    assert int(response.headers["Retry-After"]) > 0


def test_refused_connections_are_503_on_public_and_signed_in_routes(app, client):
    headers = register(client)["headers"]
    app.state.session_factory = make_session_factory(make_engine(CLOSED_PORT_URL))

    _assert_unavailable(client.get("/api/invoices", headers=headers))
    _assert_unavailable(client.post("/api/auth/login", json={"email": "a@example.com", "password": "x" * 12}))
    assert client.get("/health").status_code == 200


def test_a_database_unreachable_from_the_start_is_503(tmp_path, clock):
    with TestClient(create_app(make_test_settings(tmp_path, CLOSED_PORT_URL), clock)) as client:
        _assert_unavailable(
            client.post("/api/auth/register", json={"email": "b@example.com", "password": "x" * 12, "name": "B"})
        )


def test_no_pooled_connection_to_spare_is_503(app, client, engine):
    headers = register(client)["headers"]
    one_connection = create_engine(engine.url, poolclass=QueuePool, pool_size=1, max_overflow=0, pool_timeout=0.05)
    app.state.session_factory = make_session_factory(one_connection)
    with one_connection.connect():
        _assert_unavailable(client.get("/api/invoices", headers=headers))
    one_connection.dispose()


def _fail_commits_with(error: Exception):
    def before_commit(_session) -> None:
        raise error

    return before_commit


def test_a_connection_dropped_at_commit_is_503(app, client, session_factory):
    headers = register(client)["headers"]
    dropped = OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))
    event.listen(session_factory, "before_commit", _fail_commits_with(dropped))
    _assert_unavailable(
        client.post("/api/clients", json={"name": "Initech", "email": "ap@initech.example.com"}, headers=headers)
    )


def test_other_database_errors_are_not_reported_as_an_outage(app, client, session_factory):
    headers = register(client)["headers"]
    bug = IntegrityError("INSERT", {}, Exception("duplicate key value violates unique constraint"))
    event.listen(session_factory, "before_commit", _fail_commits_with(bug))
    with pytest.raises(IntegrityError):
        client.get("/api/invoices", headers=headers)
