"""QuickBooks Online: OAuth 2.0 (state and the app's client secret; Intuit takes no PKCE for web apps), the
query endpoint for Customers and Invoices paged with STARTPOSITION/MAXRESULTS, incremental by
Metadata.LastUpdatedTime; webhooks signed with intuit-signature (HMAC-SHA256 with the verifier token).

Shapes: https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice (query:
{"QueryResponse": {"Invoice": [...], "startPosition": 1, "maxResults": n}, "time": ...}); deletions through
change data capture (.../learn/explore-the-quickbooks-online-api/change-data-capture:
{"CDCResponse": [{"QueryResponse": [{"Invoice": [{"Id": "7", "status": "Deleted", ...}, ...]}]}], "time": ...}).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from duespark.accounting.api import ProviderError, Refused
from duespark.accounting.base import (
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

PAGE_SIZE = 100
MINOR_VERSION = "75"
# How far back change data capture answers (30 days), less an hour's margin for clocks.
CDC_LOOKBACK = timedelta(days=30) - timedelta(hours=1)
BASE_URLS = {
    "production": "https://quickbooks.api.intuit.com",
    "sandbox": "https://sandbox-quickbooks.api.intuit.com",
}


def _ref(value: Any) -> str | None:
    return text(value.get("value"), 64) if isinstance(value, dict) else None


def _address(value: Any) -> str | None:
    return text(value.get("Address"), 320) if isinstance(value, dict) else None


def customer_from(data: dict[str, Any]) -> RemoteContact:
    external_id = text(data.get("Id"), 64)
    if external_id is None:
        raise RowError("a customer without Id")
    name = text(data.get("DisplayName"), 200) or text(data.get("CompanyName"), 200) or "QuickBooks customer"
    return RemoteContact(
        external_id=external_id,
        name=name,
        email=_address(data.get("PrimaryEmailAddr")),
        company=text(data.get("CompanyName"), 200),
    )


def invoice_from(data: dict[str, Any]) -> RemoteInvoice:
    external_id = text(data.get("Id"), 64)
    if external_id is None:
        raise RowError("an invoice without Id")
    customer = data.get("CustomerRef")
    customer_id = _ref(customer)
    if customer_id is None:
        raise RowError("the invoice has no CustomerRef")
    total = parse_decimal(data.get("TotalAmt"), field="TotalAmt")
    balance = parse_decimal(data.get("Balance"), field="Balance")
    # QuickBooks keeps a voided invoice with its amounts set to zero and "Voided" in the private note.
    voided = total == 0 and "voided" in str(data.get("PrivateNote") or "").lower()
    issued = parse_date(data.get("TxnDate"), field="TxnDate")
    return RemoteInvoice(
        external_id=external_id,
        contact=RemoteContact(
            external_id=customer_id,
            name=text(customer.get("name"), 200) or "QuickBooks customer",
            email=_address(data.get("BillEmail")),
        ),
        number=text(data.get("DocNumber"), 64) or external_id,
        currency=str(_ref(data.get("CurrencyRef")) or ""),
        issue_date=issued,
        due_date=parse_date(data.get("DueDate"), field="DueDate") if data.get("DueDate") else issued,
        total=total,
        # What closed part of the balance: payments and applied credit memos alike, as QuickBooks reports it.
        paid=max(total - balance, Decimal(0)),
        credited=Decimal(0),
        status=VOID if voided else (OPEN if balance > 0 else PAID),
        online_url=text(data.get("InvoiceLink"), 2000),
    )


def _fault_messages(body: Any) -> str:
    """QuickBooks' 400: {"Fault": {"Error": [{"Message": ..., "Detail": ..., "code": ...}], "type": ...}}."""
    fault = body.get("Fault") if isinstance(body, dict) else None
    errors = fault.get("Error") if isinstance(fault, dict) else None
    messages = [
        str(error.get("Detail") or error.get("Message"))[:200]
        for error in (errors if isinstance(errors, list) else [])
        if isinstance(error, dict) and (error.get("Detail") or error.get("Message"))
    ]
    return "; ".join(messages) or "no reason given"


def _query(entity: str, *, page: int, since: datetime | None, open_only: bool) -> str:
    conditions = []
    if since is not None:
        conditions.append(f"Metadata.LastUpdatedTime > '{since.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}'")
    if open_only:
        conditions.append("Balance > '0'")
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    start = (page - 1) * PAGE_SIZE + 1
    # QuickBooks' own query language, not SQL; every value in it is a number or a formatted timestamp.
    return f"SELECT * FROM {entity}{where} STARTPOSITION {start} MAXRESULTS {PAGE_SIZE}"  # noqa: S608  # nosec B608


class QuickBooks:
    name = "quickbooks"
    label = "QuickBooks Online"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base_url = BASE_URLS[settings.quickbooks_environment]

    def oauth(self) -> OAuthConfig | None:
        if not self.settings.quickbooks_client_id:
            return None
        return OAuthConfig(
            client_id=self.settings.quickbooks_client_id,
            client_secret=self.settings.quickbooks_client_secret,
            authorize_url="https://appcenter.intuit.com/connect/oauth2",
            exchange_url="https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
            scope="com.intuit.quickbooks.accounting",
            pkce=False,
        )

    def tenant(self, http: Any, *, access_token: str, callback_params: dict[str, str]) -> tuple[str, str | None]:
        realm = callback_params.get("realmId") or ""
        if not (realm.isascii() and realm.isdigit() and len(realm) <= 32):
            raise ProviderError("QuickBooks sent no company (realmId)")
        response = http.get(
            f"{self.base_url}/v3/company/{realm}/companyinfo/{realm}",
            params={"minorversion": MINOR_VERSION},
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        )
        info = response.json().get("CompanyInfo") if response.status_code == 200 else None
        return realm, text(info.get("CompanyName"), 200) if isinstance(info, dict) else None

    def api_headers(self, tenant_id: str) -> dict[str, str]:
        return {}

    def _page(self, api: Api, tenant_id: str, entity: str, query: str) -> list[Any]:
        body = api.get(
            f"{self.base_url}/v3/company/{tenant_id}/query",
            params={"query": query, "minorversion": MINOR_VERSION, "include": "invoiceLink"},
        )
        response = body.get("QueryResponse") if isinstance(body, dict) else None
        if not isinstance(response, dict):
            raise ProviderError("QuickBooks' answer has no QueryResponse")
        rows = response.get(entity, [])
        if not isinstance(rows, list):
            raise ProviderError(f"QuickBooks' QueryResponse.{entity} is not a list")
        return rows

    def contacts(self, api: Api, *, tenant_id: str, page: int, since: datetime | None) -> Page[RemoteContact]:
        rows = self._page(api, tenant_id, "Customer", _query("Customer", page=page, since=since, open_only=False))
        items, errors = parse_rows(customer_from, rows, "Id")
        return Page(items=items, more=len(rows) >= PAGE_SIZE, errors=errors)

    def invoices(self, api: Api, *, tenant_id: str, page: int, since: datetime | None) -> Page[RemoteInvoice]:
        query = _query("Invoice", page=page, since=since, open_only=since is None)
        rows = self._page(api, tenant_id, "Invoice", query)
        items, errors = parse_rows(invoice_from, rows, "Id")
        return Page(items=items, more=len(rows) >= PAGE_SIZE, errors=errors)

    def record_payment(self, api: Api, *, tenant_id: str, payment: PaymentToWrite, account: str | None) -> str:
        """POST /payment linked to the invoice (LinkedTxn), for its customer, with the requestid QuickBooks
        uses to answer a retried request with the first result instead of making a second payment."""
        if not payment.contact_external_id:
            raise RowError("the invoice's customer is not linked to QuickBooks yet; the next sync links it")
        amount = float(payment.amount)  # a JSON number; two decimals survive float exactly at these sizes
        body: dict[str, Any] = {
            "TotalAmt": amount,
            "CustomerRef": {"value": payment.contact_external_id},
            "TxnDate": payment.paid_on.isoformat(),
            # QuickBooks keeps 21 characters of a reference number; the note has Stripe's whole id.
            "PaymentRefNum": payment.reference[:21],
            "PrivateNote": f"Paid by card through DueSpark (Stripe {payment.reference})"[:4000],
            "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": payment.invoice_external_id, "TxnType": "Invoice"}]}],
        }
        if account:
            body["DepositToAccountRef"] = {"value": account}
        try:
            answer = api.post(
                f"{self.base_url}/v3/company/{tenant_id}/payment",
                json=body,
                params={"minorversion": MINOR_VERSION, "requestid": payment.idempotency_key},
            )
        except Refused as exc:
            raise RowError(f"QuickBooks refused the payment: {_fault_messages(exc.body)}") from None
        created = answer.get("Payment") if isinstance(answer, dict) else None
        if not isinstance(created, dict) or not isinstance(created.get("Id"), str):
            raise ProviderError("QuickBooks' answer to a payment has no Payment.Id")
        return created["Id"][:64]

    def deleted_invoices(self, api: Api, *, tenant_id: str, since: datetime, now: datetime) -> list[str]:
        """Change data capture: the one read that returns deleted invoices (as {"Id", "status": "Deleted"}).
        It looks back at most 30 days; a connection idle for longer relies on its webhooks for older ones.
        One answer holds at most 1,000 changed objects, so a run is asked about the changes since its
        previous run only."""
        changed_since = max(since, now - CDC_LOOKBACK).astimezone(UTC)
        body = api.get(
            f"{self.base_url}/v3/company/{tenant_id}/cdc",
            params={
                "entities": "Invoice",
                "changedSince": changed_since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "minorversion": MINOR_VERSION,
            },
        )
        responses = body.get("CDCResponse") if isinstance(body, dict) else None
        if not isinstance(responses, list):
            raise ProviderError("QuickBooks' change data capture answer has no CDCResponse")
        deleted = []
        for response in responses:
            queries = response.get("QueryResponse") if isinstance(response, dict) else None
            for query in queries if isinstance(queries, list) else []:
                rows = query.get("Invoice") if isinstance(query, dict) else None
                for row in rows if isinstance(rows, list) else []:
                    if isinstance(row, dict) and row.get("status") == "Deleted" and isinstance(row.get("Id"), str):
                        deleted.append(row["Id"][:64])
        return deleted

    def webhook_secret(self) -> str | None:
        return self.settings.quickbooks_webhook_verifier_token

    def webhook_signature_header(self) -> str:
        return "intuit-signature"

    def webhook_tenants(self, payload: dict[str, Any]) -> list[str]:
        notifications = payload.get("eventNotifications")
        if not isinstance(notifications, list):
            return []
        return sorted(
            {n["realmId"] for n in notifications if isinstance(n, dict) and isinstance(n.get("realmId"), str)}
        )

    def webhook_deletions(self, payload: dict[str, Any]) -> dict[str, list[str]]:
        """Invoice entities with operation Delete or Void: a deleted invoice never comes back from a query."""
        found: dict[str, list[str]] = {}
        for notification in payload.get("eventNotifications") or []:
            if not isinstance(notification, dict) or not isinstance(notification.get("realmId"), str):
                continue
            change = notification.get("dataChangeEvent")
            entities = change.get("entities") if isinstance(change, dict) else None
            for entity in entities if isinstance(entities, list) else []:
                if (
                    isinstance(entity, dict)
                    and entity.get("name") == "Invoice"
                    and entity.get("operation") in ("Delete", "Void")
                    and isinstance(entity.get("id"), str)
                ):
                    found.setdefault(notification["realmId"], []).append(entity["id"][:64])
        return found
