"""What the API says about clients' answers, the Needs attention list and the account's answer settings."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from duespark.tenancy import ObjectId


class AnswerKind(StrEnum):
    promise = "promise"
    dispute = "dispute"
    paid_claim = "paid_claim"


class AnswerStatus(StrEnum):
    open = "open"
    kept = "kept"
    missed = "missed"
    canceled = "canceled"
    resolved = "resolved"
    confirmed = "confirmed"
    rejected = "rejected"


class AnswerOut(BaseModel):
    id: int
    invoice_id: int
    invoice_number: str
    client_id: int
    client_name: str
    kind: AnswerKind
    status: AnswerStatus
    source: str = Field(description="Where the client answered: pay_page or portal")
    promised_date: date | None = None
    disputed_amount: str | None = Field(default=None, description="Decimal string in the invoice's currency")
    currency: str
    balance: str = Field(description="What is still to pay on the invoice, as a decimal string")
    message: str | None = Field(default=None, description="The client's words, as typed (escape when displaying)")
    paid_on: date | None = None
    reference: str | None = None
    created_at: datetime
    resolved_at: datetime | None = None
    resolved_by: int | None = None
    resolution_note: str | None = None


class AnswerList(BaseModel):
    items: list[AnswerOut]


class ResolveIn(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


class ExtendPromiseIn(BaseModel):
    promised_date: date


class AttentionSection(BaseModel):
    """One kind of thing waiting for the user. New kinds (unanswered replies) add a section with their own key."""

    key: str = Field(description="open_disputes, paid_claims, promises_due, promises_missed, ...")
    title: str
    count: int
    items: list[AnswerOut]


class CurrencyAmount(BaseModel):
    currency: str
    amount: str


class AttentionOut(BaseModel):
    count: int = Field(description="Everything waiting for the user, over all sections (the navigation badge)")
    sections: list[AttentionSection]
    disputed: list[CurrencyAmount] = Field(description="Balance of invoices with an open dispute, per currency")
    promised: list[CurrencyAmount] = Field(description="Balance of invoices with an open promise, per currency")
    unanswered_replies: int = Field(
        default=0, description="Clients' email replies nobody answered yet (GET /api/replies?state=unanswered)"
    )


class AnswerSettings(BaseModel):
    promise_limit_days: int = Field(ge=1, le=365, description="How far ahead a client may promise to pay")
    promise_grace_days: int = Field(ge=0, le=30, description="Days past the promised date before chasing resumes")
    paid_claim_hold_days: int = Field(ge=1, le=60, description='How long "already paid" holds chasing for a check')


class AnswerSettingsIn(BaseModel):
    promise_limit_days: int | None = Field(default=None, ge=1, le=365)
    promise_grace_days: int | None = Field(default=None, ge=0, le=30)
    paid_claim_hold_days: int | None = Field(default=None, ge=1, le=60)


class ClientPromiseRecord(BaseModel):
    client_id: ObjectId
    kept: int
    missed: int
    open: int
    adaptation: str | None = Field(
        default=None,
        description="How the promises change the client's reminders, in words (adaptive reminders): "
        '"Skipped the courtesy pause: 2 of 3 promises to pay were missed since June 4, 2026."',
    )
