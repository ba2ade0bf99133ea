"""Client payment behaviour, dashboard summary and time series, all aggregated in SQL.

Every figure is computed for "now" from the injected clock, with calendar dates in the
account's timezone. Amounts stay integer minor units until the response is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, case, func, literal, null, select, type_coerce, union_all
from sqlalchemy.orm import Session

from duespark.clock import Clock, today_in
from duespark.errors import Conflict, InvalidInput
from duespark.insights import behaviour, forecast
from duespark.insights.behaviour import DelayStats, RatingThresholds
from duespark.insights.recovered import paid_after_reminder, reminder_sent
from duespark.insights.schemas import (
    AgingOut,
    Amount,
    BehaviourOut,
    CashForecastOut,
    ClientInsightsOut,
    CurrencySeries,
    CurrencySummaryOut,
    OpenInvoiceOut,
    OverdueInvoiceOut,
    PredictionOut,
    SummaryOut,
    TimeseriesOut,
    TimeseriesPoint,
    TrendOut,
)
from duespark.insights.sql import Granularity, add_days, later_of, local_date, period_start
from duespark.models import (
    Account,
    Client,
    ClientAnswer,
    Invoice,
    InvoiceAdjustment,
    Message,
    Payment,
    PaymentLinkClick,
)
from duespark.models.enums import InvoiceStatus
from duespark.money import format_amount
from duespark.tenancy import get_owned

UNSETTLED = forecast.UNSETTLED
AGING_LIMITS = (30, 60, 90)
AGING_BUCKETS = len(AgingOut.model_fields)
FORECASTS = len(forecast.FORECAST_WINDOWS)
DSO_DAYS = 90
MAX_OPEN_INVOICES_LISTED = 200
# The longest range per granularity, so a chart request stays a bounded amount of work.
MAX_RANGE_DAYS: dict[str, int] = {"day": 731, "week": 5 * 366, "month": 20 * 366}
DEFAULT_RANGE_DAYS: dict[str, int] = {"day": 30, "week": 7 * 12, "month": 365}


@dataclass(frozen=True)
class AccountClock:
    """An account's view of now: the instant and the calendar date in its timezone."""

    account_id: int
    timezone: str
    now: datetime
    today: date

    def start_of(self, day: date) -> datetime:
        """The UTC instant a calendar day begins in the account's timezone."""
        return datetime.combine(day, time(0), ZoneInfo(self.timezone)).astimezone(ZoneInfo("UTC"))


def account_clock(session: Session, *, account_id: int, clock: Clock) -> AccountClock:
    timezone = session.scalar(select(Account.timezone).where(Account.id == account_id)) or "UTC"
    return AccountClock(account_id=account_id, timezone=timezone, now=clock.now(), today=today_in(clock, timezone))


def _money(amount: int, currency: str) -> str:
    return format_amount(amount, currency)


# --- client behaviour and predictions -------------------------------------------------------


def _prediction_out(invoice: Invoice, prediction: forecast.Prediction) -> PredictionOut:
    return PredictionOut(
        invoice_id=invoice.id,
        due_date=invoice.due_date,
        has_estimate=prediction.no_estimate_reason is None,
        **prediction.__dict__,
    )


def _predict(
    invoice: Invoice,
    client: DelayStats,
    account: DelayStats,
    today: date,
    thresholds: RatingThresholds,
    *,
    client_never_pays: bool,
    promised_date: date | None = None,
) -> PredictionOut:
    prediction = forecast.predict(
        due_date=invoice.due_date,
        client=client,
        account=account,
        today=today,
        min_paid_invoices=thresholds.min_paid_invoices,
        at_risk_overdue_days=thresholds.at_risk_overdue_days,
        client_never_pays=client_never_pays,
        promised_date=promised_date,
    )
    return _prediction_out(invoice, prediction)


def _open_promises(session: Session, account_id: int, invoice_ids: list[int]) -> dict[int, date]:
    """The dates clients promised to pay these invoices by (answers/), where a promise is open."""
    if not invoice_ids:
        return {}
    rows = session.execute(
        select(ClientAnswer.invoice_id, ClientAnswer.promised_date).where(
            ClientAnswer.account_id == account_id,
            ClientAnswer.invoice_id.in_(invoice_ids),
            ClientAnswer.kind == "promise",
            ClientAnswer.status == "open",
        )
    )
    return {invoice_id: promised for invoice_id, promised in rows if promised is not None}


def _oldest_overdue_days(session: Session, ctx: AccountClock, client_id: int) -> int | None:
    """Days the client's oldest unpaid invoice is overdue; None when nothing is overdue."""
    oldest_due = session.scalar(
        select(func.min(Invoice.due_date)).where(
            Invoice.account_id == ctx.account_id,
            Invoice.client_id == client_id,
            Invoice.status.in_(UNSETTLED),
            Invoice.due_date < ctx.today,
        )
    )
    if oldest_due is None:
        return None
    if isinstance(oldest_due, str):  # SQLite's MIN() returns the stored text
        oldest_due = date.fromisoformat(oldest_due)
    return (ctx.today - oldest_due).days


def _fallback_stats(session: Session, ctx: AccountClock, client: DelayStats, min_paid: int) -> DelayStats:
    """The account's behaviour, read (a scan of all paid invoices) only for a client too new to have its own."""
    if client.paid_invoices >= min_paid:
        return DelayStats()
    return behaviour.account_stats(session, account_id=ctx.account_id, timezone=ctx.timezone, as_of=ctx.now)


def invoice_prediction(
    session: Session, *, account_id: int, invoice_id: int, thresholds: RatingThresholds, clock: Clock
) -> PredictionOut:
    invoice = get_owned(session, Invoice, invoice_id, account_id, what="Invoice")
    if invoice.status not in UNSETTLED:
        raise Conflict(f"Only open invoices have a predicted payment date; this one is {invoice.status}")
    ctx = account_clock(session, account_id=account_id, clock=clock)
    client = behaviour.client_stats(
        session, account_id=account_id, client_id=invoice.client_id, timezone=ctx.timezone, as_of=ctx.now
    )
    account = _fallback_stats(session, ctx, client, thresholds.min_paid_invoices)
    never_pays = client.paid_invoices == 0 and behaviour.never_pays(
        client, _oldest_overdue_days(session, ctx, invoice.client_id), thresholds
    )
    promised = _open_promises(session, account_id, [invoice.id]).get(invoice.id)
    return _predict(
        invoice, client, account, ctx.today, thresholds, client_never_pays=never_pays, promised_date=promised
    )


def _mean_reminders_before_payment(session: Session, ctx: AccountClock, client_id: int, paid: int) -> float | None:
    if not paid:
        return None
    # Counted per paid invoice (an index probe each), not by scanning the account's messages.
    before_payment = (
        select(func.count(Message.id))
        .where(
            Message.account_id == ctx.account_id,
            Message.invoice_id == Invoice.id,
            *reminder_sent(),
            Message.sent_at <= Invoice.paid_at,
        )
        .scalar_subquery()
    )
    per_invoice = (
        select(before_payment.label("reminders"))
        .where(*behaviour.paid_before(ctx.account_id, ctx.now), Invoice.client_id == client_id)
        .subquery("reminders_per_invoice")
    )
    reminders = session.scalar(select(func.sum(per_invoice.c.reminders)))
    return (reminders or 0) / paid


def client_insights(
    session: Session, *, account_id: int, client_id: int, thresholds: RatingThresholds, clock: Clock
) -> ClientInsightsOut:
    client = get_owned(session, Client, client_id, account_id, what="Client")
    ctx = account_clock(session, account_id=account_id, clock=clock)
    scope = {"account_id": account_id, "timezone": ctx.timezone, "as_of": ctx.now}
    stats = behaviour.client_stats(session, client_id=client_id, **scope)
    account = _fallback_stats(session, ctx, stats, thresholds.min_paid_invoices)
    trend = behaviour.trend(
        session, client_id=client_id, stats=stats, min_history=thresholds.min_paid_invoices, **scope
    )
    unsettled = [Invoice.account_id == account_id, Invoice.client_id == client_id, Invoice.status.in_(UNSETTLED)]
    balance = Invoice.balance_minor
    overdue = Invoice.due_date < ctx.today
    balances = session.execute(
        select(Invoice.currency, func.sum(balance), func.sum(case((overdue, balance), else_=0)))
        .where(*unsettled)
        .group_by(Invoice.currency)
        .order_by(Invoice.currency)
    ).all()
    oldest = session.scalars(select(Invoice).where(*unsettled, overdue).order_by(Invoice.due_date, Invoice.id)).first()
    oldest_days = None if oldest is None else (ctx.today - oldest.due_date).days
    open_total = session.scalar(select(func.count()).where(*unsettled).select_from(Invoice)) or 0
    never_pays = behaviour.never_pays(stats, oldest_days, thresholds)
    risk_reason = None
    if never_pays and oldest is not None:
        owed = ", ".join(f"{_money(int(total), c)} {c}" for c, total, _ in balances)
        risk_reason = (
            f"Has never paid an invoice: {open_total} unpaid, {owed} owed; the oldest, {oldest.number}, "
            f"is {oldest_days} days overdue."
        )
    behaviour_out = BehaviourOut(
        paid_invoices=stats.paid_invoices,
        mean_days_late=stats.mean_days,
        median_days_late=behaviour.median_days(
            session, client_id=client_id, paid_invoices=stats.paid_invoices, **scope
        ),
        stddev_days=stats.stddev_days,
        on_time_rate=stats.on_time_rate,
        mean_reminders_before_payment=_mean_reminders_before_payment(session, ctx, client_id, stats.paid_invoices),
        rating=behaviour.rate_client(stats, oldest_days, thresholds),
        trend=TrendOut(**trend.__dict__),
        high_risk=never_pays,
        risk_reason=risk_reason,
    )
    open_invoices = session.scalars(
        select(Invoice).where(*unsettled).order_by(Invoice.due_date, Invoice.id).limit(MAX_OPEN_INVOICES_LISTED)
    ).all()
    promises = _open_promises(session, account_id, [invoice.id for invoice in open_invoices])
    return ClientInsightsOut(
        client_id=client_id,
        needs_personal_follow_up=client.needs_personal_follow_up,
        follow_up_reason=client.follow_up_reason,
        as_of=ctx.today,
        behaviour=behaviour_out,
        open_balance=[Amount(currency=c, amount=_money(int(total), c)) for c, total, _ in balances],
        overdue_balance=[Amount(currency=c, amount=_money(int(late), c)) for c, _, late in balances if late],
        oldest_overdue=None
        if oldest is None
        else OverdueInvoiceOut(
            invoice_id=oldest.id,
            number=oldest.number,
            due_date=oldest.due_date,
            days_overdue=oldest_days or 0,
            balance=Amount(currency=oldest.currency, amount=_money(oldest.balance_minor, oldest.currency)),
        ),
        open_invoices=[
            OpenInvoiceOut(
                invoice_id=invoice.id,
                number=invoice.number,
                due_date=invoice.due_date,
                balance=Amount(currency=invoice.currency, amount=_money(invoice.balance_minor, invoice.currency)),
                prediction=_predict(
                    invoice,
                    stats,
                    account,
                    ctx.today,
                    thresholds,
                    client_never_pays=never_pays,
                    promised_date=promises.get(invoice.id),
                ),
            )
            for invoice in open_invoices
        ],
        open_invoices_total=open_total,
    )


# --- dashboard summary ----------------------------------------------------------------------


def _receivables(session: Session, ctx: AccountClock, thresholds: RatingThresholds) -> dict[str, list[int]]:
    """Per currency: outstanding, overdue, the aging buckets (current, 1-30, 31-60, 61-90, 90+), the cash
    forecast windows (0-30, 31-60, 61-90 days) of the expected invoices, then the forecast's basis (at-risk
    amount and invoices, expected invoices, those with their client's own history, the account's paid
    invoices): one pass over the open invoices.

    The pass groups the invoices by what sets them apart (currency, aging bucket, at risk or expected,
    window, own history: a few dozen groups) and the figures are added up from the groups here. Summing
    each figure in SQL made the database work out the forecast's expressions a dozen times per invoice
    (250 ms of SQLite's time at 50,000 open invoices, the dashboard's slowest read)."""
    balance = Invoice.balance_minor
    today = ctx.today
    # An invoice is `days` overdue when due_date = today - days, so each bucket is a due-date range.
    aging = case(
        (Invoice.due_date >= today, 0),
        (Invoice.due_date >= today - timedelta(days=AGING_LIMITS[0]), 1),
        (Invoice.due_date >= today - timedelta(days=AGING_LIMITS[1]), 2),
        (Invoice.due_date >= today - timedelta(days=AGING_LIMITS[2]), 3),
        else_=4,
    )
    sql = forecast.forecast_window(
        ctx.account_id,
        timezone=ctx.timezone,
        today=today,
        as_of=ctx.now,
        min_paid_invoices=thresholds.min_paid_invoices,
        at_risk_overdue_days=thresholds.at_risk_overdue_days,
    )
    # 1 at risk, 0 expected, NULL neither (no estimate can be made either way).
    at_risk = case((sql.at_risk, 1), (~sql.at_risk, 0), else_=null())
    own_history = case((sql.own_history, 1), else_=0)
    account_paid = select(func.coalesce(func.sum(sql.stats.c.paid_invoices), 0)).scalar_subquery()
    keys = (Invoice.currency, aging, at_risk, sql.window, own_history)
    groups = session.execute(
        select(*keys, func.sum(balance), func.count(), func.max(account_paid))
        .outerjoin(sql.stats, sql.stats.c.client_id == Invoice.client_id)
        .outerjoin(sql.old_debtors, sql.old_debtors.c.client_id == Invoice.client_id)
        .outerjoin(sql.promises, sql.promises.c.invoice_id == Invoice.id)
        .where(Invoice.account_id == ctx.account_id, Invoice.status.in_(UNSETTLED))
        .group_by(*keys)
    ).all()
    # outstanding, overdue, 5 aging buckets, FORECASTS windows, at-risk amount and count, expected count,
    # expected with own history, the account's paid invoices.
    windows_at = 2 + len(AGING_LIMITS) + 2
    basis_at = windows_at + FORECASTS
    totals: dict[str, list[int]] = {}
    for currency, bucket, risk, window, own, amount, count, paid in groups:
        figures = totals.setdefault(currency, [0] * (basis_at + 5))
        amount, count = int(amount), int(count)
        figures[0] += amount
        figures[1] += amount if bucket > 0 else 0
        figures[2 + bucket] += amount
        if risk == 1:
            figures[basis_at] += amount
            figures[basis_at + 1] += count
        elif risk == 0:
            if window is not None:
                figures[windows_at + window] += amount
            figures[basis_at + 2] += count
            figures[basis_at + 3] += count if own else 0
        figures[basis_at + 4] = max(figures[basis_at + 4], int(paid))
    return totals


def _sales(session: Session, ctx: AccountClock, days: int) -> dict[str, int]:
    """Invoiced per currency over the last `days` days (today included), drafts and void excluded."""
    rows = session.execute(
        select(Invoice.currency, func.sum(Invoice.amount_minor))
        .where(
            Invoice.account_id == ctx.account_id,
            Invoice.status.not_in((InvoiceStatus.draft, InvoiceStatus.void)),
            Invoice.issue_date > ctx.today - timedelta(days=days),
            Invoice.issue_date <= ctx.today,
        )
        .group_by(Invoice.currency)
    ).all()
    return {currency: int(total) for currency, total in rows}


def _collected(session: Session, ctx: AccountClock, since: datetime) -> dict[str, tuple[int, int]]:
    """Per currency: payments since an instant, and the part paid within 7 days after a reminder."""
    after_reminder = paid_after_reminder(ctx.account_id)
    rows = session.execute(
        select(
            Payment.currency,
            func.sum(Payment.amount_minor),
            func.sum(case((after_reminder, Payment.amount_minor), else_=0)),
        )
        .where(Payment.account_id == ctx.account_id, Payment.paid_at >= since, Payment.paid_at <= ctx.now)
        .group_by(Payment.currency)
    ).all()
    return {currency: (int(total), int(prompted)) for currency, total, prompted in rows}


def _reminders_sent_since(session: Session, ctx: AccountClock, since: datetime) -> int:
    return (
        session.scalar(
            select(func.count(Message.id)).where(
                Message.account_id == ctx.account_id,
                *reminder_sent(),
                Message.sent_at >= since,
                Message.sent_at <= ctx.now,
            )
        )
        or 0
    )


def _invoices(count: int) -> str:
    return f"{count} open invoice{'' if count == 1 else 's'}"


def _forecast_basis(
    currency: str,
    *,
    at_risk: int,
    at_risk_invoices: int,
    expected: int,
    own_history: int,
    account_paid: int,
    thresholds: RatingThresholds,
) -> str:
    """What the forecast is based on, in a sentence or three for the dashboard."""
    if not expected and not at_risk_invoices:
        return "No open invoices."
    parts = []
    if expected:
        borrowed = expected - own_history
        how = [f"{own_history} from their client's own payment history"] if own_history else []
        if borrowed and account_paid:
            paid = f"{account_paid} paid invoice{'' if account_paid == 1 else 's'}"
            how.append(f"{borrowed} from the account's average delay over {paid} (newer clients)")
        elif borrowed:
            how.append(f"{borrowed} at their due date (no invoice has been paid yet)")
        parts.append(f"Expected: {_invoices(expected)}, predicted {' and '.join(how)}.")
    if at_risk_invoices:
        parts.append(
            f"Not counted: {_money(at_risk, currency)} {currency} at risk in {_invoices(at_risk_invoices)} "
            f"(more than {thresholds.at_risk_overdue_days} days overdue, owed by clients who have never paid, "
            "or a month past the expected date without the client's own history)."
        )
    return " ".join(parts)


def summary(session: Session, *, account_id: int, thresholds: RatingThresholds, clock: Clock) -> SummaryOut:
    ctx = account_clock(session, account_id=account_id, clock=clock)
    month_start = ctx.today.replace(day=1)
    month_begins = ctx.start_of(month_start)
    receivables = _receivables(session, ctx, thresholds)
    sales = _sales(session, ctx, DSO_DAYS)
    collected = _collected(session, ctx, month_begins)
    currencies = []
    for currency in sorted(set(receivables) | set(sales) | set(collected)):
        outstanding, overdue, *rest = receivables.get(currency, [0] * (2 + AGING_BUCKETS + FORECASTS + 5))
        aging, windows = rest[:AGING_BUCKETS], rest[AGING_BUCKETS : AGING_BUCKETS + FORECASTS]
        at_risk, at_risk_invoices, expected, own_history, account_paid = rest[AGING_BUCKETS + FORECASTS :]
        invoiced = sales.get(currency, 0)
        total, prompted = collected.get(currency, (0, 0))
        currencies.append(
            CurrencySummaryOut(
                currency=currency,
                outstanding=_money(outstanding, currency),
                overdue=_money(overdue, currency),
                aging=AgingOut(**dict(zip(AgingOut.model_fields, (_money(a, currency) for a in aging), strict=True))),
                days_sales_outstanding=round(outstanding / invoiced * DSO_DAYS, 1) if invoiced else None,
                collected_this_month=_money(total, currency),
                collected_within_7_days_of_reminder=_money(prompted, currency),
                forecast=CashForecastOut(
                    days_0_30=_money(windows[0], currency),
                    days_31_60=_money(windows[1], currency),
                    days_61_90=_money(windows[2], currency),
                    at_risk=_money(at_risk, currency),
                    at_risk_invoices=at_risk_invoices,
                    at_risk_overdue_days=thresholds.at_risk_overdue_days,
                    expected_invoices=expected,
                    invoices_with_own_history=own_history,
                    account_paid_invoices=account_paid,
                    basis=_forecast_basis(
                        currency,
                        at_risk=at_risk,
                        at_risk_invoices=at_risk_invoices,
                        expected=expected,
                        own_history=own_history,
                        account_paid=account_paid,
                        thresholds=thresholds,
                    ),
                ),
            )
        )
    reminders_sent = _reminders_sent_since(session, ctx, month_begins)
    return SummaryOut(
        as_of=ctx.today,
        month_start=month_start,
        currencies=currencies,
        reminders_sent_this_month=reminders_sent,
        payment_link_click_rate=(
            round(_reminders_clicked_since(session, ctx, month_begins) / reminders_sent, 4) if reminders_sent else None
        ),
    )


def _reminders_clicked_since(session: Session, ctx: AccountClock, since: datetime) -> int:
    """Reminders whose pay link was opened at least once: a reminder clicked twice counts once."""
    return (
        session.scalar(
            select(func.count(func.distinct(PaymentLinkClick.reminder_id))).where(
                PaymentLinkClick.account_id == ctx.account_id,
                PaymentLinkClick.reminder_id.is_not(None),
                PaymentLinkClick.clicked_at >= since,
                PaymentLinkClick.clicked_at <= ctx.now,
            )
        )
        or 0
    )


# --- time series ----------------------------------------------------------------------------


def _periods(first: date, last: date, granularity: Granularity) -> list[tuple[date, date]]:
    """Consecutive (start, end) periods covering first..last, aligned to day, ISO week or month."""
    if granularity == "week":
        start = first - timedelta(days=first.weekday())
    elif granularity == "month":
        start = first.replace(day=1)
    else:
        start = first
    periods = []
    while start <= last:
        if granularity == "week":
            following = start + timedelta(days=7)
        elif granularity == "month":
            following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            following = start + timedelta(days=1)
        periods.append((start, following - timedelta(days=1)))
        start = following
    return periods


def _overdue_events(ctx: AccountClock) -> Any:
    """Changes to the overdue balance: each invoice counts from the first day after its due date."""
    return _balance_events(ctx, add_days(Invoice.due_date, literal(1, Integer)), "overdue_events")


def _outstanding_events(ctx: AccountClock) -> Any:
    """Changes to the outstanding (unpaid) balance: each invoice counts from its issue date."""
    return _balance_events(ctx, Invoice.issue_date, "outstanding_events")


def _balance_events(ctx: AccountClock, counts_from: Any, name: str) -> Any:
    """Changes to a balance, one row per (currency, day, delta), for invoices counted from a day.

    An invoice adds its amount on the day it starts counting (`counts_from`), and each late fee its
    amount on the day it was added (and takes it off on the day it was waived); each payment takes its
    amount off on its date, or on that first day when paid earlier; voiding takes off what was left.
    Summing the deltas up to a day gives the balance at the end of it.
    """
    issued = [Invoice.account_id == ctx.account_id, Invoice.status != InvoiceStatus.draft]
    started = select(
        Invoice.currency.label("currency"),
        counts_from.label("day"),
        Invoice.amount_minor.label("delta"),
    ).where(*issued)

    def dated(table: Any, instant: Any, delta: Any, *conditions: Any) -> Any:
        """A change dated by `instant` (a day in the account's timezone), counted from the first day."""
        return (
            select(Invoice.currency, later_of(local_date(instant, ctx.timezone), counts_from), delta)
            .join(Invoice, Invoice.id == table.invoice_id)
            .where(*issued, table.account_id == ctx.account_id, *conditions)
        )

    fees = dated(InvoiceAdjustment, InvoiceAdjustment.created_at, InvoiceAdjustment.amount_minor)
    waived_fees = dated(
        InvoiceAdjustment,
        InvoiceAdjustment.waived_at,
        -InvoiceAdjustment.amount_minor,
        InvoiceAdjustment.waived_at.is_not(None),
    )
    payments = dated(Payment, Payment.paid_at, -Payment.amount_minor)
    voided = select(
        Invoice.currency,
        later_of(local_date(Invoice.voided_at, ctx.timezone), counts_from),
        -Invoice.balance_minor,
    ).where(*issued, Invoice.status == InvoiceStatus.void, Invoice.voided_at.is_not(None))
    return union_all(started, fees, waived_fees, payments, voided).subquery(name)


def _known(ctx: AccountClock, events: Any) -> Any:
    """Balance changes up to today (a payment dated tomorrow has not happened yet)."""
    return (
        select(events.c.currency, events.c.day, events.c.delta.label("amount"))
        .where(events.c.day <= literal(ctx.today, Date))
        .subquery(f"{events.name}_known")
    )


def _sum_by_period(
    session: Session, rows: Any, granularity: Granularity, first: date, last: date, *, keep_earlier: bool = False
) -> dict[tuple[str, date | None], int]:
    """Sum a (currency, day, amount) subquery per currency and period between two dates.

    With `keep_earlier`, everything before `first` is summed too, under the period None: the
    opening balance, read in the same pass.
    """
    period = period_start(rows.c.day, granularity)
    if keep_earlier:
        period = type_coerce(case((rows.c.day < first, None), else_=period), Date)
        in_range = rows.c.day <= last
    else:
        in_range = (rows.c.day >= first) & (rows.c.day <= last)
    bucketed = select(rows.c.currency.label("currency"), period.label("period"), rows.c.amount.label("amount"))
    inner = bucketed.where(in_range).subquery("bucketed")
    return {
        (currency, period): int(amount)
        for currency, period, amount in session.execute(
            select(inner.c.currency, inner.c.period, func.sum(inner.c.amount)).group_by(
                inner.c.currency, inner.c.period
            )
        )
    }


def timeseries(
    session: Session,
    *,
    account_id: int,
    granularity: Granularity,
    date_from: date | None,
    date_to: date | None,
    clock: Clock,
) -> TimeseriesOut:
    ctx = account_clock(session, account_id=account_id, clock=clock)
    date_to = date_to or ctx.today
    date_from = date_from or date_to - timedelta(days=DEFAULT_RANGE_DAYS[granularity] - 1)
    if date_from > date_to:
        raise InvalidInput("date_from", "date_from must not be after date_to")
    if (date_to - date_from).days + 1 > MAX_RANGE_DAYS[granularity]:
        raise InvalidInput(
            "date_to", f"At most {MAX_RANGE_DAYS[granularity]} days at {granularity} granularity; choose a coarser one"
        )
    periods = _periods(date_from, date_to, granularity)
    first, last = periods[0][0], periods[-1][1]

    invoiced_rows = (
        select(
            Invoice.currency.label("currency"),
            Invoice.issue_date.label("day"),
            Invoice.amount_minor.label("amount"),
        )
        .where(
            Invoice.account_id == account_id,
            Invoice.status.not_in((InvoiceStatus.draft, InvoiceStatus.void)),
        )
        .subquery("invoiced")
    )
    collected_rows = (
        select(
            Payment.currency.label("currency"),
            local_date(Payment.paid_at, ctx.timezone).label("day"),
            Payment.amount_minor.label("amount"),
        )
        .where(
            Payment.account_id == account_id,
            # Local days first..last as an instant range, which the index on paid_at can serve.
            Payment.paid_at >= ctx.start_of(first),
            Payment.paid_at < ctx.start_of(last + timedelta(days=1)),
        )
        .subquery("collected")
    )
    invoiced = _sum_by_period(session, invoiced_rows, granularity, first, last)
    collected = _sum_by_period(session, collected_rows, granularity, first, last)
    overdue_changes = _sum_by_period(
        session, _known(ctx, _overdue_events(ctx)), granularity, first, last, keep_earlier=True
    )
    outstanding_changes = _sum_by_period(
        session, _known(ctx, _outstanding_events(ctx)), granularity, first, last, keep_earlier=True
    )

    currencies = {c for c, _ in invoiced} | {c for c, _ in collected}
    for changes in (overdue_changes, outstanding_changes):
        currencies |= {c for (c, period), total in changes.items() if period is not None or total}
    series = []
    for currency in sorted(currencies):
        running = overdue_changes.get((currency, None), 0)
        unpaid = outstanding_changes.get((currency, None), 0)
        points = []
        for start, end in periods:
            running += overdue_changes.get((currency, start), 0)
            unpaid += outstanding_changes.get((currency, start), 0)
            points.append(
                TimeseriesPoint(
                    period_start=start,
                    period_end=end,
                    invoiced=_money(invoiced.get((currency, start), 0), currency),
                    collected=_money(collected.get((currency, start), 0), currency),
                    overdue=_money(running, currency) if start <= ctx.today else None,
                    outstanding=_money(unpaid, currency) if start <= ctx.today else None,
                )
            )
        series.append(CurrencySeries(currency=currency, points=points))
    return TimeseriesOut(granularity=granularity, date_from=first, date_to=last, series=series)
