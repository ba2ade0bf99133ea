"""The invoice list behind "Reminders brought in $X this month": exactly the invoices the figure counts."""

from __future__ import annotations

from datetime import UTC, date, datetime

from duespark.models import Account
from tests.helpers import make_account, make_client, register
from tests.insights.history import invoice, pay, reminder
from tests.insights.test_summary import _history


def _recovered(client, headers, **params):
    response = client.get("/api/invoices", params={"recovered": "this_month", **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _figures(client, headers) -> dict[str, str]:
    summary = client.get("/api/insights/summary", headers=headers).json()
    return {c["currency"]: c["collected_within_7_days_of_reminder"] for c in summary["currencies"]}


def test_the_list_holds_exactly_what_the_figure_counts(client, session, clock, owner):
    _history(session, clock, owner["account"])
    # A USD invoice paid in two parts: 3 days after a reminder (counts), and 9 days after it (does not).
    initech = make_client(session, account=owner["account"], clock=clock, name="Initech US")
    usd = invoice(session, client=initech, clock=clock, due=date(2026, 11, 1), amount_minor=900_00, currency="USD")
    reminder(session, usd, sent_at=datetime(2026, 11, 5, 9, tzinfo=UTC))
    pay(session, usd, on=datetime(2026, 11, 8, 9, tzinfo=UTC), amount_minor=250_00)
    pay(session, usd, on=datetime(2026, 11, 14, 9, tzinfo=UTC), amount_minor=100_00)
    session.flush()

    page = _recovered(client, owner["headers"])
    figures = _figures(client, owner["headers"])
    # The 600.00 EUR invoice paid 4 days after its reminder and the USD one; not the 200.00 EUR part payment
    # whose reminders went 10 days and 7 days 3 hours before, nor October's.
    assert sorted((item["currency"], item["amount"]) for item in page["items"]) == [
        ("EUR", "600.00"),
        ("USD", "900.00"),
    ]
    assert page["total"] == 2
    assert page["recovered"] == [{"currency": "EUR", "amount": "600.00"}, {"currency": "USD", "amount": "250.00"}]
    assert {r["currency"]: r["amount"] for r in page["recovered"]} == figures
    # Without the filter the list is the whole account's and carries no recovered totals.
    everything = client.get("/api/invoices", params={"page_size": 200}, headers=owner["headers"]).json()
    assert everything["total"] > page["total"]
    assert everything["recovered"] is None


def test_the_filter_combines_with_the_others(client, session, clock, owner):
    _history(session, clock, owner["account"])
    session.flush()
    assert _recovered(client, owner["headers"], status="overdue")["items"] == []
    assert _recovered(client, owner["headers"], q="Globex")["total"] == 1


def test_this_month_is_the_accounts_month(client, session, clock):
    berlin = register(client, timezone="Europe/Berlin")
    headers = berlin["headers"]
    account = session.get(Account, client.get("/api/me", headers=headers).json()["account"]["id"])
    globex = make_client(session, account=account, clock=clock, name="Globex")
    # 23:30 UTC on October 31 is November 1 in Berlin: counted this month; 22:30 is still October.
    november = invoice(session, client=globex, clock=clock, due=date(2026, 10, 20), amount_minor=70_00)
    reminder(session, november, sent_at=datetime(2026, 10, 30, 9, tzinfo=UTC))
    pay(session, november, on=datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
    october = invoice(session, client=globex, clock=clock, due=date(2026, 10, 20), amount_minor=30_00)
    reminder(session, october, sent_at=datetime(2026, 10, 30, 9, tzinfo=UTC))
    pay(session, october, on=datetime(2026, 10, 31, 22, 30, tzinfo=UTC))
    session.flush()
    page = _recovered(client, headers)
    assert page["recovered"] == [{"currency": "EUR", "amount": "70.00"}]
    assert [item["id"] for item in page["items"]] == [november.id]
    assert _figures(client, headers) == {"EUR": "70.00"}


def test_another_accounts_payments_never_show(client, session, clock, owner):
    stranger = make_client(session, account=make_account(session, clock=clock, name="Other"), clock=clock)
    theirs = invoice(session, client=stranger, clock=clock, due=date(2026, 11, 10), amount_minor=5555_00)
    reminder(session, theirs, sent_at=datetime(2026, 11, 12, 9, tzinfo=UTC))
    pay(session, theirs, on=datetime(2026, 11, 13, 9, tzinfo=UTC))
    session.flush()
    page = _recovered(client, owner["headers"])
    assert page["items"] == [] and page["total"] == 0 and page["recovered"] == []


def test_an_unknown_period_is_refused_with_the_field_named(client, owner):
    for value in ("last_year", "this_month'; drop table invoices;--", "x" * 5000):
        response = client.get("/api/invoices", params={"recovered": value}, headers=owner["headers"])
        assert response.status_code == 422
        assert "recovered" in response.text
