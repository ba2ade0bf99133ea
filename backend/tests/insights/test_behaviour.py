from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest

from duespark.insights import behaviour
from duespark.insights.behaviour import DelayStats, PayerRating, RatingThresholds, TrendDirection
from duespark.insights.service import client_insights
from tests.helpers import make_account, make_client
from tests.insights.history import invoice, paid_invoice, pay, reminder

THRESHOLDS = RatingThresholds()


def _monthly(session, client, clock, delays, *, first_due=date(2026, 1, 5), **fields):
    made = []
    for index, days_late in enumerate(delays):
        due = first_due + timedelta(days=30 * index)
        made.append(paid_invoice(session, client=client, clock=clock, due=due, days_late=days_late, **fields))
    return made


def test_behaviour_metrics_from_paid_invoices(session, clock, account, globex):
    _monthly(session, globex, clock, [-3, 0, 2, 5, 10, 1])
    # Noise that must not count: another client, an open invoice, a void one, another account.
    other = make_client(session, account=account, clock=clock, name="Initech")
    _monthly(session, other, clock, [40, 40, 40])
    invoice(session, client=globex, clock=clock, due=date(2026, 11, 1))
    invoice(session, client=globex, clock=clock, due=date(2026, 10, 1), status="void")
    stranger = make_client(session, account=make_account(session, clock=clock, name="Other"), clock=clock)
    _monthly(session, stranger, clock, [-20])

    insights = client_insights(session, account_id=account.id, client_id=globex.id, thresholds=THRESHOLDS, clock=clock)
    metrics = insights.behaviour
    assert metrics.paid_invoices == 6
    assert metrics.mean_days_late == pytest.approx(15 / 6)
    assert metrics.median_days_late == 1.5  # sorted: -3 0 [1 2] 5 10
    assert metrics.on_time_rate == pytest.approx(2 / 6)  # -3 and 0
    assert metrics.stddev_days == pytest.approx(math.sqrt(139 / 6 - (15 / 6) ** 2))
    assert metrics.rating == PayerRating.late
    # Newest first; only one earlier invoice, too few to call a direction.
    assert metrics.trend.recent_delays == [1, 10, 5, 2, 0]
    assert metrics.trend.recent_mean_days == pytest.approx(3.6)
    assert metrics.trend.direction is None


def test_stats_by_client_agree_with_each_clients_stats(session, clock, account, globex):
    _monthly(session, globex, clock, [-3, 0, 2, 5, 10, 1])
    other = make_client(session, account=account, clock=clock, name="Initech")
    _monthly(session, other, clock, [40, 38])
    make_client(session, account=account, clock=clock, name="Never paid")
    scope = {"account_id": account.id, "timezone": "UTC", "as_of": clock.now()}
    everyone = behaviour.stats_by_client(session, **scope)
    assert set(everyone) == {globex.id, other.id}
    for client_id, stats in everyone.items():
        assert stats == behaviour.client_stats(session, client_id=client_id, **scope)
    assert (everyone[other.id].paid_invoices, everyone[other.id].total_squared_days) == (2, 40 * 40 + 38 * 38)


def test_median_of_odd_count_and_no_history(session, clock, account, globex):
    _monthly(session, globex, clock, [7, -1, 3])
    insights = client_insights(session, account_id=account.id, client_id=globex.id, thresholds=THRESHOLDS, clock=clock)
    assert insights.behaviour.median_days_late == 3

    newcomer = make_client(session, account=account, clock=clock, name="Newcomer")
    empty = client_insights(session, account_id=account.id, client_id=newcomer.id, thresholds=THRESHOLDS, clock=clock)
    assert empty.behaviour.paid_invoices == 0
    assert empty.behaviour.mean_days_late is None
    assert empty.behaviour.median_days_late is None
    assert empty.behaviour.on_time_rate is None
    assert empty.behaviour.mean_reminders_before_payment is None
    assert empty.behaviour.rating == PayerRating.new
    assert empty.behaviour.trend.recent_delays == []


@pytest.mark.parametrize(
    ("delays", "direction"),
    [
        ([0, 0, 0, 10, 10, 10, 10, 10], TrendDirection.worsening),
        ([12, 12, 12, 1, 1, 1, 1, 1], TrendDirection.improving),
        ([3, 4, 2, 3, 4, 2, 3, 4], TrendDirection.stable),
    ],
)
def test_trend_compares_last_five_with_earlier(session, clock, account, globex, delays, direction):
    _monthly(session, globex, clock, delays, first_due=date(2025, 12, 1))
    trend = client_insights(
        session, account_id=account.id, client_id=globex.id, thresholds=THRESHOLDS, clock=clock
    ).behaviour.trend
    assert trend.direction == direction
    assert trend.recent_delays == delays[::-1][:5]
    assert trend.earlier_mean_days == pytest.approx(sum(delays[:3]) / 3)


def test_delay_uses_the_date_of_full_payment_in_the_account_timezone(session, clock):
    berlin = make_account(session, clock=clock, name="Berlin Studio", timezone="Europe/Berlin")
    client = make_client(session, account=berlin, clock=clock)
    due = date(2026, 10, 30)
    late_evening = invoice(session, client=client, clock=clock, due=due)
    # 23:30 UTC on the due date is already the next day in Berlin (UTC+1 in winter).
    pay(session, late_evening, on=datetime(2026, 10, 30, 23, 30, tzinfo=UTC))
    split = invoice(session, client=client, clock=clock, due=due)
    pay(session, split, on=date(2026, 10, 25), amount_minor=40_00)
    pay(session, split, on=date(2026, 11, 4))  # the rest, five days late: only full payment counts
    stats = behaviour.client_stats(
        session, account_id=berlin.id, client_id=client.id, timezone="Europe/Berlin", as_of=clock.now()
    )
    assert (stats.paid_invoices, stats.total_days) == (2, 1 + 5)
    in_utc = behaviour.client_stats(
        session, account_id=berlin.id, client_id=client.id, timezone="UTC", as_of=clock.now()
    )
    assert in_utc.total_days == 0 + 5


def test_payments_after_as_of_are_not_known_yet(session, clock, account, globex):
    _monthly(session, globex, clock, [1, 2, 3, 4])  # paid Jan 6, Feb 6, Mar 8, Apr 8
    as_of = datetime(2026, 3, 1, tzinfo=UTC)
    stats = behaviour.client_stats(session, account_id=account.id, client_id=globex.id, timezone="UTC", as_of=as_of)
    assert (stats.paid_invoices, stats.total_days) == (2, 3)


def test_reminders_before_payment(session, clock, account, globex):
    first, second = _monthly(session, globex, clock, [6, 0])
    # Two reminders reached the client before the first invoice was paid ...
    reminder(session, first, sent_at=datetime(2026, 1, 4, 9, tzinfo=UTC))
    reminder(session, first, sent_at=datetime(2026, 1, 9, 9, tzinfo=UTC), status="delivered")
    # ... while these do not count: after payment, bounced, sent to the owner in test mode.
    reminder(session, first, sent_at=datetime(2026, 1, 12, 9, tzinfo=UTC))
    reminder(session, second, sent_at=datetime(2026, 2, 1, 9, tzinfo=UTC), status="bounced")
    reminder(session, second, sent_at=datetime(2026, 2, 2, 9, tzinfo=UTC), is_test=True)
    insights = client_insights(session, account_id=account.id, client_id=globex.id, thresholds=THRESHOLDS, clock=clock)
    assert insights.behaviour.mean_reminders_before_payment == 1.0  # 2 reminders / 2 paid invoices


def test_open_balance_and_oldest_overdue(session, clock, account, globex):
    today = clock.now().date()
    oldest = invoice(session, client=globex, clock=clock, due=today - timedelta(days=40), amount_minor=300_00)
    pay(session, oldest, on=today - timedelta(days=10), amount_minor=120_00)
    invoice(session, client=globex, clock=clock, due=today - timedelta(days=5), amount_minor=50_00)
    invoice(session, client=globex, clock=clock, due=today, amount_minor=70_00)  # due today: not overdue yet
    invoice(session, client=globex, clock=clock, due=today + timedelta(days=3), amount_minor=5_000, currency="JPY")
    invoice(session, client=globex, clock=clock, due=today - timedelta(days=90), status="draft")
    insights = client_insights(session, account_id=account.id, client_id=globex.id, thresholds=THRESHOLDS, clock=clock)
    assert [(a.currency, a.amount) for a in insights.open_balance] == [("EUR", "300.00"), ("JPY", "5000")]
    assert [(a.currency, a.amount) for a in insights.overdue_balance] == [("EUR", "230.00")]
    assert insights.oldest_overdue is not None
    assert insights.oldest_overdue.invoice_id == oldest.id
    assert insights.oldest_overdue.days_overdue == 40
    assert insights.oldest_overdue.balance.amount == "180.00"
    assert insights.open_invoices_total == 4
    assert [i.due_date for i in insights.open_invoices] == sorted(i.due_date for i in insights.open_invoices)


@pytest.mark.parametrize(
    ("paid", "total_days", "rating"),
    [
        (2, -20, PayerRating.new),
        (4, -8, PayerRating.early),  # mean -2: the boundary is inclusive
        (4, -7, PayerRating.on_time),
        (4, 8, PayerRating.on_time),
        (4, 9, PayerRating.late),
        (4, 56, PayerRating.late),
        (4, 57, PayerRating.chronic_late),
    ],
)
def test_rating_thresholds(paid, total_days, rating):
    assert behaviour.rate(DelayStats(paid_invoices=paid, total_days=total_days), THRESHOLDS) == rating


def test_rating_thresholds_come_from_settings(tmp_path):
    from tests.conftest import make_test_settings

    settings = make_test_settings(tmp_path, "sqlite://", insights_min_paid_invoices=1, insights_late_max_days=30)
    thresholds = RatingThresholds.from_settings(settings)
    assert behaviour.rate(DelayStats(paid_invoices=1, total_days=20), thresholds) == PayerRating.late
    with pytest.raises(ValueError, match="thresholds must rise"):
        make_test_settings(tmp_path, "sqlite://", insights_on_time_max_days=20)


def test_client_insights_api(client, session, clock, owner):
    globex = make_client(session, account=owner["account"], clock=clock)
    _monthly(session, globex, clock, [20, 16, 18, 22])
    open_invoice = invoice(session, client=globex, clock=clock, due=date(2026, 12, 1), amount_minor=450_00)
    response = client.get(f"/api/clients/{globex.id}/insights", headers=owner["headers"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["as_of"] == "2026-11-25"
    assert body["behaviour"]["paid_invoices"] == 4
    assert body["behaviour"]["mean_days_late"] == 19.0
    assert body["behaviour"]["median_days_late"] == 19.0
    assert body["behaviour"]["rating"] == "chronic_late"
    assert body["open_balance"] == [{"currency": "EUR", "amount": "450.00"}]
    assert body["oldest_overdue"] is None
    [listed] = body["open_invoices"]
    assert listed["invoice_id"] == open_invoice.id
    assert listed["prediction"]["predicted_date"] == "2026-12-20"
    assert listed["prediction"]["basis"] == "client"

    stranger = make_client(session, account=make_account(session, clock=clock, name="Other"), clock=clock)
    assert client.get(f"/api/clients/{stranger.id}/insights", headers=owner["headers"]).status_code == 404
    assert client.get("/api/clients/999999/insights", headers=owner["headers"]).status_code == 404
    assert client.get(f"/api/clients/{globex.id}/insights").status_code == 401
