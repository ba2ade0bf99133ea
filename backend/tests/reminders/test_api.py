"""The reminders API on SQLite and PostgreSQL: policies, pauses, the timeline, actions, test mode."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from duespark.models import Reminder
from tests.helpers import register

DEFAULT = [
    {"offset_days": -3, "template_key": "friendly", "step_key": "d-3", "fee": None, "attach_pdf": False},
    {"offset_days": 0, "template_key": "due_today", "step_key": "d+0", "fee": None, "attach_pdf": True},
    {"offset_days": 7, "template_key": "firm", "step_key": "d+7", "fee": None, "attach_pdf": True},
    {"offset_days": 14, "template_key": "urgent", "step_key": "d+14", "fee": None, "attach_pdf": True},
    {"offset_days": 30, "template_key": "final", "step_key": "d+30", "fee": None, "attach_pdf": True},
]


@pytest.fixture
def user(client):
    return register(client, timezone="Europe/Berlin")


def make_client(client, user, **extra) -> dict:
    response = client.post(
        "/api/clients", json={"name": "Globex", "email": "ap@globex.example.com", **extra}, headers=user["headers"]
    )
    assert response.status_code == 201, response.text
    return response.json()


def make_invoice(client, user, client_id: int, due: str = "2026-12-08", number: str = "INV-1") -> dict:
    response = client.post(
        "/api/invoices",
        json={
            "client_id": client_id,
            "number": number,
            "amount": "400.00",
            "issue_date": "2026-11-01",
            "due_date": due,
        },
        headers=user["headers"],
    )
    assert response.status_code == 201, response.text
    return response.json()


def timeline(client, user, invoice_id: int) -> dict:
    response = client.get(f"/api/invoices/{invoice_id}/reminders", headers=user["headers"])
    assert response.status_code == 200, response.text
    return response.json()


def test_default_policy_and_window(client, user):
    response = client.get("/api/reminder-policy", headers=user["headers"])
    assert response.status_code == 200
    assert response.json() == {
        "steps": DEFAULT,
        "send_window": {"start": "09:00", "end": "17:00", "weekdays": [1, 2, 3, 4, 5]},
        "adaptive": True,
        "merge_statements": True,
        "late_interest_annual_rate_percent": "12.00",
        "final_notice_min_days": 7,
    }


def test_replace_policy_and_window(client, user):
    body = {
        "steps": [{"offset_days": 10, "template_key": "urgent"}, {"offset_days": -1, "template_key": "friendly"}],
        "send_window": {"start": "08:30", "end": "12:00", "weekdays": [6, 1, 1]},
    }
    response = client.put("/api/reminder-policy", json=body, headers=user["headers"])
    assert response.status_code == 200, response.text
    assert response.json() == {
        "steps": [
            {"offset_days": -1, "template_key": "friendly", "step_key": "d-1", "fee": None, "attach_pdf": False},
            {"offset_days": 10, "template_key": "urgent", "step_key": "d+10", "fee": None, "attach_pdf": True},
        ],
        "send_window": {"start": "08:30", "end": "12:00", "weekdays": [1, 6]},
        "adaptive": True,
        "merge_statements": True,
        "late_interest_annual_rate_percent": "12.00",
        "final_notice_min_days": 7,
    }
    assert client.get("/api/reminder-policy", headers=user["headers"]).json() == response.json()


@pytest.mark.parametrize(
    ("steps", "field", "words"),
    [
        (
            [
                {"offset_days": -3, "template_key": "friendly"},
                {"offset_days": 0, "template_key": "firm"},
                {"offset_days": -3, "template_key": "urgent"},
            ],
            "steps.2.offset_days",
            "already used by step 0",
        ),
        ([{"offset_days": 0, "template_key": "rude"}], "steps.0.template_key", "friendly"),
        ([{"offset_days": n, "template_key": "firm"} for n in range(21)], "steps.20", "at most 20 steps"),
        ([{"offset_days": 400, "template_key": "firm"}], "steps.0.offset_days", "365"),
    ],
    ids=["duplicate-offset", "unknown-template", "too-many-steps", "offset-too-far"],
)
def test_invalid_policy_names_the_step(client, user, steps, field, words):
    response = client.put("/api/reminder-policy", json={"steps": steps}, headers=user["headers"])
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "ValidationError"
    assert [e["field"] for e in body["detail"]] == [field]
    assert words in body["detail"][0]["message"]


@pytest.mark.parametrize(
    "window",
    [{"start": "17:00", "end": "09:00"}, {"start": "9am"}, {"weekdays": []}, {"weekdays": [0, 8]}],
)
def test_invalid_send_window(client, user, window):
    response = client.put("/api/reminder-policy", json={"steps": [], "send_window": window}, headers=user["headers"])
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"].startswith("send_window")


def test_final_notice_gap_is_stored_with_the_policy(client, user):
    response = client.put(
        "/api/reminder-policy", json={"steps": [], "final_notice_min_days": 10}, headers=user["headers"]
    )
    assert response.status_code == 200, response.text
    assert response.json()["final_notice_min_days"] == 10
    assert client.get("/api/reminder-policy", headers=user["headers"]).json()["final_notice_min_days"] == 10
    # Omitted: the setting stays.
    client.put("/api/reminder-policy", json={"steps": []}, headers=user["headers"])
    assert client.get("/api/reminder-policy", headers=user["headers"]).json()["final_notice_min_days"] == 10


@pytest.mark.parametrize("days", [0, -1, 91, "seven"])
def test_final_notice_gap_is_validated(client, user, days):
    response = client.put(
        "/api/reminder-policy", json={"steps": [], "final_notice_min_days": days}, headers=user["headers"]
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["final_notice_min_days"]


def test_policy_change_replans_open_invoices(client, user):
    customer = make_client(client, user)
    invoice = make_invoice(client, user, customer["id"])
    assert len(timeline(client, user, invoice["id"])["items"]) == 5
    client.put(
        "/api/reminder-policy", json={"steps": [{"offset_days": 1, "template_key": "firm"}]}, headers=user["headers"]
    )
    items = timeline(client, user, invoice["id"])["items"]
    assert [(i["step_key"], i["state"]) for i in items if i["state"] == "pending"] == [("d+1", "pending")]
    canceled = [i for i in items if i["state"] == "canceled"]
    assert len(canceled) == 5
    assert canceled[0]["reason"] == "policy_changed"
    assert "policy changed" in canceled[0]["explanation"]


def test_client_policy_modes(client, user):
    customer = make_client(client, user)
    path = f"/api/clients/{customer['id']}/reminder-policy"
    assert client.get(path, headers=user["headers"]).json() == {
        "client_id": customer["id"],
        "mode": "account",
        "steps": DEFAULT,
    }
    custom = client.put(
        path, json={"mode": "custom", "steps": [{"offset_days": 2, "template_key": "firm"}]}, headers=user["headers"]
    )
    assert custom.status_code == 200
    assert custom.json()["steps"] == [
        {"offset_days": 2, "template_key": "firm", "step_key": "d+2", "fee": None, "attach_pdf": True}
    ]
    none = client.put(path, json={"mode": "none"}, headers=user["headers"])
    assert (none.json()["mode"], none.json()["steps"]) == ("none", [])
    empty = client.put(path, json={"mode": "custom", "steps": []}, headers=user["headers"])
    assert empty.status_code == 422 and empty.json()["detail"][0]["field"] == "steps"
    dup = client.put(
        path,
        json={"mode": "custom", "steps": [{"offset_days": 2, "template_key": "firm"}] * 2},
        headers=user["headers"],
    )
    assert dup.status_code == 422 and dup.json()["detail"][0]["field"] == "steps.1.offset_days"
    back = client.put(path, json={"mode": "account"}, headers=user["headers"])
    assert back.json()["mode"] == "account"


def test_pause_and_resume_client_and_invoice(client, user):
    customer = make_client(client, user)
    invoice = make_invoice(client, user, customer["id"])
    paused = client.post(f"/api/clients/{customer['id']}/pause", json={}, headers=user["headers"])
    assert paused.json() == {"paused": True, "paused_until": None}
    view = timeline(client, user, invoice["id"])
    assert view["client_paused"] is True
    assert {(i["state"], i["reason"]) for i in view["items"]} == {("canceled", "client_paused")}
    assert view["items"][0]["explanation"] == "Reminders for this client are paused."
    resumed = client.post(f"/api/clients/{customer['id']}/resume", headers=user["headers"])
    assert resumed.json() == {"paused": False, "paused_until": None}
    assert len([i for i in timeline(client, user, invoice["id"])["items"] if i["state"] == "pending"]) == 5

    until = client.post(f"/api/invoices/{invoice['id']}/pause", json={"until": "2026-12-20"}, headers=user["headers"])
    assert until.json() == {"paused": True, "paused_until": "2026-12-20"}
    view = timeline(client, user, invoice["id"])
    assert (view["paused"], view["paused_until"]) == (True, "2026-12-20")
    pending = [i for i in view["items"] if i["state"] == "pending"]
    assert min(i["scheduled_for"] for i in pending) == "2026-12-21T08:00:00Z"  # Monday after, 09:00 Berlin
    past = client.post(f"/api/invoices/{invoice['id']}/pause", json={"until": "2026-11-25"}, headers=user["headers"])
    assert past.status_code == 422 and past.json()["detail"][0]["field"] == "until"
    assert client.post(f"/api/invoices/{invoice['id']}/resume", headers=user["headers"]).json()["paused"] is False


def test_timeline_after_payment_explains_each_row(client, user):
    customer = make_client(client, user)
    invoice = make_invoice(client, user, customer["id"])
    client.post(f"/api/invoices/{invoice['id']}/payments", json={"amount": "400.00"}, headers=user["headers"])
    view = timeline(client, user, invoice["id"])
    assert [i["step_key"] for i in view["items"]] == ["d-3", "d+0", "d+7", "d+14", "d+30"]
    assert {(i["state"], i["explanation"]) for i in view["items"]} == {("canceled", "The invoice was paid.")}
    assert all(i["next_attempt_at"] is None for i in view["items"])


def test_failed_reminder_shows_its_reason(client, user, session):
    customer = make_client(client, user)
    invoice = make_invoice(client, user, customer["id"])
    first = timeline(client, user, invoice["id"])["items"][0]
    session.execute(
        update(Reminder)
        .where(Reminder.id == first["id"])
        .values(state="failed", reason="rejected", detail="406 Inactive recipient", attempts=1)
    )
    session.flush()
    row = timeline(client, user, invoice["id"])["items"][0]
    assert (row["state"], row["reason"], row["explanation"], row["attempts"]) == (
        "failed",
        "rejected",
        "406 Inactive recipient",
        1,
    )
    again = client.post(f"/api/reminders/{first['id']}/send-now", headers=user["headers"])
    assert again.status_code == 200
    assert (again.json()["state"], again.json()["reason"], again.json()["attempts"]) == ("pending", "send_now", 0)


def test_send_now_and_cancel(client, user, session):
    customer = make_client(client, user)
    invoice = make_invoice(client, user, customer["id"])
    items = timeline(client, user, invoice["id"])["items"]
    now = client.post(f"/api/reminders/{items[4]['id']}/send-now", headers=user["headers"])
    assert now.status_code == 200
    assert now.json()["next_attempt_at"] == "2026-11-25T10:00:00Z"
    canceled = client.post(f"/api/reminders/{items[1]['id']}/cancel", headers=user["headers"])
    assert (canceled.json()["state"], canceled.json()["explanation"]) == ("canceled", "Canceled by you.")
    assert client.post(f"/api/reminders/{items[1]['id']}/cancel", headers=user["headers"]).status_code == 409
    assert client.post(f"/api/reminders/{items[1]['id']}/send-now", headers=user["headers"]).status_code == 409
    session.execute(update(Reminder).where(Reminder.id == items[0]["id"]).values(state="sent"))
    session.flush()
    sent = client.post(f"/api/reminders/{items[0]['id']}/send-now", headers=user["headers"])
    assert (sent.status_code, sent.json()["detail"]) == (409, "This reminder was already sent")


def test_other_accounts_reminders_are_not_found(client, user):
    customer = make_client(client, user)
    invoice = make_invoice(client, user, customer["id"])
    reminder_id = timeline(client, user, invoice["id"])["items"][0]["id"]
    stranger = register(client)
    headers = stranger["headers"]
    assert client.get(f"/api/invoices/{invoice['id']}/reminders", headers=headers).status_code == 404
    assert client.post(f"/api/reminders/{reminder_id}/send-now", headers=headers).status_code == 404
    assert client.post(f"/api/reminders/{reminder_id}/cancel", headers=headers).status_code == 404
    assert client.get(f"/api/clients/{customer['id']}/reminder-policy", headers=headers).status_code == 404
    assert client.post(f"/api/clients/{customer['id']}/pause", json={}, headers=headers).status_code == 404
    assert client.post(f"/api/invoices/{invoice['id']}/pause", json={}, headers=headers).status_code == 404
    assert client.get("/api/reminder-policy").status_code == 401


def test_go_live_and_back_to_test_mode(client, user):
    assert client.get("/api/account", headers=user["headers"]).json()["test_mode"] is True
    client.patch("/api/account", json={"payment_instructions": "IBAN DE02 1203"}, headers=user["headers"])
    live = client.post("/api/account/go-live", headers=user["headers"], json={"confirm": True})
    assert live.status_code == 200 and live.json()["test_mode"] is False
    assert client.get("/api/account", headers=user["headers"]).json()["test_mode"] is False
    back = client.post("/api/account/test-mode", headers=user["headers"])
    assert back.json()["test_mode"] is True


def test_account_reminder_list_filters_sorts_and_names_invoice_and_client(client, user):
    globex = make_client(client, user)
    initech = make_client(client, user, name="Initech", email="ap@initech.example.com")
    first = make_invoice(client, user, globex["id"], due="2026-12-08", number="INV-1")
    make_invoice(client, user, initech["id"], due="2026-12-15", number="INV-2")
    target = timeline(client, user, first["id"])["items"][0]["id"]
    assert client.post(f"/api/reminders/{target}/cancel", headers=user["headers"]).status_code == 200

    response = client.get("/api/reminders", params={"state": "pending", "page_size": 3}, headers=user["headers"])
    assert response.status_code == 200, response.text
    body = response.json()
    # 5 steps each, one canceled: 9 pending, the earliest first.
    assert body["total"] == 9
    assert [(r["invoice_number"], r["step_key"]) for r in body["items"]] == [
        ("INV-1", "d+0"),
        ("INV-2", "d-3"),
        ("INV-1", "d+7"),
    ]
    assert body["items"][0]["client_name"] == "Globex" and body["items"][0]["client_id"] == globex["id"]
    times = [r["scheduled_for"] for r in body["items"]]
    assert times == sorted(times)

    latest = client.get(
        "/api/reminders", params={"state": "pending", "sort": "-scheduled_for"}, headers=user["headers"]
    ).json()
    assert (latest["items"][0]["invoice_number"], latest["items"][0]["step_key"]) == ("INV-2", "d+30")

    canceled = client.get("/api/reminders", params={"state": ["canceled", "sent"]}, headers=user["headers"]).json()
    assert [r["id"] for r in canceled["items"]] == [target]
    assert canceled["items"][0]["explanation"] == "Canceled by you."

    only_initech = client.get("/api/reminders", params={"client_id": initech["id"]}, headers=user["headers"]).json()
    assert only_initech["total"] == 5 and {r["invoice_number"] for r in only_initech["items"]} == {"INV-2"}

    window = client.get(
        "/api/reminders",
        params={"scheduled_from": "2026-12-08T00:00:00Z", "scheduled_to": "2026-12-16T00:00:00+00:00"},
        headers=user["headers"],
    ).json()
    assert [(r["invoice_number"], r["step_key"]) for r in window["items"]] == [
        ("INV-1", "d+0"),
        ("INV-2", "d-3"),
        ("INV-1", "d+7"),
        ("INV-2", "d+0"),
    ]


def test_account_reminder_list_is_scoped_and_refuses_bad_filters(client, user):
    make_invoice(client, user, make_client(client, user)["id"])
    other = register(client)
    assert client.get("/api/reminders", headers=other["headers"]).json()["total"] == 0
    naive = client.get("/api/reminders", params={"scheduled_from": "2026-12-08T00:00:00"}, headers=user["headers"])
    assert naive.status_code == 422
    assert "scheduled_from" in naive.text
    bad_state = client.get("/api/reminders", params={"state": "lost"}, headers=user["headers"])
    assert bad_state.status_code == 422 and "state" in bad_state.text
