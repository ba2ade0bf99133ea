from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from duespark.auth.schemas import check_currency
from duespark.invoices.schemas import AmountText, reject_float
from duespark.reminders.policy import SendWindow, parse_clock_time
from duespark.reminders.tone import DEFAULT_FINAL_GAP_DAYS, MAX_FINAL_GAP_DAYS

TemplateKey = Literal["friendly", "due_today", "firm", "urgent", "final"]
ReminderStateName = Literal["pending", "sending", "sent", "failed", "canceled", "skipped"]
FeeKind = Literal["fixed", "percent", "daily_interest"]
# A percentage with at most two decimals (basis points inside): "5", "12.5", 8.25.
Percent = Annotated[Decimal, Field(gt=0, le=100, decimal_places=2)]


class FeeIn(BaseModel):
    """A late fee added when the step's email is sent; only for steps after the due date."""

    kind: FeeKind = Field(
        description="fixed: an amount; percent: a share of the unpaid amount; "
        "daily_interest: simple interest per day late"
    )
    amount: AmountText | None = Field(default=None, description='fixed: decimal string in major units, e.g. "40.00"')
    currency: str | None = Field(
        default=None,
        description="fixed: ISO 4217, the account's default when omitted; only invoices in it are charged",
    )
    percent: Percent | None = Field(default=None, description="percent: e.g. 5 for 5 % of the unpaid amount")
    annual_rate_percent: Percent | None = Field(
        default=None, description="daily_interest: the annual rate; omit for the account's statutory rate"
    )

    _amount = field_validator("amount", mode="before")(reject_float)
    _currency = field_validator("currency")(check_currency)


class FeeOut(BaseModel):
    kind: FeeKind
    amount: str | None = Field(description="fixed: the amount in `currency`")
    currency: str | None
    percent: str | None = Field(description='percent: e.g. "5.00"')
    annual_rate_percent: str | None = Field(description="daily_interest: its own rate, or null for the account's")


class StepIn(BaseModel):
    offset_days: int = Field(description="Days from the due date: -3 is three days before, 7 a week after")
    template_key: TemplateKey = Field(description="The tone of the email")
    fee: FeeIn | None = Field(default=None, description="A late fee this step adds when sent (off by default)")
    attach_pdf: bool | None = Field(
        default=None,
        description="Attach the invoice's PDF to this step's email; by default from the due date on, not before",
    )


class StepOut(BaseModel):
    offset_days: int
    template_key: TemplateKey
    step_key: str
    fee: FeeOut | None
    attach_pdf: bool


class SendWindowIn(BaseModel):
    """Business hours in the client's timezone (else the account's); reminders go out inside them."""

    start: str = Field(default="09:00", examples=["09:00"])
    end: str = Field(default="17:00", examples=["17:00"])
    weekdays: list[int] = Field(default=[1, 2, 3, 4, 5], description="ISO weekdays: 1 = Monday ... 7 = Sunday")

    @field_validator("start", "end")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        parse_clock_time(value)
        return value

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if not value or any(day < 1 or day > 7 for day in value):
            raise ValueError("give at least one weekday, each from 1 (Monday) to 7 (Sunday)")
        return sorted(set(value))

    @model_validator(mode="after")
    def _order(self) -> SendWindowIn:
        if parse_clock_time(self.start) >= parse_clock_time(self.end):
            raise ValueError("the send window must start before it ends")
        return self

    def to_window(self) -> SendWindow:
        return SendWindow(
            parse_clock_time(self.start), parse_clock_time(self.end), "".join(str(d) for d in self.weekdays)
        )


class SendWindowOut(BaseModel):
    start: str
    end: str
    weekdays: list[int]


class ReminderPolicyIn(BaseModel):
    steps: list[StepIn] = Field(max_length=200, description="At most 20 steps, each offset used once")
    send_window: SendWindowIn | None = None
    adaptive: bool | None = Field(
        default=None, description="Adapt schedule and tone to how each client pays (omit to keep the setting)"
    )
    merge_statements: bool | None = Field(
        default=None, description="Send a client's overdue reminders due the same day as one statement email"
    )
    late_interest_annual_rate_percent: Percent | None = Field(
        default=None,
        description="The statutory interest rate a year for steps charging interest without their own rate "
        "(omit to keep the setting)",
    )
    final_notice_min_days: int | None = Field(
        default=None,
        ge=1,
        le=MAX_FINAL_GAP_DAYS,
        description="A final notice goes only after an earlier reminder and at least this many days after it "
        "(omit to keep the setting; default 7)",
    )


class ReminderPolicyOut(BaseModel):
    steps: list[StepOut]
    send_window: SendWindowOut
    adaptive: bool = Field(description="Schedule and tone adapt to how each client pays (docs/reminders.md)")
    merge_statements: bool
    late_interest_annual_rate_percent: str = Field(
        description='Statutory interest a year, e.g. "12.00"; a placeholder until you set the rate that applies '
        "to you (docs/reminders.md)"
    )
    final_notice_min_days: int = Field(
        default=DEFAULT_FINAL_GAP_DAYS,
        description="A final notice goes only after an earlier reminder and at least this many days after it",
    )


class ClientPolicyIn(BaseModel):
    mode: Literal["account", "custom", "none"] = Field(
        description="account: follow the account's policy; custom: these steps; none: no reminders"
    )
    steps: list[StepIn] = Field(default_factory=list, max_length=200)


class ClientPolicyOut(BaseModel):
    client_id: int
    mode: Literal["account", "custom", "none"]
    steps: list[StepOut] = Field(description="The steps that apply to this client's invoices")


class PauseIn(BaseModel):
    until: date | None = Field(default=None, description="Resume on this date; empty pauses until resumed")


class PauseOut(BaseModel):
    paused: bool
    paused_until: date | None


class ReminderOut(BaseModel):
    id: int
    invoice_id: int
    step_key: str
    offset_days: int
    template_key: str
    due_date: date = Field(description="The due date this step was planned for")
    scheduled_for: datetime
    state: ReminderStateName
    reason: str | None
    explanation: str | None = Field(description="The reason in words, for the timeline")
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    provider_message_id: str | None
    is_test: bool
    uncertain_sends: int = Field(description="Times a worker crash left it unknown whether the email went out")
    created_at: datetime
    updated_at: datetime


class ReminderListItem(ReminderOut):
    """A reminder in the account-wide list, with what the list shows of its invoice and client."""

    invoice_number: str
    client_id: int
    client_name: str


ReminderSort = Literal["scheduled_for", "-scheduled_for", "sent_at", "-sent_at"]


class ReminderTimeline(BaseModel):
    invoice_id: int
    paused: bool
    paused_until: date | None
    client_paused: bool
    client_paused_until: date | None
    items: list[ReminderOut]
