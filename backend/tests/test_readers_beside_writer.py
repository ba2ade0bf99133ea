"""Invariant 12: readers never wait for the writer. On SQLite (WAL) a GET reads its snapshot beside a
unit of work that holds the write lock; only units of work that write take the lock."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from duespark import migrate
from duespark.app import create_app
from duespark.db import WriteInReadOnlySession, make_engine, make_session_factory, transaction
from duespark.models import Account
from tests.conftest import make_test_settings
from tests.helpers import register

WRITER_HOLDS_SECONDS = 3.0
# Each read is some tens of ms; the budget leaves room for a machine busy with other work.
READ_BUDGET_SECONDS = 0.5


def _hold_the_write_lock(path: str, locked: threading.Event, release: threading.Event) -> None:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE accounts SET name = name || '!'")
        locked.set()
        release.wait(WRITER_HOLDS_SECONDS)
        conn.execute("COMMIT")
    finally:
        conn.close()


def test_gets_complete_while_another_connection_holds_the_write_lock(tmp_path, clock):
    path = str(tmp_path / "busy.db")
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    with TestClient(create_app(make_test_settings(tmp_path, url), clock)) as client:
        user = register(client)
        h = user["headers"]
        client_id = client.post("/api/clients", headers=h, json={"name": "Globex", "email": "ap@globex.com"}).json()[
            "id"
        ]
        invoice = client.post(
            "/api/invoices",
            headers=h,
            json={
                "client_id": client_id,
                "number": "INV-1",
                "amount": "1250.00",
                "issue_date": "2026-10-01",
                "due_date": "2026-11-01",
            },
        ).json()
        paths = [
            f"/api/invoices/{invoice['id']}",
            "/api/invoices?status=overdue&limit=50",
            "/api/invoices?q=INV",
            "/api/insights/summary",
            "/api/reminders",
            "/api/account",
        ]
        for p in paths:  # warm: first-use work (imports, caches) is not what is measured
            assert client.get(p, headers=h).status_code == 200, p

        locked, release = threading.Event(), threading.Event()
        writer = threading.Thread(target=_hold_the_write_lock, args=(path, locked, release))
        writer.start()
        try:
            assert locked.wait(5)
            timings = {}
            for p in paths:
                started = time.perf_counter()
                response = client.get(p, headers=h)
                timings[p] = time.perf_counter() - started
                assert response.status_code == 200, (p, response.text)
            still_writing = writer.is_alive()
        finally:
            release.set()
            writer.join()
        # The reads ran while the lock was held (they did not simply outwait it) and each was quick.
        assert still_writing
        assert max(timings.values()) < READ_BUDGET_SECONDS, timings
        # What was read is the snapshot before the writer's commit; after it, the new name.
        assert client.get("/api/account", headers=h).json()["name"].endswith("!")


@pytest.mark.parametrize("write_statement", ["orm", "core"])
def test_a_read_only_unit_of_work_refuses_to_write(session_factory, write_statement):
    """A unit of work declared read-only that writes would hold a read snapshot it cannot upgrade on
    SQLite: it fails loudly on both databases instead of failing now and then under load."""
    with pytest.raises(WriteInReadOnlySession), transaction(session_factory, write=False) as session:
        account = session.scalars(select(Account)).first()
        if write_statement == "orm":
            session.add(Account(name="x", default_currency="EUR", timezone="UTC", locale="en"))
            session.flush()
        else:
            session.execute(update(Account).values(name="y").where(Account.id == (account.id if account else 0)))


def test_worker_reads_on_sqlite_begin_deferred(tmp_path):
    """A read-only transaction() on SQLite starts no write lock: another connection can take it."""
    path = str(tmp_path / "w.db")
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    try:
        with transaction(factory, write=False) as session:
            session.scalars(select(Account)).all()
            other = sqlite3.connect(path, isolation_level=None, timeout=0)
            other.execute("BEGIN IMMEDIATE")  # raises "database is locked" if the reader held the lock
            other.execute("ROLLBACK")
            other.close()
    finally:
        engine.dispose()
