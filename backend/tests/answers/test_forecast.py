"""A promised date replaces the prediction: for the invoice, and in the cash forecast (never at risk)."""

from __future__ import annotations

from tests.answers.support import answer, pay_token
from tests.helpers import register


def _invoice(client, headers, *, number: str, due: str, amount: str = "1000.00") -> dict:
    customer = client.post("/api/clients", headers=headers, json={"name": f"C {number}", "email": "ap@c.example.com"})
    invoice = client.post(
        "/api/invoices",
        headers=headers,
        json={
            "client_id": customer.json()["id"],
            "number": number,
            "amount": amount,
            "currency": "EUR",
            "issue_date": "2026-06-01",
            "due_date": due,
        },
    )
    assert invoice.status_code == 201, invoice.text
    return invoice.json()


def _forecast(client, headers) -> dict:
    summary = client.get("/api/insights/summary", headers=headers).json()
    [eur] = [c for c in summary["currencies"] if c["currency"] == "EUR"]
    return eur["forecast"]


def test_a_promise_moves_an_at_risk_invoice_into_the_window_of_its_date(client, settings):
    user = register(client)
    h = user["headers"]
    # 150 days overdue on 25 November 2026: at risk, not expected.
    old = _invoice(client, h, number="OLD-1", due="2026-06-28")
    before = _forecast(client, h)
    assert (before["at_risk"], before["days_0_30"], before["at_risk_invoices"]) == ("1000.00", "0.00", 1)
    assert client.get(f"/api/invoices/{old['id']}/prediction", headers=h).json()["has_estimate"] is False

    assert answer(client, pay_token(settings, old["id"]), "promise", promised_date="2026-12-20").status_code == 303
    after = _forecast(client, h)
    assert (after["at_risk"], after["days_0_30"], after["at_risk_invoices"]) == ("0.00", "1000.00", 0)
    prediction = client.get(f"/api/invoices/{old['id']}/prediction", headers=h).json()
    assert (prediction["basis"], prediction["predicted_date"], prediction["has_estimate"]) == (
        "promise",
        "2026-12-20",
        True,
    )
    insights = client.get(f"/api/clients/{old['client_id']}/insights", headers=h).json()
    assert insights["open_invoices"][0]["prediction"]["predicted_date"] == "2026-12-20"


def test_a_promise_in_the_second_month_counts_there(client, settings):
    user = register(client)
    h = user["headers"]
    client.put("/api/answer-settings", headers=h, json={"promise_limit_days": 60})
    # Due in a week: expected within 30 days, until the client promises 40 days out.
    soon = _invoice(client, h, number="SOON-1", due="2026-12-02", amount="500.00")
    assert _forecast(client, h)["days_0_30"] == "500.00"
    answer(client, pay_token(settings, soon["id"]), "promise", promised_date="2027-01-04")
    forecast = _forecast(client, h)
    assert (forecast["days_0_30"], forecast["days_31_60"]) == ("0.00", "500.00")
