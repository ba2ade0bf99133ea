from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from duespark.auth.schemas import AccountOut


class ReminderClicks(BaseModel):
    reminder_id: int | None = Field(description="None for clicks that came without a reminder (portal, shared link)")
    count: int
    last_clicked_at: datetime


class ClickSummary(BaseModel):
    total: int
    last_clicked_at: datetime | None
    by_reminder: list[ReminderClicks]


class PaymentLinkOut(BaseModel):
    payment_url: str = Field(description="The invoice's stable public pay link")
    client_portal_url: str = Field(description="The client's page with all open invoices and receipts")
    payable: bool
    card_payments: bool = Field(description="True when the link leads to Stripe; otherwise the built-in page")
    clicks: ClickSummary


class ClientPortalLinkOut(BaseModel):
    client_portal_url: str


class StripeConnectIn(BaseModel):
    secret_key: str = Field(min_length=10, max_length=300, description="sk_test_, sk_live_ or a restricted rk_ key")
    webhook_secret: str | None = Field(
        default=None, max_length=300, description="The whsec_ signing secret of the endpoint in webhook_url"
    )


class StripeConnectionOut(BaseModel):
    connected: bool = Field(description="True when this account uses its own Stripe key")
    mode: Literal["test", "live"] | None
    last4: str | None
    webhook_configured: bool
    webhook_url: str = Field(description="The endpoint to add in this Stripe account's webhook settings")
    server_stripe: bool = Field(description="True when the server has a Stripe key used by accounts without their own")
    last_import_at: datetime | None


class StripeImportOut(BaseModel):
    fetched: int
    clients_created: int
    clients_updated: int
    invoices_created: int
    invoices_updated: int
    invoices_unchanged: int
    skipped: list[str]


class WebhookAck(BaseModel):
    received: bool = True
    result: str


class PaymentSetupOut(BaseModel):
    """How this account's clients can pay, and what stands between the account and clients."""

    payment_instructions: bool = Field(description="The account has payment instructions (bank details, ...)")
    card_payments: bool = Field(description="Stripe is connected (the account's key or the server's)")
    bank_transfer: bool = Field(default=False, description="The account has a bank account for bank transfers")
    contact_email: str | None = Field(description="The address the pay page offers clients to write to")
    has_way_to_pay: bool = Field(description="A bank account, instructions or card: going live needs one")
    go_live_blockers: list[str] = Field(description="Why going live would be refused now; empty when it is allowed")
    go_live_warnings: list[str] = Field(description="What going live must tell the user, without refusing it")
    warnings: list[str] = Field(description="Problems that hold now and should show on every page")


class GoLiveOut(AccountOut):
    warnings: list[str] = Field(
        default_factory=list, description="Live, but something still keeps emails from clients: show it"
    )
