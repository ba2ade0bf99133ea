"""A planned reminder previews as it will really go: the tone is the one chosen for the day it is sent."""

from __future__ import annotations

import pytest

from tests.helpers import register
from tests.reminders.test_fees_api import make_invoice


@pytest.fixture
def user(client):
    return register(client)


def test_a_friendly_step_caught_up_after_the_due_date_previews_as_firm(client, user):
    invoice = make_invoice(client, user, due="2026-11-13")  # 12 days overdue on the test clock
    planned = client.get(f"/api/invoices/{invoice['id']}/reminders", headers=user["headers"]).json()["items"]
    friendly = next(r for r in planned if r["template_key"] == "friendly" and r["state"] == "pending")
    preview = client.post("/api/reminders/preview", json={"reminder_id": friendly["id"]}, headers=user["headers"])
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["template_key"] == "firm"
    assert "due today" not in body["text"] and "is due on" not in body["subject"]
    assert "12 days overdue" in body["text"]
