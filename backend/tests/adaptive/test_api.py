"""The switches, the follow-up flag and the reasons through the API."""

from __future__ import annotations

import pytest

from duespark.models import Client
from tests.adaptive.support import paid_history
from tests.helpers import register


@pytest.fixture
def user(client):
    return register(client, company_name="Ada Design")


def _client(client, user, **fields):
    response = client.post(
        "/api/clients", headers=user["headers"], json={"name": "Acme", "email": "ap@acme.com", **fields}
    )
    assert response.status_code == 201, response.text
    return response.json()


def _invoice(client, user, client_id, *, number="2026-020", due="2026-12-21"):
    response = client.post(
        "/api/invoices",
        headers=user["headers"],
        json={
            "client_id": client_id,
            "number": number,
            "amount": "800.00",
            "issue_date": "2026-11-20",
            "due_date": due,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_client_switch_and_follow_up_fields(client, user):
    created = _client(client, user)
    assert (created["adaptive_reminders"], created["needs_personal_follow_up"], created["follow_up_reason"]) == (
        None,
        False,
        None,
    )
    off = client.patch(f"/api/clients/{created['id']}", headers=user["headers"], json={"adaptive_reminders": False})
    assert off.status_code == 200 and off.json()["adaptive_reminders"] is False
    back = client.patch(f"/api/clients/{created['id']}", headers=user["headers"], json={"adaptive_reminders": None})
    assert back.json()["adaptive_reminders"] is None


def test_account_switch_on_the_reminder_policy(client, user):
    policy = client.get("/api/reminder-policy", headers=user["headers"]).json()
    assert policy["adaptive"] is True
    steps = policy["steps"]
    off = client.put("/api/reminder-policy", headers=user["headers"], json={"steps": steps, "adaptive": False})
    assert off.status_code == 200 and off.json()["adaptive"] is False
    kept = client.put("/api/reminder-policy", headers=user["headers"], json={"steps": steps})
    assert kept.json()["adaptive"] is False
    assert kept.json()["merge_statements"] is True
    separate = client.put(
        "/api/reminder-policy", headers=user["headers"], json={"steps": steps, "merge_statements": False}
    )
    assert (separate.json()["adaptive"], separate.json()["merge_statements"]) == (False, False)


def test_timeline_and_preview_show_the_reason(client, user, session, clock):
    acme = _client(client, user)
    paid_history(session, session.get(Client, acme["id"]), clock, [-4, -4, -5, -3])
    invoice = _invoice(client, user, acme["id"])
    timeline = client.get(f"/api/invoices/{invoice['id']}/reminders", headers=user["headers"]).json()
    first = timeline["items"][0]
    reason = "Skipped: Acme pays 4 days early on average over 4 invoices."
    assert (first["step_key"], first["state"], first["reason"], first["explanation"]) == (
        "d-3",
        "skipped",
        "adaptive_skipped",
        reason,
    )
    preview = client.post("/api/reminders/preview", headers=user["headers"], json={"reminder_id": first["id"]})
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert (body["template_key"], body["reminder_state"], body["reminder_reason"]) == ("friendly", "skipped", reason)
    assert "2026-020" in body["subject"]

    stranger = register(client)
    assert (
        client.post(
            "/api/reminders/preview", headers=stranger["headers"], json={"reminder_id": first["id"]}
        ).status_code
        == 404
    )
    neither = client.post("/api/reminders/preview", headers=user["headers"], json={})
    assert neither.status_code == 422


def test_follow_up_flag_in_client_and_insights(client, user, session, clock):
    acme = _client(client, user)
    paid_history(session, session.get(Client, acme["id"]), clock, [35, 38, 40], after_final=[True, True, True])
    _invoice(client, user, acme["id"])  # planning refreshes Acme's adaptation
    shown = client.get(f"/api/clients/{acme['id']}", headers=user["headers"]).json()
    assert shown["needs_personal_follow_up"] is True
    assert shown["follow_up_reason"].startswith("Acme paid the last 3 invoices only after the final notice")
    insights = client.get(f"/api/clients/{acme['id']}/insights", headers=user["headers"]).json()
    assert insights["needs_personal_follow_up"] is True
    assert insights["follow_up_reason"] == shown["follow_up_reason"]
