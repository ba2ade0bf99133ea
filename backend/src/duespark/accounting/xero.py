"""Xero: OAuth 2.0 with PKCE, the Accounting API's Contacts and Invoices (ACCREC), paged 100 at a time,
incremental with If-Modified-Since; webhooks signed with x-xero-signature.

Shapes: https://developer.xero.com/documentation/api/accounting/invoices (and /contacts), webhooks:
https://developer.xero.com/documentation/guides/webhooks/configuring-your-server/
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from duespark.accounting.api import ProviderError, Refused
from duespark.accounting.base import (
    DRAFT,
    OPEN,
    PAID,
    VOID,
    Api,
    OAuthConfig,
    Page,
    PaymentToWrite,
    RemoteContact,
    RemoteInvoice,
)
from duespark.accounting.dates import RowError, parse_date, parse_decimal, parse_rows, text
from duespark.settings import Settings

API = "https://api.xero.com/api.xro/2.0"
CONNECTIONS_URL = "https://api.xero.com/connections"
PAGE_SIZE = 100
STATUSES = {"AUTHORISED": OPEN, "PAID": PAID, "VOIDED": VOID, "DELETED": VOID, "DRAFT": DRAFT, "SUBMITTED": DRAFT}


def _since_header(since: datetime | None) -> dict[str, str]:
    return {"If-Modified-Since": since.strftime("%Y-%m-%dT%H:%M:%S")} if since else {}


def _more(body: dict[str, Any], items: list[Any]) -> bool:
    pagination = body.get("pagination")
    if isinstance(pagination, dict) and isinstance(pagination.get("pageCount"), int):
        return int(pagination.get("page") or 1) < pagination["pageCount"]
    return len(items) >= PAGE_SIZE


def _list(body: Any, key: str) -> list[Any]:
    items = body.get(key) if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise ProviderError(f"Xero's answer has no {key} list")
    return items


def _validation_messages(body: Any) -> str:
    """Xero's 400: {"Message": ..., "Elements": [{"ValidationErrors": [{"Message": ...}]}]}."""
    if not isinstance(body, dict):
        return "no reason given"
    messages = [
        str(error.get("Message"))[:200]
        for element in body.get("Elements") or []
        if isinstance(element, dict)
        for error in element.get("ValidationErrors") or []
        if isinstance(error, dict) and error.get("Message")
    ]
    return "; ".join(messages) or str(body.get("Message") or "no reason given")[:200]


def contact_from(data: dict[str, Any]) -> RemoteContact:
    external_id = text(data.get("ContactID"), 64)
    if external_id is None:
        raise RowError("a contact without ContactID")
    name = text(data.get("Name"), 200)
    if name is None:
        person = " ".join(part for part in (data.get("FirstName"), data.get("LastName")) if isinstance(part, str))
        name = text(person, 200) or "Xero contact"
    return RemoteContact(external_id=external_id, name=name, email=text(data.get("EmailAddress"), 320))


def invoice_from(data: dict[str, Any]) -> RemoteInvoice:
    external_id = text(data.get("InvoiceID"), 64)
    if external_id is None:
        raise RowError("an invoice without InvoiceID")
    contact = data.get("Contact")
    if not isinstance(contact, dict):
        raise RowError("the invoice has no Contact")
    status = STATUSES.get(str(data.get("Status")))
    if status is None:
        raise RowError(f"unknown Status {str(data.get('Status'))[:20]!r}")
    issued = parse_date(data.get("DateString") or data.get("Date"), field="Date")
    due = parse_date(data.get("DueDateString") or data.get("DueDate") or data.get("DateString"), field="DueDate")
    return RemoteInvoice(
        external_id=external_id,
        contact=contact_from(contact),
        number=text(data.get("InvoiceNumber"), 64) or external_id[:64],
        currency=str(data.get("CurrencyCode") or ""),
        issue_date=issued,
        due_date=due,
        total=parse_decimal(data.get("Total"), field="Total"),
        paid=parse_decimal(data.get("AmountPaid", 0), field="AmountPaid"),
        credited=parse_decimal(data.get("AmountCredited", 0), field="AmountCredited"),
        status=status,
        # The invoice in Xero itself (the deep link Xero documents); the client-facing online invoice needs
        # one more call per invoice (/OnlineInvoice), too many for a first sync of thousands.
        online_url=f"https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID={external_id}",
    )


class Xero:
    name = "xero"
    label = "Xero"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def oauth(self) -> OAuthConfig | None:
        if not self.settings.xero_client_id:
            return None
        return OAuthConfig(
            client_id=self.settings.xero_client_id,
            client_secret=self.settings.xero_client_secret,
            authorize_url="https://login.xero.com/identity/connect/authorize",
            exchange_url="https://identity.xero.com/connect/token",
            scope="offline_access accounting.transactions accounting.contacts",
            pkce=True,
        )

    def tenant(self, http: Any, *, access_token: str, callback_params: dict[str, str]) -> tuple[str, str | None]:
        response = http.get(CONNECTIONS_URL, headers={"Authorization": f"Bearer {access_token}"})
        body = response.json() if response.status_code == 200 else None
        tenants = [t for t in body or [] if isinstance(t, dict) and t.get("tenantType") == "ORGANISATION"]
        if not tenants or not isinstance(tenants[0].get("tenantId"), str):
            raise ProviderError("Xero granted access to no organisation")
        return tenants[0]["tenantId"][:64], text(tenants[0].get("tenantName"), 200)

    def api_headers(self, tenant_id: str) -> dict[str, str]:
        return {"xero-tenant-id": tenant_id}

    def contacts(self, api: Api, *, tenant_id: str, page: int, since: datetime | None) -> Page[RemoteContact]:
        body = api.get(
            f"{API}/Contacts",
            params={"page": page, "where": "IsCustomer==true"},
            headers=_since_header(since),
        )
        rows = _list(body, "Contacts")
        items, errors = parse_rows(contact_from, rows, "ContactID")
        return Page(items=items, more=_more(body, rows), errors=errors)

    def invoices(self, api: Api, *, tenant_id: str, page: int, since: datetime | None) -> Page[RemoteInvoice]:
        params: dict[str, Any] = {"page": page, "where": 'Type=="ACCREC"'}
        if since is None:
            # The first sync takes what is owed now; later ones every change (paid, voided, deleted).
            params["Statuses"] = "AUTHORISED"
        body = api.get(f"{API}/Invoices", params=params, headers=_since_header(since))
        rows = _list(body, "Invoices")
        receivable = [row for row in rows if not isinstance(row, dict) or row.get("Type", "ACCREC") == "ACCREC"]
        items, errors = parse_rows(invoice_from, receivable, "InvoiceID")
        return Page(items=items, more=_more(body, rows), errors=errors)

    def record_payment(self, api: Api, *, tenant_id: str, payment: PaymentToWrite, account: str | None) -> str:
        """POST /Payments (one payment against the invoice, into the bank account with that code), with
        Xero's Idempotency-Key so a retry after a crash returns the first payment instead of a second."""
        if not account:
            raise RowError("choose the Xero bank account (its code) that Stripe payments go to")
        body = {
            "Payments": [
                {
                    "Invoice": {"InvoiceID": payment.invoice_external_id},
                    "Account": {"Code": account},
                    "Date": payment.paid_on.isoformat(),
                    # A JSON number as Xero takes it; two decimals survive float exactly at these sizes.
                    "Amount": float(payment.amount),
                    "Reference": payment.reference[:255],
                }
            ]
        }
        try:
            answer = api.post(f"{API}/Payments", json=body, headers={"Idempotency-Key": payment.idempotency_key})
        except Refused as exc:
            raise RowError(f"Xero refused the payment: {_validation_messages(exc.body)}") from None
        payments = _list(answer, "Payments")
        if not payments or not isinstance(payments[0], dict) or not isinstance(payments[0].get("PaymentID"), str):
            raise ProviderError("Xero's answer to a payment has no PaymentID")
        return payments[0]["PaymentID"][:64]

    def deleted_invoices(self, api: Api, *, tenant_id: str, since: datetime, now: datetime) -> list[str]:
        return []  # a deleted or voided invoice comes back from If-Modified-Since with its status

    def webhook_secret(self) -> str | None:
        return self.settings.xero_webhook_key

    def webhook_signature_header(self) -> str:
        return "x-xero-signature"

    def webhook_tenants(self, payload: dict[str, Any]) -> list[str]:
        events = payload.get("events")
        if not isinstance(events, list):
            return []
        return sorted({e["tenantId"] for e in events if isinstance(e, dict) and isinstance(e.get("tenantId"), str)})

    def webhook_deletions(self, payload: dict[str, Any]) -> dict[str, list[str]]:
        # Xero returns deleted and voided invoices (Status DELETED/VOIDED) to If-Modified-Since reads.
        return {}
