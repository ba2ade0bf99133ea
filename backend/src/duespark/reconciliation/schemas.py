from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from duespark.tenancy import ObjectId

EntryStatus = Literal["open", "confirmed", "rejected", "skipped"]
Level = Literal["strong", "medium", "weak"]
MAX_BULK = 500


class StatementOut(BaseModel):
    id: int
    file_name: str
    format: Literal["camt053", "csv"]
    statement_ref: str | None
    iban: str | None
    entries_in_file: int
    entries_new: int
    open: int
    confirmed: int
    rejected: int
    skipped: int
    created_at: datetime


class ImportOut(BaseModel):
    statement: StatementOut
    duplicate: bool = Field(description="This file was imported before: nothing was added")


class StatementList(BaseModel):
    items: list[StatementOut]


class ProposalOut(BaseModel):
    invoice_id: int
    invoice_number: str
    client_name: str
    balance: str
    confidence: int = Field(ge=0, le=100)
    level: Level
    explanation: str
    apply_amount: str = Field(description="What confirming records: the amount, at most the balance")
    unapplied_amount: str


class EntryOut(BaseModel):
    id: int
    statement_id: int
    booking_date: date
    amount: str
    currency: str
    payer_name: str | None
    remittance: str | None
    creditor_reference: str | None
    bank_reference: str | None
    status: EntryStatus
    skip_reason: str | None
    proposal: ProposalOut | None = Field(description="For an open entry: the invoice it is most likely for")
    match_note: str | None = Field(description="For an open entry without a proposal: why not")
    invoice_id: int | None
    invoice_number: str | None
    applied_amount: str | None
    unapplied_amount: str | None
    confidence: int | None
    explanation: str | None
    decided_at: datetime | None


class StatementDetail(BaseModel):
    statement: StatementOut
    entries: list[EntryOut]


class ConfirmIn(BaseModel):
    invoice_id: ObjectId | None = Field(default=None, description="Another invoice than the proposed one")


class BulkItem(BaseModel):
    entry_id: ObjectId
    invoice_id: ObjectId | None = None


class BulkConfirmIn(BaseModel):
    items: list[BulkItem] = Field(min_length=1, max_length=MAX_BULK)


class BulkResult(BaseModel):
    entry_id: int
    ok: bool
    error: str | None = None
    entry: EntryOut | None = None


class BulkConfirmOut(BaseModel):
    confirmed: int
    failed: int
    results: list[BulkResult]
