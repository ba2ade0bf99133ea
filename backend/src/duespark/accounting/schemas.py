from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

IntegrationStatus = Literal["not_connected", "connected", "needs_reconnect", "disconnected"]


class SyncRowError(BaseModel):
    kind: str = Field(description="contact, invoice or payment (a Stripe payment the books refused)")
    external_id: str = Field(description="The record's id in the books")
    reason: str


class IntegrationOut(BaseModel):
    provider: str = Field(examples=["xero"])
    label: str = Field(examples=["Xero"])
    configured: bool = Field(description="False while the server has no app credentials for this provider")
    status: IntegrationStatus
    organisation: str | None = Field(description="The organisation (Xero) or company (QuickBooks) connected")
    syncing: bool = Field(description="A sync is running or queued for the next worker tick")
    last_sync_started_at: datetime | None
    last_sync_finished_at: datetime | None
    next_sync_at: datetime | None
    last_error: str | None
    write_back_payments: bool = Field(description="Stripe payments are written back to the books as payments")
    payment_account: str | None = Field(
        description="Where written-back payments go: Xero's bank account code, QuickBooks' deposit account id"
    )
    counts: dict[str, int] = Field(description="What the last sync changed: clients_created, invoices_created, ...")
    errors: list[SyncRowError] = Field(description="Each row the last sync could not take, with the reason")


class IntegrationSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    write_back_payments: bool = Field(
        description="Write each Stripe payment received from now on back to the books, once, with its Stripe id"
    )
    payment_account: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$",
        description="Xero: the code of the bank account Stripe pays out to (required); "
        "QuickBooks: the deposit account's id (optional; Undeposited Funds otherwise)",
        examples=["090"],
    )


class IntegrationList(BaseModel):
    items: list[IntegrationOut]


class ConnectOut(BaseModel):
    authorize_url: str = Field(description="Send the browser here; the provider sends it back to the callback page")


class CallbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=2048)
    state: str = Field(min_length=1, max_length=512)
    realm_id: str | None = Field(default=None, max_length=32, description="QuickBooks' realmId query parameter")


class AccountingWebhookAck(BaseModel):
    result: str
