"""Provider webhooks: the signature is verified on the raw body before anything is read, deliveries are
deduplicated in the inbox, and the named organisation's connection syncs at the next tick."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from duespark.models import AccountingConnection, AccountingLink, Invoice, WebhookEvent
from tests.accounting.conftest import QBO_VERIFIER, XERO_WEBHOOK_KEY
from tests.accounting.payloads import QBO_REALM, XERO_TENANT, connect, signature
from tests.helpers import make_client, make_invoice


def _post(client, provider: str, body: bytes, header: str, sig: str | None):
    headers = {"Content-Type": "application/json"}
    if sig is not None:
        headers[header] = sig
    return client.post(f"/api/integrations/{provider}/webhook", content=body, headers=headers)


def test_xero_intent_to_receive(client):
    # Xero's check: an empty event list, once signed with the webhook key and once not.
    body = json.dumps({"events": [], "firstEventSequence": 0, "lastEventSequence": 0, "entropy": "S0m3r4Nd0mt3xt"})
    raw = body.encode()

    assert _post(client, "xero", raw, "x-xero-signature", signature(XERO_WEBHOOK_KEY, raw)).status_code == 200
    forged = _post(client, "xero", raw, "x-xero-signature", signature("another-key", raw))
    assert forged.status_code == 401
    assert _post(client, "xero", raw, "x-xero-signature", None).status_code == 401
    # Not JSON, but the signature is checked first: unsigned garbage is a 401, never a 422.
    assert _post(client, "xero", b"{not json", "x-xero-signature", "AAAA").status_code == 401


def test_xero_event_queues_the_sync_once(client, session, account, settings, clock):
    connection = connect(session, account=account, settings=settings, clock=clock)
    connection.next_sync_at = clock.now() + timedelta(minutes=15)
    session.flush()
    event = {
        "resourceUrl": "https://api.xero.com/api.xro/2.0/Invoices/i0000001-0000-4000-8000-000000000000",
        "resourceId": "i0000001-0000-4000-8000-000000000000",
        "eventDateUtc": "2026-11-25T09:59:00.000",
        "eventType": "UPDATE",
        "eventCategory": "INVOICE",
        "tenantId": XERO_TENANT,
        "tenantType": "ORGANISATION",
    }
    raw = json.dumps({"events": [event], "firstEventSequence": 1, "lastEventSequence": 1, "entropy": "X"}).encode()
    sig = signature(XERO_WEBHOOK_KEY, raw)

    first = _post(client, "xero", raw, "x-xero-signature", sig)
    second = _post(client, "xero", raw, "x-xero-signature", sig)

    assert first.json() == {"result": "1 connection(s) will sync"}
    assert second.json() == {"result": "duplicate"}
    session.expire_all()
    assert session.get(AccountingConnection, connection.id).next_sync_at == clock.now()
    stored = select(func.count()).select_from(WebhookEvent).where(WebhookEvent.source == "accounting:xero")
    assert session.scalar(stored) == 1


def test_quickbooks_verifier_token_signature(client, session, account, settings, clock):
    connection = connect(session, account=account, settings=settings, clock=clock, provider="quickbooks")
    connection.next_sync_at = None
    session.flush()
    payload = {
        "eventNotifications": [
            {
                "realmId": QBO_REALM,
                "dataChangeEvent": {
                    "entities": [
                        {"name": "Payment", "id": "155", "operation": "Create", "lastUpdated": "2026-11-25T09:59:00Z"}
                    ]
                },
            }
        ]
    }
    raw = json.dumps(payload).encode()

    assert _post(client, "quickbooks", raw, "intuit-signature", signature("forged", raw)).status_code == 401
    ok = _post(client, "quickbooks", raw, "intuit-signature", signature(QBO_VERIFIER, raw))

    assert ok.status_code == 200 and ok.json() == {"result": "1 connection(s) will sync"}
    session.expire_all()
    assert session.get(AccountingConnection, connection.id).next_sync_at == clock.now()


def test_webhook_refused_when_no_key_is_configured(client, settings):
    settings.xero_webhook_key = None
    raw = b'{"events": []}'
    assert _post(client, "xero", raw, "x-xero-signature", signature(XERO_WEBHOOK_KEY, raw)).status_code == 401


def test_quickbooks_deleted_invoice_is_voided_at_once(client, session, account, settings, clock):
    connection = connect(session, account=account, settings=settings, clock=clock, provider="quickbooks")
    invoice = make_invoice(session, client=make_client(session, account=account, clock=clock), clock=clock)
    session.add(
        AccountingLink(
            connection_id=connection.id,
            account_id=account.id,
            kind="invoice",
            external_id="142",
            local_id=invoice.id,
            synced_at=clock.now(),
        )
    )
    session.flush()
    entities = [
        {"name": "Invoice", "id": "142", "operation": "Delete", "lastUpdated": "2026-11-25T09:59:00Z"},
        # Another company's invoice with the same id is not this account's.
        {"name": "Invoice", "id": "999", "operation": "Void", "lastUpdated": "2026-11-25T09:59:00Z"},
    ]
    payload = {"eventNotifications": [{"realmId": QBO_REALM, "dataChangeEvent": {"entities": entities}}]}
    raw = json.dumps(payload).encode()

    response = _post(client, "quickbooks", raw, "intuit-signature", signature(QBO_VERIFIER, raw))

    assert response.json() == {"result": "1 connection(s) will sync; 1 invoice(s) voided"}
    session.expire_all()
    assert session.get(Invoice, invoice.id).status == "void"
