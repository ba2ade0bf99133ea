"""When open invoices will be paid: the due date plus the client's typical delay.

A client with fewer paid invoices than the rating's `min_paid_invoices` borrows the whole
account's behaviour; an account without any paid invoice predicts the due date itself. The
interval is the predicted date plus or minus one standard deviation of the delays used.

Confidence (0..1) grows with the number of paid invoices behind the estimate and shrinks with
their spread: n / (n + 3) * 1 / (1 + stddev / 7). It is halved for an estimate borrowed from
the account, and halved again once the predicted date has passed unpaid (the client is already
off its pattern; the prediction then moves to today).

An open promise to pay (answers/) replaces the estimate: the promised date (today once it has passed
within its grace days) is the prediction, with the confidence the client's history gives, and the
cash forecast counts the invoice in the promised date's window, never as at risk.

No estimate at all (the dates are null and a reason says why) for an invoice overdue longer than
the at-risk threshold (90 days), for a client who has never paid and owes such debt, and once the
usual date is a month past while the client has too few paid invoices of its own (the estimate is
borrowed from the account or is the due date): "likely paid today" would be a guess. The cash
forecast leaves the same invoices out of what is expected and reports them as at risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import CTE, ColumnElement, Date, case, func, literal, select

from duespark.insights.behaviour import DelayStats, client_delays_cte, rounded_mean
from duespark.insights.sql import days_between
from duespark.models import ClientAnswer, Invoice
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
# Past the usual date by more than this without the client's own history: no estimate.
NO_ESTIMATE_PAST_USUAL_DAYS = 30


class PredictionBasis(StrEnum):
    client = "client"
    account = "account"
    due_date = "due_date"
    # The client promised a date on the pay page (answers/): it replaces the guess from history.
    promise = "promise"


class ConfidenceLevel(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


@dataclass(frozen=True)
class Prediction:
    # None when there is no estimate: `no_estimate_reason` says why.
    predicted_date: date | None
    earliest_date: date | None
    latest_date: date | None
    typical_delay_days: int
    stddev_days: float | None
    basis: PredictionBasis
    paid_invoices_used: int
    confidence: float
    confidence_level: ConfidenceLevel
    # The client's usual payment date has passed without payment.
    past_usual_date: bool
    no_estimate_reason: str | None = None


def basis_stats(
    client: DelayStats, account: DelayStats, *, min_paid_invoices: int
) -> tuple[PredictionBasis, DelayStats]:
    if client.paid_invoices >= min_paid_invoices:
        return PredictionBasis.client, client
    if account.paid_invoices:
        return PredictionBasis.account, account
    return PredictionBasis.due_date, DelayStats()


def no_estimate_reason(
    *,
    due_date: date,
    today: date,
    usual: date,
    basis: PredictionBasis,
    at_risk_overdue_days: int | None,
    client_never_pays: bool,
) -> str | None:
    """Why no payment date can honestly be predicted, or None when one can."""
    overdue = (today - due_date).days
    if at_risk_overdue_days is not None and overdue > at_risk_overdue_days:
        return (
            f"{overdue} days overdue: past {at_risk_overdue_days} days there is no basis for a payment date; "
            "this debt is counted as at risk. Follow up in person."
        )
    if client_never_pays:
        return "This client has never paid an invoice and owes debt long overdue: there is no basis for a payment date."
    passed = (today - usual).days
    if basis != PredictionBasis.client and passed > NO_ESTIMATE_PAST_USUAL_DAYS:
        return (
            f"Unpaid {passed} days after the expected date ({usual.isoformat()}), and this client has too few "
            "paid invoices to say when it will pay: no estimate."
        )
    return None


def predict(
    *,
    due_date: date,
    client: DelayStats,
    account: DelayStats,
    today: date,
    min_paid_invoices: int,
    at_risk_overdue_days: int | None = None,
    client_never_pays: bool = False,
    promised_date: date | None = None,
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
    if promised_date is not None:
        promised = max(promised_date, today)
        return Prediction(
            predicted_date=promised,
            earliest_date=promised,
            latest_date=promised,
            typical_delay_days=stats.typical_days,
            stddev_days=stddev,
            basis=PredictionBasis.promise,
            paid_invoices_used=stats.paid_invoices,
            confidence=round(confidence, 3),
            confidence_level=level,
            past_usual_date=usual < today,
        )
    reason = no_estimate_reason(
        due_date=due_date,
        today=today,
        usual=usual,
        basis=basis,
        at_risk_overdue_days=at_risk_overdue_days,
        client_never_pays=client_never_pays,
    )
    return Prediction(
        predicted_date=None if reason else predicted,
        earliest_date=None if reason else max(predicted - spread, today),
        latest_date=None if reason else predicted + spread,
        typical_delay_days=stats.typical_days,
        stddev_days=stddev,
        basis=basis,
        paid_invoices_used=stats.paid_invoices,
        confidence=round(confidence, 3),
        confidence_level=level,
        past_usual_date=usual < today,
        no_estimate_reason=reason,
    )


@dataclass(frozen=True)
class ForecastSql:
    """The forecast's SQL: outer-join `stats` and `old_debtors` to `Invoice` on `client_id`."""

    stats: CTE
    old_debtors: CTE
    # Open promises to pay, one per invoice at most: outer-join on `invoice_id`.
    promises: CTE
    # 0, 1, 2: the window of an expected invoice's predicted payment; NULL beyond.
    window: ColumnElement[int]
    # Overdue past the threshold, or owed by a client who never pays: not expected, at risk.
    at_risk: ColumnElement[bool]
    # The client has enough paid invoices for its own estimate (else the account's is borrowed).
    own_history: ColumnElement[bool]


def forecast_window(
    account_id: int,
    *,
    timezone: str,
    today: date,
    as_of: datetime,
    min_paid_invoices: int,
    at_risk_overdue_days: int = 90,
) -> ForecastSql:
    """Which forecast window an open invoice's predicted payment falls in: 0, 1, 2, or NULL beyond,
    and whether it is at risk instead (the invoices `predict` gives no estimate for by age or client).

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
    guessed_days = days_between(Invoice.due_date, literal(today, Date)) + delay
    promises = (
        select(ClientAnswer.invoice_id, ClientAnswer.promised_date)
        .where(
            ClientAnswer.account_id == account_id,
            ClientAnswer.kind == "promise",
            ClientAnswer.status == "open",
        )
        .cte("open_promises")
    )
    promised = promises.c.promised_date.is_not(None)
    days_until_paid = case((promised, days_between(promises.c.promised_date, literal(today, Date))), else_=guessed_days)
    windows = [(days_until_paid <= limit, index) for index, limit in enumerate(FORECAST_WINDOWS)]
    cutoff = today - timedelta(days=at_risk_overdue_days)
    old_debtors = (
        select(Invoice.client_id)
        .where(Invoice.account_id == account_id, Invoice.status.in_(UNSETTLED), Invoice.due_date < cutoff)
        .group_by(Invoice.client_id)
        .cte("old_debtors")
    )
    never_pays = stats.c.paid_invoices.is_(None) & old_debtors.c.client_id.is_not(None)
    own_history = func.coalesce(stats.c.paid_invoices, 0) >= min_paid_invoices
    long_past_guess = ~own_history & (guessed_days < -NO_ESTIMATE_PAST_USUAL_DAYS)
    return ForecastSql(
        stats=stats,
        old_debtors=old_debtors,
        promises=promises,
        window=case(*windows, else_=None),
        at_risk=~promised & ((Invoice.due_date < cutoff) | never_pays | long_past_guess),
        own_history=own_history,
    )
