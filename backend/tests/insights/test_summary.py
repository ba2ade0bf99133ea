"""The dashboard summary against figures worked out by hand (today is 2026-11-25, a Wednesday)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from duespark.insights.behaviour import RatingThresholds
from duespark.insights.service import summary
from duespark.models import PaymentLinkClick
from tests.helpers import make_account, make_client
from tests.insights.history import invoice, paid_invoice, pay, reminder


def _history(session, clock, account):
    globex = make_client(session, account=account, clock=clock, name="Globex")
    umbrella = make_client(session, account=account, clock=clock, name="Umbrella")
    initech = make_client(session, account=account, clock=clock, name="Initech")
    # Globex, EUR. Issue dates are 14 days before the due date.
    invoice(session, client=globex, clock=clock, due=date(2026, 11, 25), amount_minor=1000_00)  # due today: current
    partly = invoice(session, client=globex, clock=clock, due=date(2026, 10, 26), amount_minor=500_00)  # 30 days late
    pay(session, partly, on=date(2026, 11, 20), amount_minor=200_00)
    invoice(session, client=globex, clock=clock, due=date(2026, 10, 25), amount_minor=400_00)  # 31 days
    invoice(session, client=globex, clock=clock, due=date(2026, 9, 11), amount_minor=250_00)  # 75 days, issued 08-28
    invoice(session, client=globex, clock=clock, due=date(2026, 7, 28), amount_minor=150_00)  # 120 days
    prompt = paid_invoice(session, client=globex, clock=clock, due=date(2026, 11, 10), days_late=2, amount_minor=600_00)
    earlier = paid_invoice(
        session, client=globex, clock=clock, due=date(2026, 10, 1), days_late=19, amount_minor=300_00
    )
    invoice(session, client=globex, clock=clock, due=date(2026, 11, 1), amount_minor=999_00, status="draft")
    voided = invoice(session, client=globex, clock=clock, due=date(2026, 11, 1), amount_minor=777_00, status="void")
    voided.voided_at = clock.now() - timedelta(days=3)
    # Umbrella, EUR: three invoices paid 30 days late long ago, two open ones issued in the future.
    for month in (1, 2, 3):
        paid_invoice(session, client=umbrella, clock=clock, due=date(2026, month, 10), days_late=30)
    invoice(session, client=umbrella, clock=clock, due=date(2026, 12, 20), amount_minor=2000_00)
    invoice(session, client=umbrella, clock=clock, due=date(2027, 1, 20), amount_minor=3000_00)
    # Initech, USD: one open invoice issued in the future.
    invoice(session, client=initech, clock=clock, due=date(2026, 12, 20), amount_minor=1234_56, currency="USD")

    # Reminders: 4 days before the 600.00 payment (counts as prompted); 10 days and 7 days 3 hours
    # before the 200.00 payment (not prompted); one in October; ones that never reached anybody.
    reminder(session, prompt, sent_at=datetime(2026, 11, 8, 9, tzinfo=UTC))
    reminder(session, partly, sent_at=datetime(2026, 11, 10, 12, tzinfo=UTC))
    reminder(session, partly, sent_at=datetime(2026, 11, 13, 9, tzinfo=UTC), status="delivered")
    reminder(session, earlier, sent_at=datetime(2026, 10, 10, 9, tzinfo=UTC))
    reminder(session, partly, sent_at=datetime(2026, 11, 19, 9, tzinfo=UTC), status="failed")
    reminder(session, partly, sent_at=datetime(2026, 11, 19, 9, tzinfo=UTC), is_test=True)

    # Pay-link clicks: reminder 101 opened twice, 102 once, one from October, one without a reminder.
    for reminder_id, clicked in [(101, (11, 9)), (101, (11, 12)), (102, (11, 14)), (103, (10, 11)), (None, (11, 15))]:
        session.add(
            PaymentLinkClick(
                account_id=account.id,
                invoice_id=partly.id,
                reminder_id=reminder_id,
                clicked_at=datetime(2026, clicked[0], clicked[1], 10, tzinfo=UTC),
            )
        )

    # Another account's money is never counted.
    stranger = make_client(session, account=make_account(session, clock=clock, name="Other"), clock=clock)
    invoice(session, client=stranger, clock=clock, due=date(2026, 11, 1), amount_minor=5555_00)
    paid_invoice(session, client=stranger, clock=clock, due=date(2026, 11, 10), days_late=0)


EXPECTED_EUR = {
    "currency": "EUR",
    # 1000 + (500 - 200) + 400 + 250 + 150 + 2000 + 3000
    "outstanding": "7100.00",
    "overdue": "1100.00",
    "aging": {
        "current": "6000.00",
        "days_1_30": "300.00",
        "days_31_60": "400.00",
        "days_61_90": "250.00",
        "days_over_90": "150.00",
    },
    # Issued 2026-08-28..2026-11-25: 1000 + 500 + 400 + 250 + 600 + 300 = 3050; 7100 / 3050 * 90
    "days_sales_outstanding": 209.5,
    "collected_this_month": "800.00",
    "collected_within_7_days_of_reminder": "600.00",
    # Account behaviour: delays 2, 19, 30, 30, 30 -> mean 22.2 -> 22 days; Umbrella's own: 30.
    # Globex (2 paid, so the account's 22): today+22, -30+22, -31+22 are expected within 30 days; the 250.00
    # expected 53 days ago (-75+22) without Globex's own history, and the 150.00 120 days overdue, are at risk.
    # Umbrella: 2026-12-20 + 30 = day 55; 2027-01-20 + 30 = day 86.
    "forecast": {
        "days_0_30": "1700.00",
        "days_31_60": "2000.00",
        "days_61_90": "3000.00",
        "at_risk": "400.00",
        "at_risk_invoices": 2,
        "at_risk_overdue_days": 90,
        "expected_invoices": 5,
        "invoices_with_own_history": 2,
        "account_paid_invoices": 5,
        "basis": "Expected: 5 open invoices, predicted 2 from their client's own payment history and 3 from the "
        "account's average delay over 5 paid invoices (newer clients). Not counted: 400.00 EUR at risk in 2 open "
        "invoices (more than 90 days overdue, owed by clients who have never paid, or a month past the expected "
        "date without the client's own history).",
    },
}
EXPECTED_USD = {
    "currency": "USD",
    "outstanding": "1234.56",
    "overdue": "0.00",
    "aging": {
        "current": "1234.56",
        "days_1_30": "0.00",
        "days_31_60": "0.00",
        "days_61_90": "0.00",
        "days_over_90": "0.00",
    },
    "days_sales_outstanding": None,  # nothing invoiced in the last 90 days
    "collected_this_month": "0.00",
    "collected_within_7_days_of_reminder": "0.00",
    # Initech has no history: the account's 22 days, 2026-12-20 + 22 = day 47.
    "forecast": {
        "days_0_30": "0.00",
        "days_31_60": "1234.56",
        "days_61_90": "0.00",
        "at_risk": "0.00",
        "at_risk_invoices": 0,
        "at_risk_overdue_days": 90,
        "expected_invoices": 1,
        "invoices_with_own_history": 0,
        "account_paid_invoices": 5,
        "basis": "Expected: 1 open invoice, predicted 1 from the account's average delay over 5 paid invoices "
        "(newer clients).",
    },
}


def test_summary_matches_hand_computed_figures(client, session, clock, owner):
    _history(session, clock, owner["account"])
    response = client.get("/api/insights/summary", headers=owner["headers"])
    assert response.status_code == 200, response.text
    assert response.json() == {
        "as_of": "2026-11-25",
        "month_start": "2026-11-01",
        "currencies": [EXPECTED_EUR, EXPECTED_USD],
        "reminders_sent_this_month": 3,
        # Two distinct reminders clicked this month out of three sent.
        "payment_link_click_rate": 0.6667,
    }


def test_summary_of_an_empty_account(client, owner):
    response = client.get("/api/insights/summary", headers=owner["headers"])
    assert response.status_code == 200
    assert response.json()["currencies"] == []
    assert response.json()["reminders_sent_this_month"] == 0


def test_this_month_is_the_accounts_calendar_month(session, clock):
    berlin = make_account(session, clock=clock, name="Berlin Studio", timezone="Europe/Berlin")
    globex = make_client(session, account=berlin, clock=clock)
    # 23:30 UTC on October 31 is already November 1 in Berlin; 22:30 is still October.
    in_november = invoice(session, client=globex, clock=clock, due=date(2026, 11, 20), amount_minor=70_00)
    pay(session, in_november, on=datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
    in_october = invoice(session, client=globex, clock=clock, due=date(2026, 11, 20), amount_minor=30_00)
    pay(session, in_october, on=datetime(2026, 10, 31, 22, 30, tzinfo=UTC))
    result = summary(session, account_id=berlin.id, thresholds=RatingThresholds(), clock=clock)
    assert [(c.currency, c.collected_this_month) for c in result.currencies] == [("EUR", "70.00")]
    # And the summary sees "today" in Berlin: 23:30 UTC on November 30 is December 1 there.
    clock.set(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    result = summary(session, account_id=berlin.id, thresholds=RatingThresholds(), clock=clock)
    assert (result.as_of, result.month_start) == (date(2026, 12, 1), date(2026, 12, 1))
    assert result.currencies[0].collected_this_month == "0.00"
