"""How clients pay: days between the due date and full payment, aggregated in SQL.

A delay is the calendar date of `paid_at` in the account's timezone minus the due date, so
paying on the due date is 0 and paying two days early is -2. Only paid invoices whose payment
happened before `as_of` count, which keeps every figure reproducible for a past instant (the
backtest asks "what did we know then?").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CTE, Float, Select, case, cast, func, select
from sqlalchemy.orm import Session

from duespark.insights.sql import days_between, local_date, round_half_away
from duespark.models import Invoice
from duespark.models.enums import InvoiceStatus
from duespark.settings import Settings

RECENT_INVOICES = 5
# A shift smaller than this between recent and earlier invoices is noise, not a trend.
TREND_MIN_SHIFT_DAYS = 2.0


class PayerRating(StrEnum):
    new = "new"
    early = "early"
    on_time = "on_time"
    late = "late"
    chronic_late = "chronic_late"
    # No paid invoice, and debt overdue past the at-risk threshold: high risk, not a new client.
    never_pays = "never_pays"


class TrendDirection(StrEnum):
    improving = "improving"
    stable = "stable"
    worsening = "worsening"


@dataclass(frozen=True)
class RatingThresholds:
    """Ratings by the mean delay; fewer paid invoices than `min_paid_invoices` is `new`."""

    min_paid_invoices: int = 3
    early_max_days: float = -2.0
    on_time_max_days: float = 2.0
    late_max_days: float = 14.0
    at_risk_overdue_days: int = 90

    @classmethod
    def from_settings(cls, settings: Settings) -> RatingThresholds:
        return cls(
            min_paid_invoices=settings.insights_min_paid_invoices,
            early_max_days=settings.insights_early_max_days,
            on_time_max_days=settings.insights_on_time_max_days,
            late_max_days=settings.insights_late_max_days,
            at_risk_overdue_days=settings.insights_at_risk_overdue_days,
        )


@dataclass(frozen=True)
class DelayStats:
    """Aggregates of a set of delays. Sums are integers, so means and spreads are exact."""

    paid_invoices: int = 0
    total_days: int = 0
    total_squared_days: int = 0
    on_time: int = 0
    # The mean rounded half away from zero, by the database, so predictions and the SQL
    # forecast agree to the day.
    typical_days: int = 0

    @property
    def mean_days(self) -> float | None:
        return self.total_days / self.paid_invoices if self.paid_invoices else None

    @property
    def stddev_days(self) -> float | None:
        """Population standard deviation of the delays."""
        if not self.paid_invoices:
            return None
        mean = self.total_days / self.paid_invoices
        return math.sqrt(max(0.0, self.total_squared_days / self.paid_invoices - mean * mean))

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.paid_invoices if self.paid_invoices else None


@dataclass(frozen=True)
class Trend:
    recent_delays: list[int]
    recent_mean_days: float | None
    earlier_mean_days: float | None
    direction: TrendDirection | None


def _delay(timezone: str) -> Any:
    return days_between(local_date(Invoice.paid_at, timezone), Invoice.due_date)


def paid_before(account_id: int, as_of: datetime) -> list[Any]:
    """Conditions selecting the account's invoices fully paid before `as_of`."""
    return [
        Invoice.account_id == account_id,
        Invoice.status == InvoiceStatus.paid,
        Invoice.paid_at.is_not(None),
        Invoice.paid_at <= as_of,
    ]


def rounded_mean(total: Any, count: Any) -> Any:
    """The mean of integer delays rounded half away from zero; the one rounding rule every
    prediction and the forecast share. Exact: integer sums, and a true .5 is a binary float."""
    return func.coalesce(round_half_away(cast(total, Float) / func.nullif(count, 0)), 0)


def _aggregates(delay: Any) -> list[Any]:
    return [
        func.count().label("paid_invoices"),
        func.coalesce(func.sum(delay), 0).label("total_days"),
        func.coalesce(func.sum(delay * delay), 0).label("total_squared_days"),
        func.coalesce(func.sum(case((delay <= 0, 1), else_=0)), 0).label("on_time"),
        rounded_mean(func.sum(delay), func.count()).label("typical_days"),
    ]


def stats_from_row(row: Any) -> DelayStats:
    """DelayStats from a row of the aggregates."""
    return DelayStats(
        paid_invoices=int(row.paid_invoices),
        total_days=int(row.total_days),
        total_squared_days=int(row.total_squared_days),
        on_time=int(row.on_time),
        typical_days=int(row.typical_days),
    )


def client_delays_cte(account_id: int, *, timezone: str, as_of: datetime) -> CTE:
    """Per client with paid invoices: how many, their summed delay and the typical delay, in one GROUP BY over
    the account. Only what a prediction needs: the spread and on-time count would double the work."""
    delays = select(Invoice.client_id, _delay(timezone).label("delay")).where(*paid_before(account_id, as_of))
    inner = delays.subquery("delays")
    count, total = func.count(), func.sum(inner.c.delay)
    return (
        select(
            inner.c.client_id,
            count.label("paid_invoices"),
            total.label("total_days"),
            rounded_mean(total, count).label("typical_days"),
        )
        .group_by(inner.c.client_id)
        .cte("client_delays")
    )


def _stats_query(account_id: int, *, timezone: str, as_of: datetime, client_id: int | None) -> Select[Any]:
    inner = select(_delay(timezone).label("delay")).where(*paid_before(account_id, as_of))
    if client_id is not None:
        inner = inner.where(Invoice.client_id == client_id)
    delays = inner.subquery("delays")
    return select(*_aggregates(delays.c.delay))


def stats_by_client(session: Session, *, account_id: int, timezone: str, as_of: datetime) -> dict[int, DelayStats]:
    """Every client's behaviour, in one GROUP BY over the account (clients without paid invoices are absent)."""
    delays = select(Invoice.client_id, _delay(timezone).label("delay")).where(*paid_before(account_id, as_of))
    inner = delays.subquery("delays")
    rows = session.execute(select(inner.c.client_id, *_aggregates(inner.c.delay)).group_by(inner.c.client_id))
    return {row.client_id: stats_from_row(row) for row in rows}


def account_stats(session: Session, *, account_id: int, timezone: str, as_of: datetime) -> DelayStats:
    """The whole account's behaviour: what a client without enough history is assumed to do."""
    return stats_from_row(
        session.execute(_stats_query(account_id, timezone=timezone, as_of=as_of, client_id=None)).one()
    )


def client_stats(session: Session, *, account_id: int, client_id: int, timezone: str, as_of: datetime) -> DelayStats:
    return stats_from_row(
        session.execute(_stats_query(account_id, timezone=timezone, as_of=as_of, client_id=client_id)).one()
    )


def median_days(
    session: Session, *, account_id: int, client_id: int, timezone: str, as_of: datetime, paid_invoices: int
) -> float | None:
    """The median delay, read as the middle one or two rows of the ordered delays (portable SQL)."""
    if paid_invoices == 0:
        return None
    delay = _delay(timezone)
    middle = session.scalars(
        select(delay)
        .where(*paid_before(account_id, as_of), Invoice.client_id == client_id)
        .order_by(delay)
        .offset((paid_invoices - 1) // 2)
        .limit(2 - paid_invoices % 2)
    ).all()
    return sum(middle) / len(middle)


def trend(
    session: Session,
    *,
    account_id: int,
    client_id: int,
    timezone: str,
    as_of: datetime,
    stats: DelayStats,
    min_history: int,
) -> Trend:
    """The last few invoices against the ones before them; no direction without enough of both."""
    delay = _delay(timezone)
    recent = list(
        session.scalars(
            select(delay)
            .where(*paid_before(account_id, as_of), Invoice.client_id == client_id)
            .order_by(Invoice.paid_at.desc(), Invoice.id.desc())
            .limit(RECENT_INVOICES)
        )
    )
    if not recent:
        return Trend(recent_delays=[], recent_mean_days=None, earlier_mean_days=None, direction=None)
    recent_mean = sum(recent) / len(recent)
    earlier_count = stats.paid_invoices - len(recent)
    if earlier_count < min_history:
        return Trend(recent_delays=recent, recent_mean_days=recent_mean, earlier_mean_days=None, direction=None)
    earlier_mean = (stats.total_days - sum(recent)) / earlier_count
    shift = recent_mean - earlier_mean
    if shift <= -TREND_MIN_SHIFT_DAYS:
        direction = TrendDirection.improving
    elif shift >= TREND_MIN_SHIFT_DAYS:
        direction = TrendDirection.worsening
    else:
        direction = TrendDirection.stable
    return Trend(
        recent_delays=recent, recent_mean_days=recent_mean, earlier_mean_days=earlier_mean, direction=direction
    )


def never_pays(stats: DelayStats, oldest_overdue_days: int | None, thresholds: RatingThresholds) -> bool:
    """No invoice ever paid, and one unpaid past the at-risk threshold: not new, the highest risk."""
    return (
        stats.paid_invoices == 0
        and oldest_overdue_days is not None
        and oldest_overdue_days > thresholds.at_risk_overdue_days
    )


def rate_client(stats: DelayStats, oldest_overdue_days: int | None, thresholds: RatingThresholds) -> PayerRating:
    """The rating shown for a client: `rate`, except that a client who never pays is not "new"."""
    if never_pays(stats, oldest_overdue_days, thresholds):
        return PayerRating.never_pays
    return rate(stats, thresholds)


def rate(stats: DelayStats, thresholds: RatingThresholds) -> PayerRating:
    mean = stats.mean_days
    if mean is None or stats.paid_invoices < thresholds.min_paid_invoices:
        return PayerRating.new
    if mean <= thresholds.early_max_days:
        return PayerRating.early
    if mean <= thresholds.on_time_max_days:
        return PayerRating.on_time
    if mean <= thresholds.late_max_days:
        return PayerRating.late
    return PayerRating.chronic_late
