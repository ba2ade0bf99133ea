"""Invoiced, collected and end-of-period overdue amounts against a history worked out by hand.

The account is in Berlin and today is 2026-11-25. Overdue changes (EUR):
  A 100.00 due 11-09: +100 on 11-10, -40 paid 11-11 23:30 UTC (11-12 in Berlin), -60 on 11-20
  B  50.00 due 11-16, paid early on 11-05: +50 and -50 both on 11-17
  C  80.00 due 10-31, voided 11-18: +80 on 11-01, -80 on 11-18
  D  30.00 due 11-23, open: +30 on 11-24
  F 500.00 due 12-01: not overdue yet
and USD: E 200.00 due 09-30, open: +200 on 10-01.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from duespark.errors import InvalidInput
from duespark.insights.behaviour import RatingThresholds
from duespark.insights.service import summary, timeseries
from tests.helpers import make_account, make_client
from tests.insights.history import invoice, noon, pay


@pytest.fixture
def berlin(session, clock):
    account = make_account(session, clock=clock, name="Berlin Studio", timezone="Europe/Berlin")
    globex = make_client(session, account=account, clock=clock)
    a = invoice(
        session, client=globex, clock=clock, due=date(2026, 11, 9), issue=date(2026, 11, 2), amount_minor=100_00
    )
    pay(session, a, on=datetime(2026, 11, 11, 23, 30, tzinfo=UTC), amount_minor=40_00)
    pay(session, a, on=date(2026, 11, 20))
    b = invoice(
        session, client=globex, clock=clock, due=date(2026, 11, 16), issue=date(2026, 11, 3), amount_minor=50_00
    )
    pay(session, b, on=date(2026, 11, 5))
    invoice(
        session,
        client=globex,
        clock=clock,
        due=date(2026, 10, 31),
        issue=date(2026, 10, 20),
        amount_minor=80_00,
        status="void",
        voided_at=noon(date(2026, 11, 18)),
    )
    invoice(session, client=globex, clock=clock, due=date(2026, 11, 23), issue=date(2026, 11, 10), amount_minor=30_00)
    invoice(session, client=globex, clock=clock, due=date(2026, 12, 1), issue=date(2026, 11, 17), amount_minor=500_00)
    invoice(
        session,
        client=globex,
        clock=clock,
        due=date(2026, 9, 30),
        issue=date(2026, 9, 1),
        amount_minor=200_00,
        currency="USD",
    )
    invoice(session, client=globex, clock=clock, due=date(2026, 11, 12), issue=date(2026, 11, 12), status="draft")
    other = make_client(session, account=make_account(session, clock=clock, name="Other"), clock=clock)
    invoice(session, client=other, clock=clock, due=date(2026, 11, 1), issue=date(2026, 11, 1), amount_minor=9_999_00)
    return account


def _table(result, currency):
    series = next(s for s in result.series if s.currency == currency)
    return [(p.period_start.isoformat(), p.invoiced, p.collected, p.overdue) for p in series.points]


def test_daily_series(session, clock, berlin):
    result = timeseries(
        session,
        account_id=berlin.id,
        granularity="day",
        date_from=date(2026, 11, 9),
        date_to=date(2026, 11, 26),
        clock=clock,
    )
    assert [s.currency for s in result.series] == ["EUR", "USD"]
    overdue = {
        "09": "80.00", "10": "180.00", "11": "180.00", "12": "140.00", "13": "140.00", "14": "140.00",
        "15": "140.00", "16": "140.00", "17": "140.00", "18": "60.00", "19": "60.00", "20": "0.00",
        "21": "0.00", "22": "0.00", "23": "0.00", "24": "30.00", "25": "30.00", "26": None,
    }  # fmt: skip
    invoiced = {"10": "30.00", "17": "500.00"}
    collected = {"12": "40.00", "20": "60.00"}
    assert _table(result, "EUR") == [
        (f"2026-11-{day}", invoiced.get(day, "0.00"), collected.get(day, "0.00"), amount)
        for day, amount in overdue.items()
    ]
    assert {p[3] for p in _table(result, "USD")[:-1]} == {"200.00"}
    assert (result.date_from, result.date_to) == (date(2026, 11, 9), date(2026, 11, 26))


def test_weekly_series_aligns_to_mondays(session, clock, berlin):
    result = timeseries(
        session,
        account_id=berlin.id,
        granularity="week",
        date_from=date(2026, 11, 1),
        date_to=date(2026, 11, 30),
        clock=clock,
    )
    assert (result.date_from, result.date_to) == (date(2026, 10, 26), date(2026, 12, 6))
    assert _table(result, "EUR") == [
        ("2026-10-26", "0.00", "0.00", "80.00"),
        ("2026-11-02", "150.00", "50.00", "80.00"),
        ("2026-11-09", "30.00", "40.00", "140.00"),
        ("2026-11-16", "500.00", "60.00", "0.00"),
        ("2026-11-23", "0.00", "0.00", "30.00"),  # the current week: as of today
        ("2026-11-30", "0.00", "0.00", None),
    ]
    assert result.series[0].points[0].period_end == date(2026, 11, 1)


def test_monthly_series(session, clock, berlin):
    result = timeseries(
        session,
        account_id=berlin.id,
        granularity="month",
        date_from=date(2026, 9, 15),
        date_to=date(2026, 11, 2),
        clock=clock,
    )
    assert (result.date_from, result.date_to) == (date(2026, 9, 1), date(2026, 11, 30))
    assert _table(result, "EUR") == [
        ("2026-09-01", "0.00", "0.00", "0.00"),
        ("2026-10-01", "0.00", "0.00", "0.00"),
        ("2026-11-01", "680.00", "150.00", "30.00"),
    ]
    assert _table(result, "USD") == [
        ("2026-09-01", "200.00", "0.00", "0.00"),
        ("2026-10-01", "0.00", "0.00", "200.00"),
        ("2026-11-01", "0.00", "0.00", "200.00"),
    ]


def test_outstanding_at_the_end_of_each_period(session, clock, berlin):
    """Unpaid balance counted from the issue date: A +100 11-02, -40 11-12, -60 11-20; B +50 11-03, -50 11-05;
    C +80 10-20, voided 11-18; D +30 11-10; F +500 11-17; USD E +200 09-01."""
    monthly = timeseries(
        session,
        account_id=berlin.id,
        granularity="month",
        date_from=date(2026, 9, 1),
        date_to=date(2026, 12, 31),
        clock=clock,
    )
    by_currency = {s.currency: [p.outstanding for p in s.points] for s in monthly.series}
    assert by_currency == {"EUR": ["0.00", "80.00", "530.00", None], "USD": ["200.00", "200.00", "200.00", None]}
    daily = timeseries(
        session,
        account_id=berlin.id,
        granularity="day",
        date_from=date(2026, 11, 1),
        date_to=date(2026, 11, 26),
        clock=clock,
    )
    eur = {p.period_start.day: p.outstanding for p in daily.series[0].points}
    assert [eur[d] for d in (1, 2, 3, 4, 5, 9, 10, 11, 12, 17, 18, 20, 25, 26)] == [
        "80.00", "180.00", "230.00", "230.00", "180.00", "180.00", "210.00", "210.00", "170.00",
        "670.00", "590.00", "530.00", "530.00", None,
    ]  # fmt: skip
    # Today's outstanding is the dashboard's (no invoice here is dated in the future).
    summary_eur = summary(session, account_id=berlin.id, thresholds=RatingThresholds(), clock=clock).currencies[0]
    assert (summary_eur.currency, summary_eur.outstanding) == ("EUR", eur[25])


def test_default_range_ends_today(session, clock, berlin):
    result = timeseries(session, account_id=berlin.id, granularity="day", date_from=None, date_to=None, clock=clock)
    assert (result.date_from, result.date_to) == (date(2026, 10, 27), date(2026, 11, 25))
    assert len(result.series[0].points) == 30


def test_range_limits(session, clock, berlin):
    with pytest.raises(InvalidInput):
        timeseries(
            session,
            account_id=berlin.id,
            granularity="day",
            date_from=date(2024, 1, 1),
            date_to=date(2026, 1, 2),
            clock=clock,
        )
    with pytest.raises(InvalidInput):
        timeseries(
            session,
            account_id=berlin.id,
            granularity="day",
            date_from=date(2026, 2, 1),
            date_to=date(2026, 1, 1),
            clock=clock,
        )
    two_years = timeseries(
        session,
        account_id=berlin.id,
        granularity="month",
        date_from=date(2024, 12, 1),
        date_to=date(2026, 11, 30),
        clock=clock,
    )
    assert len(two_years.series[0].points) == 24


def test_timeseries_api(client, session, clock, owner):
    globex = make_client(session, account=owner["account"], clock=clock)
    paid = invoice(session, client=globex, clock=clock, due=date(2026, 11, 20), issue=date(2026, 11, 2))
    pay(session, paid, on=date(2026, 11, 21))
    response = client.get(
        "/api/insights/timeseries",
        params={"granularity": "month", "date_from": "2026-11-01", "date_to": "2026-11-25"},
        headers=owner["headers"],
    )
    assert response.status_code == 200, response.text
    assert response.json()["series"] == [
        {
            "currency": "EUR",
            "points": [
                {
                    "period_start": "2026-11-01",
                    "period_end": "2026-11-30",
                    "invoiced": "100.00",
                    "collected": "100.00",
                    "overdue": "0.00",
                    "outstanding": "0.00",
                }
            ],
        }
    ]
    too_long = client.get(
        "/api/insights/timeseries",
        params={"date_from": "2020-01-01", "date_to": "2026-01-01"},
        headers=owner["headers"],
    )
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["field"] == "date_to"
    bad = client.get("/api/insights/timeseries", params={"granularity": "year"}, headers=owner["headers"])
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "granularity"
