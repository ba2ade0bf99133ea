"""Bulk paths leave PostgreSQL able to plan at once: the tables they grew are analyzed after commit."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.helpers import register

ROWS = 40


def _csv(rows: int) -> bytes:
    lines = ["number,client_email,client_name,amount,currency,issue_date,due_date"]
    for i in range(rows):
        lines.append(
            f"B-{i:04d},c{i % 4}@example.com,Client {i % 4},{100 + i}.00,EUR,2026-10-01,2026-11-{1 + i % 28:02d}"
        )
    return ("\n".join(lines) + "\n").encode()


def _reltuples(connection, table: str) -> float:
    return connection.execute(text("SELECT reltuples FROM pg_class WHERE relname = :t"), {"t": table}).scalar_one()


def test_an_import_refreshes_postgresql_statistics_of_what_it_grew(client, connection):
    if connection.dialect.name != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    user = register(client)
    response = client.post(
        "/api/invoices/import",
        headers=user["headers"],
        params={"dry_run": "false"},
        files={"file": ("invoices.csv", _csv(ROWS), "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == ROWS
    # ANALYZE counts what its transaction sees: every imported row (never analyzed: -1; rolled back rows: 0).
    invoices = connection.execute(text("SELECT count(*) FROM invoices")).scalar_one()
    clients = connection.execute(text("SELECT count(*) FROM clients")).scalar_one()
    reminders = connection.execute(text("SELECT count(*) FROM reminders")).scalar_one()
    assert invoices >= ROWS
    assert _reltuples(connection, "invoices") == invoices
    assert _reltuples(connection, "clients") == clients
    assert _reltuples(connection, "reminders") == reminders


def test_fresh_statistics_also_set_the_visibility_map(engine):
    """VACUUM (ANALYZE), not only ANALYZE: the overdue list's count can then stay in its index instead of
    visiting every freshly imported row (bench/plans/README.md)."""
    from duespark import db

    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's visibility map")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE fresh_rows AS SELECT generate_series(1, 5000) AS id"))
    try:
        db.refresh_statistics(engine, ["fresh_rows"])
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT c.reltuples, s.vacuum_count, s.analyze_count FROM pg_class c"
                    " JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = 'fresh_rows'"
                )
            ).one()
        # A VACUUM, not only an ANALYZE, ran: it is what sets the visibility map. Whether it could mark the
        # pages all-visible depends on the oldest snapshot of any other session on the server at that moment
        # (a parallel test's open transaction holds it back), so the count is checked rather than the map.
        assert (row.reltuples, row.vacuum_count, row.analyze_count) == (5000, 1, 1)
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE fresh_rows"))


def test_only_a_real_import_asks_for_fresh_statistics(client, connection, monkeypatch):
    from duespark import db

    analyzed: list[object] = []
    monkeypatch.setattr(db, "refresh_statistics", lambda bind, tables=None: analyzed.append(tables))
    user = register(client)
    response = client.post(
        "/api/invoices/import",
        headers=user["headers"],
        params={"dry_run": "true"},
        files={"file": ("invoices.csv", _csv(3), "text/csv")},
    )
    assert response.status_code == 200
    assert analyzed == []
    response = client.post(
        "/api/invoices/import",
        headers=user["headers"],
        params={"dry_run": "false"},
        files={"file": ("invoices.csv", _csv(3), "text/csv")},
    )
    assert response.status_code == 200
    assert analyzed == [{"clients", "invoices", "reminders", "reminder_send_slots"}]
