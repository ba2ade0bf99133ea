"""What an accounting provider is to the sync engine: OAuth endpoints, pages of contacts and invoices in one
shape, a payment written back, and its webhook's signature. A third provider is one more class in
`registry.py`; the engine (api.py, oauth.py, sync.py, tasks.py) does not change."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")

# Remote invoice states, as the engine understands them.
OPEN = "open"
PAID = "paid"
VOID = "void"
DRAFT = "draft"


@dataclass(frozen=True)
class RemoteContact:
    external_id: str
    name: str
    email: str | None
    company: str | None = None


@dataclass(frozen=True)
class RemoteInvoice:
    external_id: str
    contact: RemoteContact
    number: str
    currency: str
    issue_date: date
    due_date: date
    total: Decimal
    # Paid in the books (payments, and for QuickBooks whatever else closed part of the balance).
    paid: Decimal
    # Credit notes allocated to the invoice: they lower what is owed, they are not money received.
    credited: Decimal
    status: str
    online_url: str | None = None


@dataclass(frozen=True)
class PaymentToWrite:
    """A payment DueSpark received (through Stripe) for an invoice that came from the books."""

    invoice_external_id: str
    contact_external_id: str | None
    amount: Decimal
    currency: str
    paid_on: date
    # Stripe's id of the payment, so the books show where the money came from.
    reference: str
    # The same for every attempt at this payment: the provider makes a retry after a crash a no-op.
    idempotency_key: str


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    # False on the last page.
    more: bool
    # "<id>: <reason>" for each record of the page that could not be read; the others go on.
    errors: list[str] = field(default_factory=list)


class Api(Protocol):
    """Authorised calls to the provider's API (api.ProviderApi): tokens, 401 and 429 handled there."""

    def get(self, url: str, *, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any: ...

    def post(
        self, url: str, *, json: Any, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> Any: ...


@dataclass(frozen=True)
class OAuthConfig:
    client_id: str
    client_secret: str | None
    authorize_url: str
    exchange_url: str
    scope: str
    # PKCE (RFC 7636, S256) where the provider takes it; the state is checked either way.
    pkce: bool


class Provider(Protocol):
    name: str
    label: str

    def oauth(self) -> OAuthConfig | None:
        """None while the operator has not configured the provider's app (settings given at construction)."""

    def tenant(self, http: Any, *, access_token: str, callback_params: dict[str, str]) -> tuple[str, str | None]:
        """The organisation the user connected (id, name) once the code was exchanged."""

    def api_headers(self, tenant_id: str) -> dict[str, str]: ...

    def contacts(self, api: Api, *, tenant_id: str, page: int, since: datetime | None) -> Page[RemoteContact]: ...

    def invoices(self, api: Api, *, tenant_id: str, page: int, since: datetime | None) -> Page[RemoteInvoice]: ...

    def deleted_invoices(self, api: Api, *, tenant_id: str, since: datetime, now: datetime) -> list[str]:
        """Invoices deleted in the books since `since`, read at the end of an incremental run, for providers
        whose incremental reads never return a deleted record (QuickBooks' query); [] where they do (Xero)."""

    def record_payment(self, api: Api, *, tenant_id: str, payment: PaymentToWrite, account: str | None) -> str:
        """Write a payment against the invoice in the books; the provider's id of it. `account`: where it
        goes (the connection's payment_account). A RowError when the books cannot take it as given."""

    def webhook_secret(self) -> str | None:
        """The key its webhooks are signed with; None: webhooks are refused."""

    def webhook_signature_header(self) -> str: ...

    def webhook_tenants(self, payload: dict[str, Any]) -> list[str]:
        """The organisations a verified webhook says changed; [] for Xero's intent-to-receive."""

    def webhook_deletions(self, payload: dict[str, Any]) -> dict[str, list[str]]:
        """Invoices a verified webhook says were deleted or voided, per organisation, for providers whose
        incremental reads never return a deleted record (QuickBooks' query); {} where the sync sees them."""


def hmac_base64_matches(secret: str, body: bytes, signature: str | None) -> bool:
    """Both providers sign the raw body the same way: base64(HMAC-SHA256(secret, body))."""
    if not signature:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, signature.strip())
