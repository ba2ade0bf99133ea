"""When open invoices will be paid: the due date plus the client's typical delay.

A client with fewer paid invoices than the rating's `min_paid_invoices` borrows the whole
account's behaviour; an account without any paid invoice predicts the due date itself. The
interval is the predicted date plus or minus one standard deviation of the delays used.

Confidence (0..1) grows with the number of paid invoices behind the estimate and shrinks with
their spread: n / (n + 3) * 1 / (1 + stddev / 7). It is halved for an estimate borrowed from
the account, and halved again once the predicted date has passed unpaid (the client is already
off its pattern; the prediction then moves to today).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import CTE, ColumnElement, Date, case, func, literal, select

from duespark.insights.behaviour import DelayStats, client_delays_cte, rounded_mean
from duespark.insights.sql import days_between
from duespark.models import Invoice
from duespark.models.enums import InvoiceStatus

UNSETTLED = (InvoiceStatus.open, InvoiceStatus.partially_paid)
# Paid invoices at which an estimate counts as half-established; a week of spread halves confidence.
CONFIDENCE_SAMPLE_HALF = 3
CONFIDENCE_SPREAD_DAYS = 7.0
BORROWED_FACTOR = 0.5
PASSED_FACTOR = 0.5
HIGH_CONFIDENCE = 0.6
MEDIUM_CONFIDENCE = 0.3
# Cash-in windows in days from today; a predicted date already passed counts in the first.
FORECAST_WINDOWS = (30, 60, 90)


class PredictionBasis(StrEnum):
    client = "client"
    account = "account"
    due_date = "due_date"


class ConfidenceLevel(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


@dataclass(frozen=True)
class Prediction:
    predicted_date: date
    earliest_date: date
    latest_date: date
    typical_delay_days: int
    stddev_days: float | None
    basis: PredictionBasis
    paid_invoices_used: int
    confidence: float
    confidence_level: ConfidenceLevel
    # The client's usual payment date has passed without payment.
    past_usual_date: bool


def basis_stats(
    client: DelayStats, account: DelayStats, *, min_paid_invoices: int
) -> tuple[PredictionBasis, DelayStats]:
    if client.paid_invoices >= min_paid_invoices:
        return PredictionBasis.client, client
    if account.paid_invoices:
        return PredictionBasis.account, account
    return PredictionBasis.due_date, DelayStats()


def predict(
    *, due_date: date, client: DelayStats, account: DelayStats, today: date, min_paid_invoices: int
) -> Prediction:
    basis, stats = basis_stats(client, account, min_paid_invoices=min_paid_invoices)
    usual = due_date + timedelta(days=stats.typical_days)
    predicted = max(usual, today)
    stddev = stats.stddev_days
    spread = timedelta(days=round(stddev or 0))
    confidence = 0.0
    if basis != PredictionBasis.due_date:
        n = stats.paid_invoices
        confidence = n / (n + CONFIDENCE_SAMPLE_HALF) / (1 + (stddev or 0) / CONFIDENCE_SPREAD_DAYS)
        if basis == PredictionBasis.account:
            confidence *= BORROWED_FACTOR
    if usual < today:
        confidence *= PASSED_FACTOR
    if confidence >= HIGH_CONFIDENCE:
        level = ConfidenceLevel.high
    elif confidence >= MEDIUM_CONFIDENCE:
        level = ConfidenceLevel.medium
    else:
        level = ConfidenceLevel.low
    return Prediction(
        predicted_date=predicted,
        earliest_date=max(predicted - spread, today),
        latest_date=predicted + spread,
        typical_delay_days=stats.typical_days,
        stddev_days=stddev,
        basis=basis,
        paid_invoices_used=stats.paid_invoices,
        confidence=round(confidence, 3),
        confidence_level=level,
        past_usual_date=usual < today,
    )


def forecast_window(
    account_id: int, *, timezone: str, today: date, as_of: datetime, min_paid_invoices: int
) -> tuple[CTE, ColumnElement[int]]:
    """Which forecast window an open invoice's predicted payment falls in: 0, 1, 2, or NULL beyond.

    The same rule as `predict`, written as SQL over `Invoice` outer-joined to the returned per-client
    delay aggregates on `client_id`; the account's behaviour for new clients is summed from the same
    aggregates, so the paid invoices are read once.
    """
    stats = client_delays_cte(account_id, timezone=timezone, as_of=as_of)
    account_typical = select(rounded_mean(func.sum(stats.c.total_days), func.sum(stats.c.paid_invoices)))
    delay = case(
        (stats.c.paid_invoices >= min_paid_invoices, stats.c.typical_days),
        else_=account_typical.scalar_subquery(),
    )
    days_until_paid = days_between(Invoice.due_date, literal(today, Date)) + delay
    windows = [(days_until_paid <= limit, index) for index, limit in enumerate(FORECAST_WINDOWS)]
    return stats, case(*windows, else_=None)
