""" "Start chasing from today" reads the chunk's pending reminders in one grouped pass, not with an
EXISTS per invoice: on PostgreSQL, while the import's reminders have no statistics yet, the correlated
form ran a bitmap of every pending reminder for each invoice (70 s per chunk of 5,000 at 50,000 invoices)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.helpers import register
from tests.onboarding.test_import_preview import HISTORY


@pytest.fixture
def statements(connection):
    seen: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        seen.append(" ".join(statement.split()))

    event.listen(connection, "before_cursor_execute", record)
    yield seen
    event.remove(connection, "before_cursor_execute", record)


def test_start_from_today_groups_the_pending_reminders_once(client, statements):
    user = register(client)
    response = client.post(
        "/api/invoices/import",
        headers=user["headers"],
        params={"dry_run": "false"},
        files={"file": ("invoices.csv", HISTORY.encode(), "text/csv")},
    )
    assert response.status_code == 200, response.text
    # Same figures as with the per-invoice form (tests/onboarding/test_import_preview.py).
    assert response.json()["options"]["invoices_started_later"] == 2
    assert response.json()["options"]["steps_skipped"] == 7
    assert response.json()["options"]["not_chased_no_step_left"] == 1
    correlated = [s for s in statements if "EXISTS (SELECT" in s and "reminders" in s and "scheduled_for >=" in s]
    assert correlated == []
    grouped = [s for s in statements if s.startswith("SELECT reminders.invoice_id") and "GROUP BY" in s]
    assert len(grouped) == 1, statements
