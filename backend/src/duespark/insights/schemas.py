from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from duespark.insights.behaviour import PayerRating, TrendDirection
from duespark.insights.forecast import ConfidenceLevel, PredictionBasis
from duespark.insights.sql import Granularity


class Amount(BaseModel):
    currency: str
    amount: str = Field(description='Decimal string in major units, e.g. "1250.00"')


class PredictionOut(BaseModel):
    invoice_id: int
    due_date: date
    predicted_date: date | None = Field(
        description="Due date + the typical delay, or today once that has passed unpaid; "
        "null when there is no estimate (see no_estimate_reason)"
    )
    earliest_date: date | None = Field(
        description="Predicted date minus one standard deviation (not before today); null without an estimate"
    )
    latest_date: date | None = Field(description="Predicted date plus one standard deviation; null without an estimate")
    typical_delay_days: int = Field(description="Rounded mean of days paid after the due date (negative = early)")
    stddev_days: float | None
    basis: PredictionBasis = Field(
        description="client: its own history; account: too few paid invoices, the account's; due_date: no history; "
        "promise: the date the client promised on the pay page"
    )
    paid_invoices_used: int
    confidence: float = Field(ge=0, le=1)
    confidence_level: ConfidenceLevel
    past_usual_date: bool = Field(description="The client's usual payment date has passed without payment")
    has_estimate: bool = Field(description="False when no payment date can honestly be predicted")
    no_estimate_reason: str | None = Field(
        description="Why there is no estimate: overdue past the at-risk threshold, a client who never pays, "
        "or a month past the expected date without the client's own history",
    )


class TrendOut(BaseModel):
    recent_delays: list[int] = Field(
        description="Days paid after the due date of the last 5 paid invoices, newest first"
    )
    recent_mean_days: float | None
    earlier_mean_days: float | None = Field(description="Mean of the paid invoices before the last 5")
    direction: TrendDirection | None = Field(description="null without enough earlier history to compare with")


class BehaviourOut(BaseModel):
    paid_invoices: int
    mean_days_late: float | None = Field(description="Mean of full-payment date minus due date; negative = early")
    median_days_late: float | None
    stddev_days: float | None
    on_time_rate: float | None = Field(description="Share of paid invoices paid on or before the due date")
    mean_reminders_before_payment: float | None = Field(
        description="Reminder emails sent before full payment, per paid invoice"
    )
    rating: PayerRating = Field(description="never_pays: no paid invoice and debt overdue past the at-risk threshold")
    trend: TrendOut
    high_risk: bool = Field(description="Never pays: no paid invoice and debt overdue past the at-risk threshold")
    risk_reason: str | None = Field(description="Why the client is high risk, with the total owed and the oldest debt")


class OverdueInvoiceOut(BaseModel):
    invoice_id: int
    number: str
    due_date: date
    days_overdue: int
    balance: Amount


class OpenInvoiceOut(BaseModel):
    invoice_id: int
    number: str
    due_date: date
    balance: Amount
    prediction: PredictionOut


class ClientInsightsOut(BaseModel):
    client_id: int
    as_of: date = Field(description="Today in the account's timezone")
    behaviour: BehaviourOut
    open_balance: list[Amount] = Field(description="Unpaid balance of open invoices, per currency")
    overdue_balance: list[Amount]
    oldest_overdue: OverdueInvoiceOut | None = Field(description="The unpaid invoice with the oldest due date passed")
    open_invoices: list[OpenInvoiceOut] = Field(description="Up to 200 open invoices, soonest due first")
    open_invoices_total: int
    needs_personal_follow_up: bool = Field(description="Paid the last invoices only after the final notice")
    follow_up_reason: str | None


class AgingOut(BaseModel):
    current: str = Field(description="Not yet due")
    days_1_30: str
    days_31_60: str
    days_61_90: str
    days_over_90: str


class CashForecastOut(BaseModel):
    days_0_30: str = Field(
        description="Expected within 30 days (including predictions already passed); at-risk debt excluded"
    )
    days_31_60: str
    days_61_90: str
    at_risk: str = Field(
        description="Outstanding but not expected: overdue past at_risk_overdue_days, owed by clients who never "
        "paid, or a month past the expected date without the client's own history",
    )
    at_risk_invoices: int
    at_risk_overdue_days: int
    expected_invoices: int = Field(description="Open invoices the expected windows are predicted from")
    invoices_with_own_history: int = Field(
        description="Of those, invoices whose client has enough paid invoices of its own"
    )
    account_paid_invoices: int = Field(
        description="Paid invoices of the account behind the estimates borrowed for newer clients"
    )
    basis: str = Field(description="What the forecast is based on, in a sentence for people")


class CurrencySummaryOut(BaseModel):
    currency: str
    outstanding: str = Field(description="Unpaid balance of all open invoices")
    overdue: str
    aging: AgingOut
    days_sales_outstanding: float | None = Field(
        description="Outstanding / invoiced in the last 90 days x 90; null without invoices in that time"
    )
    collected_this_month: str
    collected_within_7_days_of_reminder: str = Field(
        description="Payments this month made within 7 days after a reminder email for the same invoice"
    )
    forecast: CashForecastOut


class SummaryOut(BaseModel):
    as_of: date = Field(description="Today in the account's timezone")
    month_start: date
    currencies: list[CurrencySummaryOut]
    reminders_sent_this_month: int
    # Clicks on payment links are recorded by the payments domain, which is not in place yet; until
    # then no rate is claimed.
    payment_link_click_rate: float | None = Field(
        description="Payment-link clicks per reminder sent this month; null until clicks are recorded"
    )


class TimeseriesPoint(BaseModel):
    period_start: date
    period_end: date
    invoiced: str = Field(description="Invoices issued in the period (drafts and void invoices excluded)")
    collected: str = Field(description="Payments received in the period, net of refunds")
    overdue: str | None = Field(
        description="Overdue balance at the end of the period (today for the current one); null for future periods"
    )
    outstanding: str | None = Field(
        description="Unpaid balance of the invoices issued by the end of the period (today for the current one), "
        "overdue or not; null for future periods"
    )


class CurrencySeries(BaseModel):
    currency: str
    points: list[TimeseriesPoint]


class TimeseriesOut(BaseModel):
    granularity: Granularity
    date_from: date = Field(description="Start of the first period (the requested date_from, aligned)")
    date_to: date = Field(description="End of the last period")
    series: list[CurrencySeries]
