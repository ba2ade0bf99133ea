"""Provider webhooks: the signature is checked on the raw body before anything is read (a forged one is a
401, which is also how Xero's intent-to-receive check expects an unsigned request to be answered), the
delivery is stored once in the webhook inbox, and the connections of the organisations it names sync at
the next tick: the incremental sync reads the changes, so a missed webhook costs only time."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from duespark import jsonbody
from duespark.accounting.base import Provider, hmac_base64_matches
from duespark.accounting.service import connections_of_tenant, request_tenant_syncs
from duespark.accounting.sync import Changes, InvoiceApplier
from duespark.audit import service as audit
from duespark.clock import Clock
from duespark.errors import DomainError
from duespark.webhooks import store_webhook_event


class WebhookSignatureInvalid(DomainError):
    status_code = 401
    error = "InvalidSignature"


def receive(session: Session, *, provider: Provider, body: bytes, signature: str | None, clock: Clock) -> str:
    secret = provider.webhook_secret()
    if not secret or not hmac_base64_matches(secret, body, signature):
        raise WebhookSignatureInvalid("The webhook signature does not match")
    payload = jsonbody.json_object(body, what=f"a {provider.label} webhook")
    tenants = provider.webhook_tenants(payload)
    if not tenants:
        return "ok"
    # Providers resend the same body when an answer is late: its hash is the delivery's identity.
    stored = store_webhook_event(
        session,
        source=f"accounting:{provider.name}",
        external_id=hashlib.sha256(body).hexdigest(),
        type="changes",
        payload=payload,
        clock=clock,
    )
    if stored is None:
        return "duplicate"
    now = clock.now()
    queued = request_tenant_syncs(session, provider=provider.name, tenant_ids=tenants, now=now)
    voided = 0
    for tenant_id, external_ids in provider.webhook_deletions(payload).items():
        for connection in connections_of_tenant(session, provider=provider.name, tenant_id=tenant_id):
            changes = Changes()
            audit.act_as(session, audit.WEBHOOK)
            InvoiceApplier(session, connection, provider.label, changes, clock).void_deleted(external_ids)
            connection.last_result = changes.merge_into(connection.last_result)
            voided += changes.counts.get("invoices_voided", 0)
    stored.processed_at = now
    return f"{queued} connection(s) will sync" + (f"; {voided} invoice(s) voided" if voided else "")
