"""Broken promises to pay cost an early payer the courtesy pause before the due date (issue #17).

Through the real planner with the fixed clock (25 November 2026, 10:00 UTC), on SQLite and PostgreSQL:
promises resolved since May 26, 2026 (183 days back) count.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from duespark.models import Client, ClientAdaptation, ClientAnswer, Invoice
from duespark.reminders import adaptive, service
from duespark.reminders.planner import plan
from duespark.reminders.policy import DEFAULT_STEPS
from tests.adaptive.support import paid_history
from tests.helpers import make_account, make_client, make_invoice, register
from tests.reminders.support import by_step, reminders_of, set_account_policy

DUE = date(2026, 12, 21)  # a Monday
EARLY_HISTORY = [-4, -5, -3, -4, -4, -4]
EARLY_SUMMARY = "Acme pays 4 days early on average over 6 invoices"


@pytest.fixture
def account(session, clock):
    account = make_account(session, clock=clock)
    set_account_policy(session, account, list(DEFAULT_STEPS), clock=clock)
    return account


@pytest.fixture
def acme(session, clock, account):
    return make_client(session, account=account, clock=clock, name="Acme")


def promises(session, client: Client, invoices: list[Invoice], outcomes: list[tuple[str, int]]) -> None:
    """One promise per (status, days ago it was resolved), on the client's paid invoices in turn."""
    for invoice, (status, days_ago) in zip(invoices, outcomes, strict=False):
        resolved = datetime(2026, 11, 25, 10, tzinfo=UTC) - timedelta(days=days_ago)
        session.add(
            ClientAnswer(
                account_id=client.account_id,
                invoice_id=invoice.id,
                client_id=client.id,
                kind="promise",
                status=status,
                source="pay_page",
                promised_date=(resolved - timedelta(days=3)).date(),
                created_at=resolved - timedelta(days=10),
                resolved_at=resolved,
            )
        )
    session.flush()


def planned(session, clock, client, *, number="NEW-1", due=DUE):
    invoice = make_invoice(session, client=client, clock=clock, due_date=due, number=number)
    plan(session, clock=clock)
    return invoice, by_step(reminders_of(session, invoice.id))


def pre_due(rows):
    row = rows["d-3"]
    return (row.template_key, row.state, row.reason, row.detail)


def test_early_payer_who_broke_promises_gets_the_reminder_before_the_due_date(session, clock, acme):
    paid = paid_history(session, acme, clock, EARLY_HISTORY)
    promises(session, acme, paid, [("missed", 150), ("kept", 90), ("missed", 20)])
    invoice, rows = planned(session, clock, acme)
    reason = "Skipped the courtesy pause: 2 of 3 promises to pay were missed since May 26, 2026."
    assert pre_due(rows) == ("friendly", "pending", "adaptive_promises_missed", reason)
    # The steps after the due date are as for any early payer.
    assert {k: (r.state, r.reason) for k, r in rows.items() if k != "d-3"} == {
        "d+0": ("pending", None),
        "d+7": ("pending", None),
        "d+14": ("pending", None),
        "d+30": ("pending", None),
    }
    timeline = service.invoice_timeline(session, account_id=acme.account_id, invoice_id=invoice.id)
    assert timeline.items[0].explanation == reason
    adaptation = session.get(ClientAdaptation, acme.id)
    assert (adaptation.profile, adaptation.promise_note) == (
        "early",
        "2 of 3 promises to pay were missed since May 26, 2026",
    )


def test_kept_promises_leave_the_courtesy_pause(session, clock, acme):
    paid = paid_history(session, acme, clock, EARLY_HISTORY)
    promises(session, acme, paid, [("kept", 100), ("missed", 60), ("kept", 10)])
    _, rows = planned(session, clock, acme)
    assert pre_due(rows) == ("friendly", "skipped", "adaptive_skipped", f"Skipped: {EARLY_SUMMARY}.")
    assert session.get(ClientAdaptation, acme.id).promise_note is None


def test_only_promises_of_the_last_six_months_count(session, clock, acme):
    paid = paid_history(session, acme, clock, EARLY_HISTORY)
    # Resolved May 25, a day before the window: forgotten. Canceled and open promises never count.
    promises(session, acme, paid, [("missed", 184), ("canceled", 5), ("open", 0)])
    _, rows = planned(session, clock, acme)
    assert pre_due(rows)[1:3] == ("skipped", "adaptive_skipped")
    # The boundary day itself counts: one promise, missed, in words for one.
    promises(session, acme, paid[3:], [("missed", 183)])
    _, rows = planned(session, clock, acme, number="NEW-2")
    assert pre_due(rows) == (
        "friendly",
        "pending",
        "adaptive_promises_missed",
        "Skipped the courtesy pause: 1 of 1 promise to pay was missed since May 26, 2026.",
    )


def test_a_client_who_is_not_early_is_unchanged_by_broken_promises(session, clock, acme):
    paid = paid_history(session, acme, clock, [1, 0, 2, 1])  # on time: no pause to lose
    promises(session, acme, paid, [("missed", 30), ("missed", 20)])
    _, rows = planned(session, clock, acme)
    assert pre_due(rows) == ("friendly", "pending", None, None)
    assert session.get(ClientAdaptation, acme.id).promise_note is None


def test_another_clients_promises_do_not_count(session, clock, account, acme):
    paid_history(session, acme, clock, EARLY_HISTORY)
    globex = make_client(session, account=account, clock=clock, name="Globex")
    promises(session, globex, paid_history(session, globex, clock, [3, 3]), [("missed", 10), ("missed", 5)])
    _, rows = planned(session, clock, acme)
    assert pre_due(rows)[1:3] == ("skipped", "adaptive_skipped")


def test_open_invoices_follow_when_the_promise_record_changes(session, clock, acme):
    paid = paid_history(session, acme, clock, EARLY_HISTORY)
    promises(session, acme, paid, [("missed", 20)])
    first, rows = planned(session, clock, acme)
    assert pre_due(rows)[1:3] == ("pending", "adaptive_promises_missed")
    # Two promises kept later: kept outnumber missed, the pause is back for the invoice already planned.
    promises(session, acme, paid[1:], [("kept", 5), ("kept", 2)])
    planned(session, clock, acme, number="NEW-2")
    plan(session, clock=clock)  # the periodic run plans the client's other invoices
    again = by_step(reminders_of(session, first.id))
    assert pre_due(again) == ("friendly", "skipped", "adaptive_skipped", f"Skipped: {EARLY_SUMMARY}.")


def test_the_rule_and_its_words():
    since = date(2026, 6, 4)
    assert adaptive.promise_note(0, 0, since) is None
    assert adaptive.promise_note(2, 1, since) is None
    assert adaptive.promise_note(1, 1, since) == "1 of 2 promises to pay were missed since June 4, 2026"
    assert adaptive.promise_note(1, 2, since) == "2 of 3 promises to pay were missed since June 4, 2026"
    assert adaptive.promise_window_start(datetime(2026, 12, 4, 0, 30, tzinfo=UTC)) == date(2026, 6, 4)


def test_client_page_states_the_reason(client, session, clock):
    user = register(client, company_name="Ada Design")
    acme = client.post("/api/clients", headers=user["headers"], json={"name": "Acme", "email": "ap@acme.com"}).json()
    model = session.get(Client, acme["id"])
    paid = paid_history(session, model, clock, EARLY_HISTORY)
    promises(session, model, paid, [("missed", 150), ("kept", 90), ("missed", 20)])
    url = f"/api/clients/{acme['id']}/promises"
    before = client.get(url, headers=user["headers"]).json()
    assert before == {"client_id": acme["id"], "kept": 1, "missed": 2, "open": 0, "adaptation": None}
    created = client.post(
        "/api/invoices",
        headers=user["headers"],
        json={
            "client_id": acme["id"],
            "number": "2026-020",
            "amount": "800.00",
            "issue_date": "2026-11-20",
            "due_date": "2026-12-21",
        },
    )
    assert created.status_code == 201, created.text
    record = client.get(url, headers=user["headers"]).json()
    assert record["adaptation"] == "Skipped the courtesy pause: 2 of 3 promises to pay were missed since May 26, 2026."
    timeline = client.get(f"/api/invoices/{created.json()['id']}/reminders", headers=user["headers"]).json()
    assert (timeline["items"][0]["reason"], timeline["items"][0]["explanation"]) == (
        "adaptive_promises_missed",
        record["adaptation"],
    )
    assert client.get(url, headers=register(client)["headers"]).status_code == 404
