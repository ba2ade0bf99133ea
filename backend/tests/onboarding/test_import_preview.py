"""The import dry run and the go-live preview show what goes out first, rendered by the sending code,
and the import options ("start chasing from today", "don't chase invoices older than N days")."""

from __future__ import annotations

import re

import pytest

from duespark.reminders.planner import plan
from duespark.reminders.worker import ReminderWorker
from tests.helpers import register
from tests.reminders.support import RecordingProvider

# Today is Wednesday 2026-11-25, 10:00 UTC (tests.conftest.TEST_NOW), inside the default send window.
HISTORY = """number,client_email,client_name,amount,currency,issue_date,due_date
A-1,ap@globex.com,Globex,100.00,EUR,2026-11-01,2026-11-18
A-2,ap@globex.com,Globex,200.00,EUR,2026-10-20,2026-11-11
B-1,ap@initech.com,Initech,300.00,EUR,2026-11-20,2026-12-10
C-1,ap@umbrella.com,Umbrella,400.00,EUR,2026-04-01,2026-05-01
D-1,ap@hooli.com,Hooli,500.00,EUR,2026-09-01,2026-10-01
"""
ALL_OFF = {"start_from_today": "false", "dont_chase_older": "false"}


@pytest.fixture
def user(client):
    return register(client)


def _upload(client, user, body: str = HISTORY, **params):
    return client.post(
        "/api/invoices/import",
        headers=user["headers"],
        params=params,
        files={"file": ("invoices.csv", body.encode(), "text/csv")},
    )


def _links(text: str) -> str:
    return re.sub(r"http://testserver/[^\s)]+", "<link>", text)


def _worker_sends(settings, session_factory, clock) -> list:
    """What the real worker sends on its next run: plan everything, dispatch everything due. (The worker's own
    `plan()` asks for REPEATABLE READ, which the test's shared PostgreSQL connection cannot switch to.)"""
    provider = RecordingProvider()
    with session_factory() as session:
        plan(session, clock=clock)
        session.commit()
    ReminderWorker(settings=settings, session_factory=session_factory, clock=clock, provider=provider).dispatch()
    return [email for email in provider.sent if "reminder_id" in email.metadata]


def test_dry_run_previews_exactly_what_the_worker_then_sends(client, user, settings, session_factory, clock):
    preview = _upload(client, user, **ALL_OFF)
    assert preview.status_code == 200, preview.text
    report = preview.json()
    assert report["created"] == 0
    wave = report["first_wave"]
    # Globex gets one statement for its two overdue invoices; Umbrella and Hooli one email each.
    assert (wave["emails"], wave["clients"], wave["invoices"], wave["statements"], wave["singles"]) == (3, 3, 4, 1, 2)
    assert wave["today"] is True and wave["test_mode"] is True and wave["more"] == 0
    assert sum(wave["tones"].values()) == 3
    by_client = {p["client_name"]: p for p in wave["previews"]}
    assert sorted(by_client) == ["Globex", "Hooli", "Umbrella"]
    assert by_client["Globex"]["kind"] == "statement"
    assert sorted(by_client["Globex"]["invoice_numbers"]) == ["A-1", "A-2"]
    assert by_client["Hooli"]["invoice_numbers"] == ["D-1"]
    # Test mode: every email comes to the user, marked.
    assert {p["to"] for p in wave["previews"]} == {user["email"]}
    assert all(p["subject"].startswith("[TEST] ") for p in wave["previews"])
    # The dry run kept nothing.
    assert client.get("/api/invoices", headers=user["headers"]).json()["total"] == 0
    assert client.get("/api/reminders", headers=user["headers"]).json()["total"] == 0

    assert _upload(client, user, dry_run="false", **ALL_OFF).json()["created"] == 5
    sent = _worker_sends(settings, session_factory, clock)
    # Byte for byte, except the links: they (pay, unsubscribe) carry the row ids, which the dry run's rolled-back rows
    # had (on SQLite the real import reuses them; PostgreSQL's sequences move on).
    assert sorted((e.to, e.subject, _links(e.text)) for e in sent) == sorted(
        (p["to"], p["subject"], _links(p["text"])) for p in wave["previews"]
    )
    assert all("http://testserver/pay/" in p["text"] for p in wave["previews"])


def test_defaults_start_from_today_and_leave_old_debts_unchased(client, user, settings, session_factory, clock):
    report = _upload(client, user).json()
    assert report["options"] == {
        "start_from_today": True,
        "dont_chase_older": True,
        "older_than_days": 90,
        # A-1 (7 days late) and A-2 (14 days): steps up to today skipped, the 30-day step is still to come.
        "invoices_started_later": 2,
        "steps_skipped": 7,
        "not_chased_old": 1,  # C-1, 208 days overdue
        "not_chased_no_step_left": 1,  # D-1, 55 days overdue: its last step (30 days) has passed
    }
    assert report["first_wave"]["emails"] == 0
    assert report["first_wave"]["previews"] == []
    assert report["first_wave"]["at"] is None

    created = _upload(client, user, dry_run="false").json()
    assert created["created"] == 5 and created["options"] == report["options"]
    assert _worker_sends(settings, session_factory, clock) == []

    invoices = {
        i["number"]: i["id"]
        for i in client.get("/api/invoices", headers=user["headers"], params={"page_size": 50}).json()["items"]
    }
    timeline = client.get(f"/api/invoices/{invoices['A-1']}/reminders", headers=user["headers"]).json()
    assert timeline["paused"] is False
    states = [(r["step_key"], r["state"], r["reason"]) for r in timeline["items"]]
    assert [s for s in states if s[1] == "skipped"] == [
        (key, "skipped", "chasing_from_today") for key, _, _ in states[:3]
    ]
    assert [s[1] for s in states[3:]] == ["pending", "pending"]

    timeline = client.get(f"/api/invoices/{invoices['C-1']}/reminders", headers=user["headers"]).json()
    assert timeline["paused"] is True
    # One line says why, at its first step; not the same line for each of its steps.
    assert [(r["step_key"], r["state"], r["reason"]) for r in timeline["items"]] == [
        (states[0][0], "canceled", "not_chased")
    ]
    assert timeline["items"][0]["explanation"] == (
        "Not chased: this invoice was more than 90 days overdue when you imported it. "
        "Resume reminders for it to start chasing it."
    )
    timeline = client.get(f"/api/invoices/{invoices['D-1']}/reminders", headers=user["headers"]).json()
    assert timeline["paused"] is True
    assert [(r["step_key"], r["state"], r["reason"]) for r in timeline["items"]] == [
        (states[0][0], "canceled", "not_chased")
    ]
    assert timeline["items"][0]["explanation"].startswith("Not chased: every reminder step of this invoice had passed")

    # Starting to chase them later: both not-chased invoices are resumed and their latest step goes now.
    resumed = client.post("/api/invoices/not-chased/resume", headers=user["headers"])
    assert resumed.status_code == 200 and resumed.json() == {"resumed": 2}
    sent = _worker_sends(settings, session_factory, clock)
    assert len(sent) == 2
    assert all(e.to == user["email"] for e in sent)


def test_older_than_counts_only_invoices_past_the_limit(client, user):
    report = _upload(client, user, start_from_today="false", older_than_days="30").json()
    assert (report["options"]["not_chased_old"], report["options"]["invoices_started_later"]) == (2, 0)
    # Globex's statement is all that goes: C-1 and D-1 are more than 30 days overdue.
    assert report["first_wave"]["emails"] == 1
    assert report["first_wave"]["previews"][0]["client_name"] == "Globex"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"older_than_days": "-1"}, "older_than_days"),
        ({"older_than_days": "0"}, "older_than_days"),
        ({"older_than_days": "99999999999999999999"}, "older_than_days"),
        ({"older_than_days": "ninety"}, "older_than_days"),
        ({"start_from_today": "maybe"}, "start_from_today"),
        ({"dont_chase_older": "[]"}, "dont_chase_older"),
    ],
)
def test_hostile_options_are_422_naming_the_field(client, user, params, field):
    response = _upload(client, user, **params)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["detail"]] == [field]


def test_go_live_needs_confirmation_and_previews_what_goes(client, user):
    # Clients have a way to pay (going live needs one).
    client.patch("/api/account", json={"payment_instructions": "IBAN DE02 1203"}, headers=user["headers"])
    assert _upload(client, user, dry_run="false", **ALL_OFF).json()["created"] == 5
    preview = client.get("/api/account/go-live/preview", headers=user["headers"])
    assert preview.status_code == 200, preview.text
    wave = preview.json()
    assert wave["test_mode"] is False and (wave["emails"], wave["clients"]) == (3, 3)
    # Live: addressed to the clients, not marked as tests.
    assert sorted(p["to"] for p in wave["previews"]) == ["ap@globex.com", "ap@hooli.com", "ap@umbrella.com"]
    assert not any(p["subject"].startswith("[TEST]") for p in wave["previews"])
    # The preview changed nothing.
    assert client.get("/api/account", headers=user["headers"]).json()["test_mode"] is True

    refused = client.post("/api/account/go-live", headers=user["headers"])
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {
            "field": "confirm",
            "message": "3 emails go to 3 clients today once you go live. See GET /api/account/go-live/preview, "
            'then send {"confirm": true} to go live.',
        }
    ]
    not_a_bool = client.post("/api/account/go-live", headers=user["headers"], json={"confirm": "yes please"})
    assert not_a_bool.status_code == 422 and not_a_bool.json()["detail"][0]["field"] == "confirm"
    live = client.post("/api/account/go-live", headers=user["headers"], json={"confirm": True})
    assert live.status_code == 200 and live.json()["test_mode"] is False
