"""Late fees through the API: policy steps with a fee and the statutory rate, field-level 422s, the
invoice's fees, total and adjustments, payments against the total, waiving a fee, preview, timeline and
insights."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from duespark.invoices import adjustments
from duespark.invoices.adjustments import LateFee
from duespark.models import Invoice, InvoiceAdjustment, Message, Reminder
from duespark.reminders import fees
from tests.helpers import register

FIXED_40 = {"kind": "fixed", "amount": "40.00"}


@pytest.fixture
def user(client):
    return register(client)


def make_invoice(client, user, *, due: str = "2026-11-10", amount: str = "1000.00", number: str = "INV-7") -> dict:
    customer = client.post(
        "/api/clients", json={"name": "Globex", "email": "ap@globex.example.com"}, headers=user["headers"]
    )
    response = client.post(
        "/api/invoices",
        json={
            "client_id": customer.json()["id"],
            "number": number,
            "amount": amount,
            "currency": "EUR",
            "issue_date": "2026-11-01",
            "due_date": due,
        },
        headers=user["headers"],
    )
    assert response.status_code == 201, response.text
    return response.json()


def put_policy(client, user, body: dict):
    return client.put("/api/reminder-policy", json=body, headers=user["headers"])


def charge(session, clock, invoice_id: int, *, amount_minor: int, step_key: str = "d+7", days_ago: int = 0) -> None:
    """What the dispatcher does when a step's email with a fee was sent."""
    invoice = session.get(Invoice, invoice_id)
    fee = LateFee(
        account_id=invoice.account_id,
        invoice_id=invoice.id,
        step_key=step_key,
        offset_days=int(step_key[2:]),
        kind="fixed",
        amount_minor=amount_minor,
        currency=invoice.currency,
        base_minor=invoice.amount_minor,
    )
    assert adjustments.record(session.connection(), fee, reminder_id=None, now=clock.now() - timedelta(days=days_ago))
    session.commit()


def test_fees_are_off_by_default_and_set_per_step_with_the_statutory_rate(client, user):
    policy = client.get("/api/reminder-policy", headers=user["headers"]).json()
    assert [s["fee"] for s in policy["steps"]] == [None] * 5
    assert policy["late_interest_annual_rate_percent"] == "12.00"
    response = put_policy(
        client,
        user,
        {
            "steps": [
                {"offset_days": 0, "template_key": "due_today"},
                {"offset_days": 7, "template_key": "firm", "fee": FIXED_40},
                {"offset_days": 14, "template_key": "urgent", "fee": {"kind": "percent", "percent": "2.5"}},
                {"offset_days": 30, "template_key": "final", "fee": {"kind": "daily_interest"}},
                {
                    "offset_days": 45,
                    "template_key": "final",
                    "fee": {"kind": "daily_interest", "annual_rate_percent": 10.25},
                },
            ],
            "late_interest_annual_rate_percent": "10.15",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [s["fee"] for s in body["steps"]] == [
        None,
        {"kind": "fixed", "amount": "40.00", "currency": "EUR", "percent": None, "annual_rate_percent": None},
        {"kind": "percent", "amount": None, "currency": None, "percent": "2.50", "annual_rate_percent": None},
        {"kind": "daily_interest", "amount": None, "currency": None, "percent": None, "annual_rate_percent": None},
        {"kind": "daily_interest", "amount": None, "currency": None, "percent": None, "annual_rate_percent": "10.25"},
    ]
    assert body["late_interest_annual_rate_percent"] == "10.15"
    # Omitted, the rate is kept; a client's own policy takes fees too.
    again = put_policy(client, user, {"steps": body["steps"][:2]}).json()
    assert again["late_interest_annual_rate_percent"] == "10.15"
    customer = client.post("/api/clients", json={"name": "Initech"}, headers=user["headers"]).json()
    own = client.put(
        f"/api/clients/{customer['id']}/reminder-policy",
        json={
            "mode": "custom",
            "steps": [{"offset_days": 10, "template_key": "firm", "fee": FIXED_40 | {"currency": "usd"}}],
        },
        headers=user["headers"],
    )
    assert own.status_code == 200, own.text
    assert own.json()["steps"][0]["fee"]["currency"] == "USD"


@pytest.mark.parametrize(
    ("fee", "offset", "field", "words"),
    [
        (FIXED_40, -3, "steps.0.fee", "after the due date"),
        (FIXED_40, 0, "steps.0.fee", "after the due date"),
        ({"kind": "fixed"}, 7, "steps.0.fee.amount", "amount above zero"),
        ({"kind": "fixed", "amount": "0"}, 7, "steps.0.fee.amount", "greater than zero"),
        ({"kind": "fixed", "amount": "40.001"}, 7, "steps.0.fee.amount", "2 decimal places"),
        ({"kind": "fixed", "amount": 40.5}, 7, "steps.0.fee.amount", "decimal string"),
        ({"kind": "fixed", "amount": "40", "currency": "EURO"}, 7, "steps.0.fee.currency", "ISO 4217"),
        ({"kind": "percent"}, 7, "steps.0.fee.percent", "at most 100"),
        ({"kind": "percent", "percent": 150}, 7, "steps.0.fee.percent", "100"),
        ({"kind": "percent", "percent": "0"}, 7, "steps.0.fee.percent", "0"),
        ({"kind": "percent", "percent": "5.555"}, 7, "steps.0.fee.percent", "decimal places"),
        ({"kind": "daily_interest", "annual_rate_percent": "NaN"}, 7, "steps.0.fee.annual_rate_percent", ""),
        ({"kind": "penalty"}, 7, "steps.0.fee.kind", "fixed"),
    ],
)
def test_invalid_fees_are_refused_field_by_field(client, user, fee, offset, field, words):
    response = put_policy(client, user, {"steps": [{"offset_days": offset, "template_key": "firm", "fee": fee}]})
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["field"] == field
    assert words in error["message"]


def test_invalid_statutory_rate_and_several_bad_steps_at_once(client, user):
    response = put_policy(client, user, {"steps": [], "late_interest_annual_rate_percent": "-1"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["late_interest_annual_rate_percent"]
    response = put_policy(
        client,
        user,
        {
            "steps": [
                {"offset_days": -1, "template_key": "friendly", "fee": FIXED_40},
                {"offset_days": 7, "template_key": "firm", "fee": {"kind": "fixed", "amount": "abc"}},
            ]
        },
    )
    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json()["detail"]) == ["steps.0.fee", "steps.1.fee.amount"]
    # Nothing was saved.
    assert [s["fee"] for s in client.get("/api/reminder-policy", headers=user["headers"]).json()["steps"]] == [None] * 5


def test_invoice_shows_fees_total_and_adjustments_and_is_paid_only_with_its_fees(client, user, session, clock):
    invoice = make_invoice(client, user)
    assert (invoice["fees"], invoice["total"], invoice["balance"]) == ("0.00", "1000.00", "1000.00")
    charge(session, clock, invoice["id"], amount_minor=4000)
    h = user["headers"]
    body = client.get(f"/api/invoices/{invoice['id']}", headers=h).json()
    assert (body["amount"], body["fees"], body["total"], body["balance"]) == ("1000.00", "40.00", "1040.00", "1040.00")
    listed = client.get("/api/invoices", headers=h).json()["items"][0]
    assert (listed["fees"], listed["balance"]) == ("40.00", "1040.00")
    [line] = client.get(f"/api/invoices/{invoice['id']}/adjustments", headers=h).json()["items"]
    assert (line["kind"], line["amount"], line["currency"], line["step_key"]) == ("fixed", "40.00", "EUR", "d+7")
    assert line["description"] == "Late fee, with the reminder 7 days after the due date"
    # The invoice amount alone does not settle it ...
    paid = client.post(f"/api/invoices/{invoice['id']}/payments", json={"amount": "1000.00"}, headers=h).json()
    assert (paid["status"], paid["balance"]) == ("overdue", "40.00")
    too_much = client.post(f"/api/invoices/{invoice['id']}/payments", json={"amount": "40.01"}, headers=h)
    assert too_much.status_code == 422
    # ... the fees do.
    paid = client.post(f"/api/invoices/{invoice['id']}/payments", json={"amount": "40.00"}, headers=h).json()
    assert (paid["status"], paid["balance"], paid["amount_paid"]) == ("paid", "0.00", "1040.00")


def test_amount_and_currency_edits_respect_the_fees(client, user, session, clock):
    invoice = make_invoice(client, user)
    charge(session, clock, invoice["id"], amount_minor=4000)
    h = user["headers"]
    client.post(f"/api/invoices/{invoice['id']}/payments", json={"amount": "1020.00"}, headers=h)
    # 1,000.00 + 40.00 of fees covers the 1,020.00 paid; 970.00 + 40.00 would not.
    assert client.patch(f"/api/invoices/{invoice['id']}", json={"amount": "990.00"}, headers=h).status_code == 200
    low = client.patch(f"/api/invoices/{invoice['id']}", json={"amount": "970.00"}, headers=h)
    assert low.status_code == 422 and low.json()["detail"][0]["field"] == "amount"
    unpaid = make_invoice(client, user, number="INV-8")
    charge(session, clock, unpaid["id"], amount_minor=4000)
    moved = client.patch(f"/api/invoices/{unpaid['id']}", json={"currency": "USD"}, headers=h)
    assert moved.status_code == 422
    assert moved.json()["detail"] == [
        {"field": "currency", "message": "The currency of an invoice with late fees cannot change"}
    ]


def test_preview_and_timeline_show_the_fee(client, user, session, clock):
    put_policy(
        client,
        user,
        {"steps": [{"offset_days": 7, "template_key": "firm", "fee": {"kind": "percent", "percent": "5"}}]},
    )
    invoice = make_invoice(client, user, due="2026-11-18")
    [planned] = client.get(f"/api/invoices/{invoice['id']}/reminders", headers=user["headers"]).json()["items"]
    preview = client.post("/api/reminders/preview", json={"reminder_id": planned["id"]}, headers=user["headers"])
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["late_fee"] == {
        "amount": "50.00",
        "currency": "EUR",
        "description": "Late fee: 5% of €1,000.00 unpaid, with the reminder 7 days after the due date",
    }
    assert "A late-payment charge of €50.00 (5% of the unpaid €1,000.00) has been added" in body["text"]
    assert "(€1,050.00)" in body["subject"]
    # A template preview without a reminder adds no fee.
    plain = client.post(
        "/api/reminders/preview", json={"template_key": "firm", "invoice_id": invoice["id"]}, headers=user["headers"]
    )
    assert plain.json()["late_fee"] is None and "late-payment" not in plain.json()["text"]

    # Sent with its fee, the timeline says so.
    reminder = session.get(Reminder, planned["id"])
    charge(session, clock, invoice["id"], amount_minor=5000)
    session.execute(
        Reminder.__table__.update().where(Reminder.id == reminder.id).values(state="sent", sent_at=clock.now())
    )
    connection = session.connection()
    fee = LateFee(reminder.account_id, invoice["id"], "d+14", 14, "fixed", 100, "EUR", 100_000)
    assert fees.record_sent(connection, fee, reminder_id=reminder.id, now=clock.now())
    session.commit()
    [item] = client.get(f"/api/invoices/{invoice['id']}/reminders", headers=user["headers"]).json()["items"]
    assert item["explanation"] == "A late fee of €1.00 was added to the invoice."


def test_insights_count_fees_as_outstanding(client, user, session, clock):
    invoice = make_invoice(client, user)
    charge(session, clock, invoice["id"], amount_minor=4000)
    [eur] = client.get("/api/insights/summary", headers=user["headers"]).json()["currencies"]
    assert (eur["outstanding"], eur["overdue"]) == ("1040.00", "1040.00")
    insights = client.get(f"/api/clients/{invoice['client_id']}/insights", headers=user["headers"]).json()
    assert insights["open_balance"] == [{"currency": "EUR", "amount": "1040.00"}]
    series = client.get(
        "/api/insights/timeseries", params={"granularity": "day", "date_from": "2026-11-24"}, headers=user["headers"]
    ).json()
    [eur_series] = series["series"]
    assert [p["overdue"] for p in eur_series["points"]] == ["1000.00", "1040.00"]
    assert session.scalar(select(Invoice.balance_minor).where(Invoice.id == invoice["id"])) == 104_000


def test_a_waived_fee_leaves_the_invoice_and_is_never_charged_again(client, user, session, clock):
    invoice = make_invoice(client, user)
    charge(session, clock, invoice["id"], amount_minor=4000, days_ago=1)
    session.commit()
    h = user["headers"]
    [line] = client.get(f"/api/invoices/{invoice['id']}/adjustments", headers=h).json()["items"]
    assert line["waived_at"] is None

    waived = client.post(f"/api/invoices/{invoice['id']}/adjustments/{line['id']}/waive", headers=h)
    assert waived.status_code == 200, waived.text
    assert waived.json()["waived_at"] is not None and waived.json()["amount"] == "40.00"
    body = client.get(f"/api/invoices/{invoice['id']}", headers=h).json()
    assert (body["fees"], body["total"], body["balance"], body["status"]) == ("0.00", "1000.00", "1000.00", "overdue")
    # The line stays on record, marked waived; waiving it again changes nothing.
    [listed] = client.get(f"/api/invoices/{invoice['id']}/adjustments", headers=h).json()["items"]
    assert listed["waived_at"] == waived.json()["waived_at"]
    again = client.post(f"/api/invoices/{invoice['id']}/adjustments/{line['id']}/waive", headers=h)
    assert again.status_code == 200 and again.json()["waived_at"] == waived.json()["waived_at"]
    assert client.get(f"/api/invoices/{invoice['id']}", headers=h).json()["fees"] == "0.00"

    # The step that charged it cannot charge it again.
    session.expire_all()
    inv = session.get(Invoice, invoice["id"])
    fee = LateFee(inv.account_id, inv.id, "d+7", 7, "fixed", 4000, "EUR", inv.amount_minor)
    assert not adjustments.record(session.connection(), fee, reminder_id=None, now=clock.now())
    assert session.scalar(select(Invoice.fees_minor).where(Invoice.id == inv.id)) == 0

    # Insights: the fee counted as overdue from the day it was added until the day it was waived.
    [eur] = client.get("/api/insights/summary", headers=h).json()["currencies"]
    assert (eur["outstanding"], eur["overdue"]) == ("1000.00", "1000.00")
    series = client.get(
        "/api/insights/timeseries", params={"granularity": "day", "date_from": "2026-11-24"}, headers=h
    ).json()
    assert [p["overdue"] for p in series["series"][0]["points"]] == ["1040.00", "1000.00"]


def test_waiving_the_last_fee_owed_settles_the_invoice(client, user, session, clock):
    invoice = make_invoice(client, user)
    charge(session, clock, invoice["id"], amount_minor=4000)
    session.commit()
    h = user["headers"]
    paid = client.post(f"/api/invoices/{invoice['id']}/payments", json={"amount": "1000.00"}, headers=h).json()
    assert (paid["status"], paid["balance"]) == ("overdue", "40.00")
    [line] = client.get(f"/api/invoices/{invoice['id']}/adjustments", headers=h).json()["items"]

    assert client.post(f"/api/invoices/{invoice['id']}/adjustments/{line['id']}/waive", headers=h).status_code == 200
    body = client.get(f"/api/invoices/{invoice['id']}", headers=h).json()
    assert (body["status"], body["balance"], body["total"]) == ("paid", "0.00", "1000.00")
    assert body["paid_at"] is not None
    # Paid: nothing more is sent but the thank-you.
    states = {r["state"] for r in client.get(f"/api/invoices/{invoice['id']}/reminders", headers=h).json()["items"]}
    assert "pending" not in states
    kinds = session.scalars(select(Message.kind).where(Message.invoice_id == invoice["id"])).all()
    assert kinds == ["thank_you"]


def test_a_paid_fee_is_not_waived_and_others_cannot_waive(client, user, session, clock):
    invoice = make_invoice(client, user)
    charge(session, clock, invoice["id"], amount_minor=4000)
    session.commit()
    h = user["headers"]
    client.post(f"/api/invoices/{invoice['id']}/payments", json={"amount": "1040.00"}, headers=h)
    [line] = client.get(f"/api/invoices/{invoice['id']}/adjustments", headers=h).json()["items"]
    refused = client.post(f"/api/invoices/{invoice['id']}/adjustments/{line['id']}/waive", headers=h)
    assert refused.status_code == 409
    assert "refund" in refused.json()["detail"]

    other = make_invoice(client, user, number="INV-8")
    # An adjustment id of another invoice, or of another account's invoice, is not found.
    wrong_invoice = client.post(f"/api/invoices/{other['id']}/adjustments/{line['id']}/waive", headers=h)
    assert wrong_invoice.status_code == 404
    stranger = register(client)
    foreign = client.post(f"/api/invoices/{invoice['id']}/adjustments/{line['id']}/waive", headers=stranger["headers"])
    assert foreign.status_code == 404
    session.expire_all()
    assert session.scalar(select(InvoiceAdjustment.waived_at).where(InvoiceAdjustment.id == line["id"])) is None
    assert session.scalar(select(Invoice.fees_minor).where(Invoice.id == invoice["id"])) == 4000
