"""Provider payloads shaped as Xero's and Intuit's API references document them (only the fields DueSpark
reads, plus enough of the rest to be recognisable), and the helpers that connect an account for a test."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from duespark.accounting.oauth import Tokens
from duespark.accounting.service import CONNECTED, store_tokens
from duespark.clock import Clock
from duespark.models import Account, AccountingConnection
from duespark.settings import Settings

XERO_TENANT = "a3ef1b5c-6b64-4b0b-9a3e-1a2b3c4d5e6f"
QBO_REALM = "9130347596442096"
XERO_API = "https://api.xero.com/api.xro/2.0"
XERO_TOKEN_URL = "https://identity.xero.com/connect/token"
QBO_TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
QBO_QUERY_URL = f"https://quickbooks.api.intuit.com/v3/company/{QBO_REALM}/query"
QBO_CDC_URL = f"https://quickbooks.api.intuit.com/v3/company/{QBO_REALM}/cdc"


def ms_date(day: date) -> str:
    """Xero's Microsoft JSON date: /Date(<ms since epoch>+0000)/."""
    millis = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
    return f"/Date({millis}+0000)/"


def xero_contact(n: int, *, name: str | None = None, email: str | None = None) -> dict[str, Any]:
    return {
        "ContactID": f"c{n:07d}-0000-4000-8000-000000000000",
        "ContactStatus": "ACTIVE",
        "Name": name or f"Customer {n}",
        "FirstName": "",
        "LastName": "",
        "EmailAddress": email if email is not None else f"ap{n}@customer.test",
        "IsSupplier": False,
        "IsCustomer": True,
        "UpdatedDateUTC": "/Date(1764064800000+0000)/",
    }


def xero_invoice(
    n: int,
    *,
    contact: int = 1,
    total: float = 1250.00,
    paid: float = 0.00,
    credited: float = 0.00,
    status: str = "AUTHORISED",
    currency: str = "EUR",
    issued: date = date(2026, 11, 1),
    due: date = date(2026, 12, 1),
    number: str | None = None,
) -> dict[str, Any]:
    contact_data = xero_contact(contact)
    return {
        "Type": "ACCREC",
        "InvoiceID": f"i{n:07d}-0000-4000-8000-000000000000",
        "InvoiceNumber": number or f"INV-{n:04d}",
        "Reference": "",
        "Contact": {"ContactID": contact_data["ContactID"], "Name": contact_data["Name"]},
        "Date": ms_date(issued),
        "DateString": f"{issued.isoformat()}T00:00:00",
        "DueDate": ms_date(due),
        "DueDateString": f"{due.isoformat()}T00:00:00",
        "Status": status,
        "LineAmountTypes": "Exclusive",
        "SubTotal": total,
        "TotalTax": 0.00,
        "Total": total,
        "AmountDue": round(total - paid - credited, 2),
        "AmountPaid": paid,
        "AmountCredited": credited,
        "CurrencyCode": currency,
        "UpdatedDateUTC": "/Date(1764064800000+0000)/",
        "HasAttachments": False,
    }


def xero_body(key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Id": "5f1c9c4e-1b2a-4c3d-8e9f-0a1b2c3d4e5f",
        "Status": "OK",
        "ProviderName": "DueSpark",
        "DateTimeUTC": "/Date(1764064800000)/",
        key: items,
    }


def qbo_customer(n: int, *, name: str | None = None, email: str | None = None) -> dict[str, Any]:
    return {
        "Id": str(n),
        "SyncToken": "0",
        "DisplayName": name or f"Customer {n}",
        "CompanyName": name or f"Customer {n}",
        "PrimaryEmailAddr": {"Address": email or f"ap{n}@customer.test"},
        "Active": True,
        "Balance": 0,
        "MetaData": {"CreateTime": "2026-11-01T09:00:00-08:00", "LastUpdatedTime": "2026-11-20T09:00:00-08:00"},
    }


def qbo_invoice(
    n: int, *, customer: int = 1, total: float = 362.07, balance: float | None = None, currency: str = "USD"
) -> dict[str, Any]:
    return {
        "Id": str(100 + n),
        "SyncToken": "0",
        "DocNumber": f"{1000 + n}",
        "TxnDate": "2026-11-01",
        "DueDate": "2026-12-01",
        "CurrencyRef": {"value": currency, "name": "United States Dollar"},
        "CustomerRef": {"value": str(customer), "name": f"Customer {customer}"},
        "BillEmail": {"Address": f"ap{customer}@customer.test"},
        "TotalAmt": total,
        "Balance": total if balance is None else balance,
        "InvoiceLink": f"https://app.qbo.intuit.com/app/customer/pay?txnId={100 + n}",
        "EmailStatus": "EmailSent",
        "MetaData": {"CreateTime": "2026-11-01T09:00:00-08:00", "LastUpdatedTime": "2026-11-20T09:00:00-08:00"},
    }


def qbo_query_body(entity: str, items: list[dict[str, Any]], start: int = 1) -> dict[str, Any]:
    response: dict[str, Any] = {"startPosition": start, "maxResults": len(items)} if items else {}
    if items:
        response[entity] = items
    return {"QueryResponse": response, "time": "2026-11-25T02:00:00.000-08:00"}


def qbo_cdc_body(changed: list[dict[str, Any]], deleted_ids: list[str]) -> dict[str, Any]:
    """Change data capture's answer: changed invoices in full, deleted ones as Id, status and MetaData only."""
    deleted = [
        {"domain": "QBO", "status": "Deleted", "Id": i, "MetaData": {"LastUpdatedTime": "2026-11-25T01:50:00-08:00"}}
        for i in deleted_ids
    ]
    rows = changed + deleted
    query = {"Invoice": rows, "startPosition": 1, "maxResults": len(rows), "totalCount": len(rows)} if rows else {}
    return {"CDCResponse": [{"QueryResponse": [query]}], "time": "2026-11-25T02:00:00.000-08:00"}


def signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def connect(
    session: Session,
    *,
    account: Account,
    settings: Settings,
    clock: Clock,
    provider: str = "xero",
    expires_in: timedelta = timedelta(minutes=30),
) -> AccountingConnection:
    now = clock.now()
    connection = AccountingConnection(
        account_id=account.id,
        provider=provider,
        status=CONNECTED,
        tenant_id=XERO_TENANT if provider == "xero" else QBO_REALM,
        tenant_name="Acme Books Ltd",
        next_sync_at=now,
        created_at=now,
        updated_at=now,
    )
    store_tokens(settings, connection, Tokens("access-1", "refresh-1", now + expires_in))
    session.add(connection)
    session.flush()
    return connection
