"""The import options are applied as the imported invoices' reminders are made: one INSERT ... SELECT
over the whole file, no UPDATE of reminders afterwards, no EXISTS per invoice. (Planned as pending and
then rewritten, 50,000 invoices wrote 250,000 rows twice; the correlated form ran, on PostgreSQL without
statistics yet, a bitmap of every pending reminder for each invoice: 70 s per chunk of 5,000.)"""

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


def test_the_options_shape_the_rows_as_they_are_inserted(client, statements):
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
    inserts = [s for s in statements if "INSERT INTO reminders" in s]
    assert len(inserts) == 1, inserts
    assert [s for s in statements if s.startswith("UPDATE reminders")] == []
