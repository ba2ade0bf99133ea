from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from duespark.auth.schemas import check_currency
from duespark.models.enums import PaymentMethod
from duespark.onboarding.schemas import FirstWave, ImportOptionsReport
from duespark.pagination import Page
from duespark.tenancy import ObjectId

AmountText = str | int


def reject_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError('send the amount as a decimal string, e.g. "1250.00"')
    return value


class EffectiveStatus(StrEnum):
    draft = "draft"
    open = "open"
    partially_paid = "partially_paid"
    overdue = "overdue"
    paid = "paid"
    void = "void"


class InvoiceCreate(BaseModel):
    client_id: ObjectId
    number: str = Field(min_length=1, max_length=64)
    amount: AmountText = Field(description='Decimal string in major units, e.g. "1250.00"')
    currency: str | None = Field(default=None, description="ISO 4217; the account's default when omitted")
    issue_date: date
    due_date: date
    description: str | None = Field(default=None, max_length=10_000)
    external_id: str | None = Field(default=None, max_length=128)
    status: Literal["draft", "open"] = "open"
    reminders_excluded: bool = False

    _amount = field_validator("amount", mode="before")(reject_float)
    _currency = field_validator("currency")(check_currency)

    @field_validator("due_date")
    @classmethod
    def _due_after_issue(cls, due_date: date, info: ValidationInfo) -> date:
        issue_date = info.data.get("issue_date")
        if issue_date is not None and due_date < issue_date:
            raise ValueError("due_date must not be before issue_date")
        return due_date


class InvoiceUpdate(BaseModel):
    client_id: ObjectId | None = None
    number: str | None = Field(default=None, min_length=1, max_length=64)
    amount: AmountText | None = None
    currency: str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    description: str | None = Field(default=None, max_length=10_000)
    status: Literal["draft", "open"] | None = None
    reminders_excluded: bool | None = None

    _amount = field_validator("amount", mode="before")(reject_float)
    _currency = field_validator("currency")(check_currency)


class InvoiceOut(BaseModel):
    id: int
    client_id: int
    client_name: str
    number: str
    amount: str
    currency: str
    issue_date: date
    due_date: date
    description: str | None
    external_id: str | None
    status: EffectiveStatus
    fees: str = Field(description="Late fees and interest added by reminders (see /adjustments)")
    total: str = Field(description="amount + fees: what the client owes in all")
    amount_paid: str
    balance: str = Field(description="total - amount_paid: what is still to pay")
    paid_at: datetime | None
    voided_at: datetime | None
    reminders_excluded: bool
    created_at: datetime
    updated_at: datetime


class RecoveredAmount(BaseModel):
    currency: str
    amount: str = Field(description='Decimal string in major units, e.g. "1250.00"')


class InvoicePage(Page[InvoiceOut]):
    recovered: list[RecoveredAmount] | None = Field(
        default=None,
        description="Only with recovered=this_month: per currency, the payments on the matching invoices made within "
        "7 days after a reminder this month (the dashboard's 'Reminders brought in' figure)",
    )


class PaymentIn(BaseModel):
    amount: AmountText
    paid_at: datetime | None = None
    method: Literal["manual", "other"] = "manual"
    reference: str | None = Field(default=None, max_length=255)
    note: str | None = Field(default=None, max_length=2000)

    _amount = field_validator("amount", mode="before")(reject_float)

    @field_validator("paid_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("paid_at needs a timezone, e.g. 2026-11-25T10:00:00Z")
        return value


class PaymentOut(BaseModel):
    id: int
    invoice_id: int
    amount: str
    currency: str
    method: PaymentMethod
    paid_at: datetime
    reference: str | None
    note: str | None


class PaymentList(BaseModel):
    items: list[PaymentOut]


class AdjustmentOut(BaseModel):
    id: int
    invoice_id: int
    kind: Literal["fixed", "percent", "daily_interest"]
    amount: str
    currency: str
    description: str = Field(description="The line in plain words, e.g. how the interest was worked out")
    step_key: str = Field(description="The reminder step that added it (once per invoice and step)")
    reminder_id: int | None
    period_start: date | None = Field(description="Interest: charged for the days after this date ...")
    period_end: date | None = Field(description="... up to and including this one")
    created_at: datetime
    waived_at: datetime | None = Field(description="When the account waived it: no longer part of `fees`")


class AdjustmentList(BaseModel):
    items: list[AdjustmentOut]


class ImportRowError(BaseModel):
    line: int
    field: str | None
    message: str


class ImportReport(BaseModel):
    dry_run: bool
    total_rows: int
    valid_rows: int
    created: int
    clients_to_create: list[str]
    errors: list[ImportRowError]
    options: ImportOptionsReport | None = Field(
        None, description="The import options and how many invoices each affects (dry run: would affect)"
    )
    first_wave: FirstWave | None = Field(
        None, description="Dry run: the emails that go out first after this import, rendered as they will be sent"
    )
