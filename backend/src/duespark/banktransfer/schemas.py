from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from duespark.textfields import SingleLine

DEFAULT_REFERENCE_FORMAT = "{invoice_number}"


class BankAccountIn(BaseModel):
    """Either `iban` (with an optional `bic`) or `account_number` with `sort_code` (UK) or
    `routing_number` (US). Spaces and dashes in the numbers are ignored."""

    currency: str = Field(min_length=3, max_length=3, description="ISO 4217: the invoices this account is for")
    payee_name: SingleLine = Field(min_length=1, max_length=70, description="The account holder, as the bank has it")
    iban: str | None = Field(default=None, max_length=50)
    bic: str | None = Field(default=None, max_length=20)
    account_number: str | None = Field(default=None, max_length=40)
    sort_code: str | None = Field(default=None, max_length=10)
    routing_number: str | None = Field(default=None, max_length=12)
    reference_format: SingleLine = Field(
        default=DEFAULT_REFERENCE_FORMAT,
        min_length=1,
        max_length=100,
        description='What the client writes as the reference; "{invoice_number}" is replaced and must be there',
    )
    structured_reference: bool = Field(
        default=False, description="Use an ISO 11649 creditor reference (RF..) built from the reference (IBAN only)"
    )
    # The payee's structured address: a Swiss QR-bill (CHF to a QR-IBAN) names its creditor with it.
    payee_street: SingleLine | None = Field(default=None, max_length=70)
    payee_house_number: SingleLine | None = Field(default=None, max_length=16)
    payee_postcode: SingleLine | None = Field(default=None, max_length=16)
    payee_town: SingleLine | None = Field(default=None, max_length=35)
    payee_country: str | None = Field(default=None, max_length=2, description="ISO 3166 alpha-2, such as CH")


class BankAccountOut(BaseModel):
    id: int
    currency: str
    payee_name: str
    iban: str | None
    iban_formatted: str | None = Field(description="The IBAN in groups of four, as people read it")
    bic: str | None
    account_number: str | None
    sort_code: str | None
    routing_number: str | None
    reference_format: str
    structured_reference: bool
    payee_street: str | None
    payee_house_number: str | None
    payee_postcode: str | None
    payee_town: str | None
    payee_country: str | None
    epc_qr: bool = Field(description="EUR invoices get an EPC (SEPA) QR code: a EUR account with a SEPA IBAN")
    swiss_qr_bill: bool = Field(description="CHF invoices get a Swiss QR-bill: a CHF QR-IBAN and the payee's address")
    example_reference: str = Field(description="The reference of an invoice numbered INV-1042")
    created_at: datetime
    updated_at: datetime
