"""Insights a user can believe: year-old debt is not expected cash, a client who never pays is not
"new", and an invoice 360 days late gets no "likely paid today".

The issue's case: a client with twelve unpaid invoices, 30 to 360 days overdue, and no paid invoice.
"""

from __future__ import annotations

from datetime import date, timedelta

from tests.helpers import make_client
from tests.insights.history import invoice, paid_invoice

TODAY = date(2026, 11, 25)


def _never_payer(session, clock, account):
    client = make_client(session, account=account, clock=clock, name="Dodgy Ltd")
    invoices = [
        invoice(session, client=client, clock=clock, due=TODAY - timedelta(days=30 * n), amount_minor=1_200_00)
        for n in range(1, 13)
    ]
    return client, invoices


def test_a_client_who_never_pays_is_high_risk_not_new(client, session, clock, owner):
    dodgy, invoices = _never_payer(session, clock, owner["account"])
    session.flush()
    body = client.get(f"/api/clients/{dodgy.id}/insights", headers=owner["headers"]).json()
    behaviour = body["behaviour"]
    assert (behaviour["paid_invoices"], behaviour["rating"], behaviour["high_risk"]) == (0, "never_pays", True)
    oldest = invoices[-1]
    assert behaviour["risk_reason"] == (
        f"Has never paid an invoice: 12 unpaid, 14400.00 EUR owed; the oldest, {oldest.number}, is 360 days overdue."
    )
    assert body["oldest_overdue"]["days_overdue"] == 360
    assert body["overdue_balance"] == [{"currency": "EUR", "amount": "14400.00"}]
    # No invoice of such a client gets a date, not even the one 30 days overdue.
    predictions = [item["prediction"] for item in body["open_invoices"]]
    assert [p["predicted_date"] for p in predictions] == [None] * 12
    assert {p["has_estimate"] for p in predictions} == {False}


def test_a_new_client_with_recent_debt_is_still_new(client, session, clock, owner):
    fresh = make_client(session, account=owner["account"], clock=clock, name="Fresh SA")
    invoice(session, client=fresh, clock=clock, due=TODAY - timedelta(days=60), amount_minor=500_00)
    session.flush()
    body = client.get(f"/api/clients/{fresh.id}/insights", headers=owner["headers"]).json()
    assert (body["behaviour"]["rating"], body["behaviour"]["high_risk"], body["behaviour"]["risk_reason"]) == (
        "new",
        False,
        None,
    )


def test_an_invoice_360_days_late_has_no_estimate_and_says_why(client, session, clock, owner):
    payer = make_client(session, account=owner["account"], clock=clock, name="Slow GmbH")
    for n, days_late in enumerate([20, 25, 30]):
        paid_invoice(
            session, client=payer, clock=clock, due=date(2026, 3, 1) + timedelta(days=30 * n), days_late=days_late
        )
    ancient = invoice(session, client=payer, clock=clock, due=TODAY - timedelta(days=360), amount_minor=900_00)
    recent = invoice(session, client=payer, clock=clock, due=TODAY - timedelta(days=10), amount_minor=900_00)
    session.flush()
    body = client.get(f"/api/invoices/{ancient.id}/prediction", headers=owner["headers"]).json()
    assert (body["predicted_date"], body["earliest_date"], body["latest_date"]) == (None, None, None)
    assert body["has_estimate"] is False
    assert body["no_estimate_reason"] == (
        "360 days overdue: past 90 days there is no basis for a payment date; this debt is counted as at risk. "
        "Follow up in person."
    )
    assert (body["basis"], body["confidence_level"], body["past_usual_date"]) == ("client", "low", True)
    # Ten days overdue with the client's own habit of paying 25 days late: still a date.
    body = client.get(f"/api/invoices/{recent.id}/prediction", headers=owner["headers"]).json()
    assert (body["predicted_date"], body["has_estimate"], body["no_estimate_reason"]) == ("2026-12-10", True, None)


def test_a_month_past_the_expected_date_without_own_history_has_no_estimate(client, session, clock, owner):
    once = make_client(session, account=owner["account"], clock=clock, name="Once SA")
    paid_invoice(session, client=once, clock=clock, due=date(2026, 6, 1), days_late=0)
    late = invoice(session, client=once, clock=clock, due=TODAY - timedelta(days=45), amount_minor=100_00)
    session.flush()
    body = client.get(f"/api/invoices/{late.id}/prediction", headers=owner["headers"]).json()
    assert (body["basis"], body["predicted_date"], body["has_estimate"]) == ("account", None, False)
    assert body["no_estimate_reason"] == (
        "Unpaid 45 days after the expected date (2026-10-11), and this client has too few paid invoices to say "
        "when it will pay: no estimate."
    )


def test_the_forecast_expects_no_year_old_debt_and_says_what_it_is_based_on(client, session, clock, owner):
    account = owner["account"]
    _never_payer(session, clock, account)
    good = make_client(session, account=account, clock=clock, name="Good GmbH")
    for n in range(3):
        paid_invoice(session, client=good, clock=clock, due=date(2026, 6, 1) + timedelta(days=30 * n), days_late=5)
    invoice(session, client=good, clock=clock, due=TODAY + timedelta(days=10), amount_minor=2_000_00)  # day 15
    invoice(session, client=good, clock=clock, due=TODAY - timedelta(days=120), amount_minor=700_00)  # at risk
    session.flush()
    [eur] = client.get("/api/insights/summary", headers=owner["headers"]).json()["currencies"]
    # Everything outstanding is still outstanding; only what can be expected is forecast.
    assert eur["outstanding"] == "17100.00"
    assert eur["forecast"] == {
        "days_0_30": "2000.00",
        "days_31_60": "0.00",
        "days_61_90": "0.00",
        "at_risk": "15100.00",
        "at_risk_invoices": 13,
        "at_risk_overdue_days": 90,
        "expected_invoices": 1,
        "invoices_with_own_history": 1,
        "account_paid_invoices": 3,
        "basis": "Expected: 1 open invoice, predicted 1 from their client's own payment history. Not counted: "
        "15100.00 EUR at risk in 13 open invoices (more than 90 days overdue, owed by clients who have never paid, "
        "or a month past the expected date without the client's own history).",
    }
