from __future__ import annotations

from datetime import date, timedelta

import pytest

from duespark.insights import behaviour, forecast, service
from duespark.insights.behaviour import DelayStats, RatingThresholds
from duespark.insights.forecast import ConfidenceLevel, PredictionBasis, predict
from duespark.money import parse_amount
from tests.helpers import make_account, make_client
from tests.insights.history import invoice, paid_invoice

TODAY = date(2026, 11, 25)


def _stats(*delays: int) -> DelayStats:
    mean = sum(delays) / len(delays)
    typical = int(mean + 0.5) if mean >= 0 else -int(-mean + 0.5)
    return DelayStats(
        paid_invoices=len(delays),
        total_days=sum(delays),
        total_squared_days=sum(d * d for d in delays),
        on_time=sum(1 for d in delays if d <= 0),
        typical_days=typical,
    )


def test_prediction_from_the_clients_own_history():
    client = _stats(2, 4, 4, 6)  # mean 4, stddev sqrt(2)
    prediction = predict(
        due_date=date(2026, 12, 10), client=client, account=_stats(30, 30, 30), today=TODAY, min_paid_invoices=3
    )
    assert prediction.basis == PredictionBasis.client
    assert prediction.predicted_date == date(2026, 12, 14)
    assert (prediction.earliest_date, prediction.latest_date) == (date(2026, 12, 13), date(2026, 12, 15))
    assert prediction.stddev_days == pytest.approx(2**0.5)
    expected = 4 / 7 / (1 + 2**0.5 / 7)
    assert prediction.confidence == pytest.approx(expected, abs=1e-3)
    assert prediction.confidence_level == ConfidenceLevel.medium
    assert prediction.past_usual_date is False


def test_new_client_borrows_the_account_behaviour_with_less_confidence():
    account = _stats(*([10] * 30))
    prediction = predict(
        due_date=date(2026, 12, 10), client=_stats(-5, -5), account=account, today=TODAY, min_paid_invoices=3
    )
    assert prediction.basis == PredictionBasis.account
    assert prediction.predicted_date == date(2026, 12, 20)
    assert prediction.paid_invoices_used == 30
    assert prediction.confidence == pytest.approx(30 / 33 * 0.5, abs=1e-3)
    assert prediction.confidence_level == ConfidenceLevel.medium


def test_without_any_history_the_due_date_is_the_guess():
    prediction = predict(
        due_date=date(2026, 12, 10), client=DelayStats(), account=DelayStats(), today=TODAY, min_paid_invoices=3
    )
    assert prediction.basis == PredictionBasis.due_date
    assert prediction.predicted_date == prediction.latest_date == date(2026, 12, 10)
    assert prediction.confidence == 0
    assert prediction.confidence_level == ConfidenceLevel.low


def test_steady_long_history_is_high_confidence():
    prediction = predict(
        due_date=date(2026, 12, 10), client=_stats(*([3] * 30)), account=DelayStats(), today=TODAY, min_paid_invoices=3
    )
    assert prediction.confidence == pytest.approx(30 / 33, abs=1e-3)
    assert prediction.confidence_level == ConfidenceLevel.high


def test_a_passed_usual_date_moves_the_prediction_to_today():
    prediction = predict(
        due_date=date(2026, 11, 1), client=_stats(*([3] * 30)), account=DelayStats(), today=TODAY, min_paid_invoices=3
    )
    assert prediction.past_usual_date is True
    assert prediction.predicted_date == prediction.earliest_date == TODAY
    assert prediction.confidence == pytest.approx(30 / 33 / 2, abs=1e-3)


@pytest.mark.parametrize(("delays", "typical"), [((2, 3), 3), ((-2, -3), -3), ((1, 2, 2), 2), ((0, 0, 1), 0)])
def test_typical_delay_rounds_half_away_from_zero_in_sql(session, clock, account, globex, delays, typical):
    for index, days_late in enumerate(delays):
        paid_invoice(
            session, client=globex, clock=clock, due=date(2026, 3, 1) + timedelta(days=20 * index), days_late=days_late
        )
    stats = behaviour.client_stats(
        session, account_id=account.id, client_id=globex.id, timezone="UTC", as_of=clock.now()
    )
    assert stats.typical_days == typical


def _history(session, clock, account):
    """Three kinds of client: steady and late, early, and new (one paid invoice)."""
    late = make_client(session, account=account, clock=clock, name="Late Ltd")
    early = make_client(session, account=account, clock=clock, name="Early GmbH")
    new = make_client(session, account=account, clock=clock, name="New SA")
    for index, days_late in enumerate([10, 12, 14, 12]):
        paid_invoice(
            session, client=late, clock=clock, due=date(2026, 5, 1) + timedelta(days=30 * index), days_late=days_late
        )
    for index, days_late in enumerate([-3, -3, -2]):
        paid_invoice(
            session, client=early, clock=clock, due=date(2026, 5, 1) + timedelta(days=30 * index), days_late=days_late
        )
    paid_invoice(session, client=new, clock=clock, due=date(2026, 6, 1), days_late=40)
    return late, early, new


def test_forecast_windows_agree_with_per_invoice_predictions(session, clock, account):
    late, early, new = _history(session, clock, account)
    # Account behaviour over all 8 paid invoices: (48 - 8 + 40) / 8 = 10 days late.
    open_invoices = [
        invoice(session, client=late, clock=clock, due=TODAY + timedelta(days=20), amount_minor=100_00),  # day 32
        invoice(session, client=late, clock=clock, due=TODAY - timedelta(days=30), amount_minor=7_00),  # passed: now
        invoice(session, client=early, clock=clock, due=TODAY + timedelta(days=32), amount_minor=200_00),  # day 29
        invoice(session, client=early, clock=clock, due=TODAY + timedelta(days=92), amount_minor=400_00),  # day 89
        invoice(session, client=new, clock=clock, due=TODAY + timedelta(days=55), amount_minor=800_00),  # day 65
        invoice(session, client=new, clock=clock, due=TODAY + timedelta(days=95), amount_minor=1_600_00),  # beyond
        invoice(session, client=new, clock=clock, due=TODAY + timedelta(days=1), amount_minor=3_200, currency="USD"),
        # At risk: 100 days overdue; expected 35 days ago without the client's own history.
        invoice(session, client=late, clock=clock, due=TODAY - timedelta(days=100), amount_minor=11_00),
        invoice(session, client=new, clock=clock, due=TODAY - timedelta(days=45), amount_minor=13_00),
    ]
    scope = {"account_id": account.id, "timezone": "UTC", "as_of": clock.now()}
    account_stats = behaviour.account_stats(session, **scope)
    assert (account_stats.paid_invoices, account_stats.typical_days) == (8, 10)
    summary = service.summary(session, account_id=account.id, thresholds=RatingThresholds(), clock=clock)
    windows = {
        line.currency: [
            parse_amount(getattr(line.forecast, field), line.currency, allow_zero=True)
            for field in ("days_0_30", "days_31_60", "days_61_90", "at_risk")
        ]
        for line in summary.currencies
    }
    assert windows == {"EUR": [7_00 + 200_00, 100_00, 800_00 + 400_00, 11_00 + 13_00], "USD": [3_200, 0, 0, 0]}

    expected: dict[str, list[int]] = {}
    for item in open_invoices:
        client_stats = behaviour.client_stats(session, client_id=item.client_id, **scope)
        prediction = predict(
            due_date=item.due_date,
            client=client_stats,
            account=account_stats,
            today=TODAY,
            min_paid_invoices=3,
            at_risk_overdue_days=90,
        )
        slots = expected.setdefault(item.currency, [0, 0, 0, 0])
        if prediction.predicted_date is None:  # no estimate: at risk, not expected
            slots[3] += item.balance_minor
            continue
        days = (prediction.predicted_date - TODAY).days
        for index, limit in enumerate(forecast.FORECAST_WINDOWS):
            if days <= limit:
                slots[index] += item.balance_minor
                break
    assert windows == expected


def test_prediction_api(client, session, clock, owner):
    account = owner["account"]
    globex = make_client(session, account=account, clock=clock)
    for index, days_late in enumerate([5, 5, 8]):
        paid_invoice(
            session, client=globex, clock=clock, due=date(2026, 6, 1) + timedelta(days=30 * index), days_late=days_late
        )
    open_invoice = invoice(session, client=globex, clock=clock, due=date(2026, 12, 1))
    paid = paid_invoice(session, client=globex, clock=clock, due=date(2026, 10, 1), days_late=6)

    response = client.get(f"/api/invoices/{open_invoice.id}/prediction", headers=owner["headers"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["basis"] == "client"
    assert body["paid_invoices_used"] == 4
    assert body["typical_delay_days"] == 6
    assert body["predicted_date"] == "2026-12-07"
    assert body["confidence_level"] in {"high", "medium", "low"}

    assert client.get(f"/api/invoices/{paid.id}/prediction", headers=owner["headers"]).status_code == 409
    stranger = make_client(session, account=make_account(session, clock=clock, name="Other"), clock=clock)
    foreign = invoice(session, client=stranger, clock=clock, due=date(2026, 12, 1))
    assert client.get(f"/api/invoices/{foreign.id}/prediction", headers=owner["headers"]).status_code == 404
    assert client.get(f"/api/invoices/{open_invoice.id}/prediction").status_code == 401
