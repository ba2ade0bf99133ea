"""On PostgreSQL, over real connections and commits: the two owners of an account demote (or remove) each
other at the same moment, many times; exactly one succeeds each time, so one owner always remains."""

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
from tests.teams.support import invitation_link_token_from

ROUNDS = 5


@pytest.fixture(scope="module")
def api(postgres_server_url, tmp_path_factory) -> Iterator[TestClient]:
    url = create_postgres_database(postgres_server_url)
    engine = make_engine(url, pool_size=2)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app(make_test_settings(tmp_path_factory.mktemp("member-races"), url), FixedClock(TEST_NOW))
    try:
        with TestClient(app) as http:
            yield http
    finally:
        app.state.engine.dispose()
        drop_postgres_database(postgres_server_url, url)


def _two_owners(http: TestClient) -> tuple[dict, dict]:
    first, second = register(http), register(http)
    http.post("/api/invitations", headers=first["headers"], json={"email": second["email"], "role": "admin"})
    token = invitation_link_token_from(http.app.state.session_factory, to=second["email"])
    joined = http.post("/api/invitations/accept", headers=second["headers"], json={"token": token}).json()
    second["headers"] = {"Authorization": f"Bearer {joined['access_token']}"}
    for person in (first, second):
        person["user_id"] = http.get("/api/me", headers=person["headers"]).json()["id"]
    promoted = http.patch(f"/api/members/{second['user_id']}", headers=first["headers"], json={"role": "owner"})
    assert promoted.status_code == 200, promoted.text
    return first, second


@pytest.mark.parametrize("how", ["demote", "remove"])
def test_two_owners_stepping_each_other_down_leave_one_owner(api, how):
    for _ in range(ROUNDS):
        first, second = _two_owners(api)
        barrier = threading.Barrier(2)
        answers: list[int] = []

        def step_down(me: dict, other: dict, barrier=barrier, answers=answers) -> None:
            barrier.wait()
            url = f"/api/members/{other['user_id']}"
            if how == "demote":
                response = api.patch(url, headers=me["headers"], json={"role": "admin"})
            else:
                response = api.delete(url, headers=me["headers"])
            answers.append(response.status_code)

        threads = [threading.Thread(target=step_down, args=pair) for pair in ((first, second), (second, first))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # The second change waits for the first, then finds one owner (409) or itself demoted (401/403).
        assert sorted(answers)[0] in (200, 204) and sorted(answers)[1] in (401, 403, 409), answers
        members = api.get("/api/members", headers=first["headers"])
        if members.status_code != 200:
            members = api.get("/api/members", headers=second["headers"])
        assert [m["role"] for m in members.json()["items"]].count("owner") == 1
