"""What other domains call to report a change: a row per (subscribed endpoint, event) in the caller's
transaction (the transactional outbox). A change that rolls back sends nothing; a committed one is
delivered by the worker even if the process dies right after the commit.

Each domain calls one function per place a change happens (invoices and payments through the invoice
events, clients, reminders); nothing here imports those domains, so the import stays one way. The
functions take a Session or a Connection (the dispatcher records sends with Core statements).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.db import bulk_insert
from duespark.models import (
    Account,
    Client,
    ClientAnswer,
    InboundMessage,
    Invoice,
    InvoiceAdjustment,
    Payment,
    Reminder,
    WebhookDelivery,
    WebhookEndpoint,
)
from duespark.models.enums import InvoiceStatus
from duespark.money import format_amount

EVENT_TYPES: dict[str, str] = {
    "invoice.created": "An invoice was created (in the app, the API, a CSV or Stripe import)",
    "invoice.updated": "An invoice's details, amounts or status changed",
    "invoice.partially_paid": "A payment left part of an invoice to pay",
    "invoice.paid": "An invoice was paid in full",
    "invoice.voided": "An invoice was voided",
    "payment.recorded": "A payment was recorded against an invoice",
    "payment.refunded": "A refund was recorded against an invoice",
    "reminder.scheduled": "A reminder was planned, or its send time or template changed",
    "reminder.canceled": "A pending reminder was canceled (invoice paid or void, paused, on hold, by the user...)",
    "reminder.sent": "A reminder email was sent",
    "reminder.failed": "A reminder email could not be sent (attempts exhausted or refused)",
    "client.created": "A client was created",
    "client.unsubscribed": "A client used the unsubscribe link in a reminder",
    "client.email_suppressed": "A client's address bounced or complained; reminders to it stopped",
    "client.replied": "A client replied to a reminder email (automatic replies and bounces are not sent)",
    "client.promised": "A client promised, from their pay link, to pay an invoice by a date",
    "client.disputed": "A client disputed an invoice or asked a question about it from their pay link",
    "client.claimed_paid": "A client said, from their pay link, that they already paid an invoice",
    "late_fee.charged": "A late fee or interest was added to an invoice as its reminder was sent",
    "late_fee.waived": "A late fee or interest charge was taken off an invoice",
}
_INVOICE = ("id", "number", "client_id", "status", "currency", "amount", "fees", "amount_paid", "balance")
_INVOICE += ("issue_date", "due_date", "paid_at", "voided_at", "external_id")
_PAYMENT = ("id", "invoice_id", "amount", "currency", "method", "paid_at", "external_reference", "invoice")
_REMINDER = ("id", "invoice_id", "client_id", "step", "template")
_CLIENT = ("id", "name", "email", "company", "unsubscribed_at")
_ANSWER = ("id", "invoice_id", "client_id", "source", "message", "promised_date", "disputed_amount", "paid_on")
_ANSWER += ("reference", "currency", "balance", "created_at")
_REPLY = ("id", "client_id", "invoice_id", "invoice_ids", "from_email", "from_name", "subject", "text")
_REPLY += ("text_truncated", "attachments", "received_at")
_FEE = ("id", "invoice_id", "reminder_id", "step", "kind", "amount", "currency", "description", "period_start")
_FEE += ("period_end", "charged_at", "waived_at")
# The fields of each event's `data`, in order (GET /api/webhooks/event-types; docs/webhooks.md says what each is).
EVENT_DATA: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("invoice.created", "invoice.updated", "invoice.partially_paid"), _INVOICE),
    **dict.fromkeys(("invoice.paid", "invoice.voided"), _INVOICE),
    "payment.recorded": _PAYMENT,
    "payment.refunded": _PAYMENT,
    "reminder.scheduled": (*_REMINDER, "scheduled_for", "is_test"),
    "reminder.canceled": (*_REMINDER, "scheduled_for", "is_test", "reason", "at"),
    "reminder.sent": (*_REMINDER, "at", "is_test", "message_id"),
    "reminder.failed": (*_REMINDER, "at", "is_test", "reason", "error"),
    "client.created": _CLIENT,
    "client.unsubscribed": (*_CLIENT, "reason"),
    "client.email_suppressed": (*_CLIENT, "reason"),
    "client.replied": _REPLY,
    **dict.fromkeys(("client.promised", "client.disputed", "client.claimed_paid"), _ANSWER),
    "late_fee.charged": _FEE,
    "late_fee.waived": _FEE,
}
# What a planner run, a cancel or a dispatcher round may report for many reminders at once.
REMINDER_CHANGES = ("reminder.scheduled", "reminder.canceled")
# Sent by "Send test event" only, to the one endpoint asked; nobody subscribes to it.
TEST_EVENT = "webhook.test"
# Invoices (or reminders) read per statement when a big import or planner run reports its rows.
CHUNK = 1000
# From this many rows at once, deliveries are written with the database's bulk path.
BULK_ROWS = 200
# A reply's text in its event: the mail itself may be megabytes; the delivery log keeps every body.
REPLY_TEXT_CHARS = 10_000

Db = Session | Connection


@dataclass
class Event:
    account_id: int
    type: str
    data: dict[str, Any]
    # Deliveries with the same key reach an endpoint in the order they were queued (one invoice's events).
    ordering_key: str | None = None
    id: str = field(default_factory=lambda: f"msg_{uuid.uuid4().hex}")

    def body(self, now: datetime) -> str:
        """The JSON the receiver gets (the Standard Webhooks payload shape: type, timestamp, data)."""
        document = {"type": self.type, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": self.data}
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat().replace("+00:00", "Z")
    raise TypeError(type(value).__name__)


def enqueue(db: Db, events: Sequence[Event], *, now: datetime, endpoint_ids: Iterable[int] | None = None) -> int:
    """Queue each event for every enabled endpoint of its account subscribed to its type (or, with
    `endpoint_ids`, for those endpoints whatever they subscribe to: tests and resends). How many rows."""
    if not events:
        return 0
    stmt = select(WebhookEndpoint.id, WebhookEndpoint.account_id, WebhookEndpoint.event_types).where(
        WebhookEndpoint.account_id.in_({e.account_id for e in events}), WebhookEndpoint.enabled.is_(True)
    )
    if endpoint_ids is not None:
        stmt = stmt.where(WebhookEndpoint.id.in_(list(endpoint_ids)))
    # Each account's endpoints, with the set of types they receive: a planner run's thousand events of fifty
    # accounts look up theirs instead of scanning every endpoint for each event.
    by_account: dict[int, list[tuple[int, set[str] | None]]] = {}
    for endpoint in db.execute(stmt):
        types = None if endpoint_ids is not None else set(endpoint.event_types)
        by_account.setdefault(endpoint.account_id, []).append((endpoint.id, types))
    if not by_account:
        return 0
    rows = [
        {
            "account_id": event.account_id,
            "endpoint_id": endpoint_id,
            "event_id": event.id,
            "event_type": event.type,
            "ordering_key": event.ordering_key,
            "body": event.body(now),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for event in events
        for endpoint_id, types in by_account.get(event.account_id, ())
        if types is None or event.type in types
    ]
    if len(rows) >= BULK_ROWS and isinstance(db, Session):
        # COPY on PostgreSQL (a planner run's 25,000 rows: a third of the time of an executemany). The
        # bodies are JSON, whose escaping leaves no NUL character for the statement hook to refuse.
        bulk_insert(db, WebhookDelivery.__table__, rows)
    elif rows:
        db.execute(insert(WebhookDelivery), rows)
    return len(rows)


def invoice_data(invoice: Invoice) -> dict[str, Any]:
    currency = invoice.currency
    return {
        "id": invoice.id,
        "number": invoice.number,
        "client_id": invoice.client_id,
        "status": invoice.status,
        "currency": currency,
        "amount": format_amount(invoice.amount_minor, currency),
        "fees": format_amount(invoice.fees_minor or 0, currency),
        "amount_paid": format_amount(invoice.amount_paid_minor, currency),
        "balance": format_amount(invoice.balance_minor, currency),
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "paid_at": invoice.paid_at,
        "voided_at": invoice.voided_at,
        "external_id": invoice.external_id,
    }


def client_data(client: Client) -> dict[str, Any]:
    return {
        "id": client.id,
        "name": client.name,
        "email": client.email,
        "company": client.company,
        "unsubscribed_at": client.unsubscribed_at,
    }


# The invoice domain's changes (invoices/events.py InvoiceChange values) as event types.
INVOICE_CHANGES = {
    "created": "invoice.created",
    "updated": "invoice.updated",
    "paid": "invoice.paid",
    "reopened": "invoice.updated",
    "voided": "invoice.voided",
}


def on_invoice_change(session: Session, change: str, invoice_ids: Sequence[int], clock: Clock) -> None:
    """Listener of the invoice events (wiring.py). Invoices of accounts without an endpoint are not read."""
    now = clock.now()
    if not invoice_ids or not _any_endpoint(session, invoice_ids[0]):
        # One account's invoices per change (an import, a bulk action): most accounts have no endpoint,
        # and reading 50,000 imported invoices in chunks to find that out took 2 s.
        return
    for start in range(0, len(invoice_ids), CHUNK):
        chunk = list(invoice_ids[start : start + CHUNK])
        invoices = session.scalars(
            select(Invoice)
            .where(Invoice.id.in_(chunk), Invoice.account_id.in_(_has_endpoints_for_invoices(chunk)))
            .order_by(Invoice.id)
        ).all()
        events = [
            Event(i.account_id, _invoice_event_type(change, i), invoice_data(i), f"invoice:{i.id}") for i in invoices
        ]
        enqueue(session, events, now=now)


def _any_endpoint(session: Session, invoice_id: int) -> bool:
    """Whether the account of this invoice has an enabled endpoint."""
    account = select(Invoice.account_id).where(Invoice.id == invoice_id).scalar_subquery()
    return (
        session.scalar(
            select(WebhookEndpoint.id)
            .where(WebhookEndpoint.account_id == account, WebhookEndpoint.enabled.is_(True))
            .limit(1)
        )
        is not None
    )


def _has_endpoints_for_invoices(invoice_ids: list[int]):
    accounts = select(Invoice.account_id).where(Invoice.id.in_(invoice_ids)).distinct()
    return select(WebhookEndpoint.account_id).where(
        WebhookEndpoint.account_id.in_(accounts), WebhookEndpoint.enabled.is_(True)
    )


def _invoice_event_type(change: str, invoice: Invoice) -> str:
    if change == "payment_recorded":
        return "invoice.partially_paid" if invoice.status == InvoiceStatus.partially_paid else "invoice.updated"
    return INVOICE_CHANGES[change]


def payment_recorded(session: Session, payment: Payment, invoice: Invoice, clock: Clock) -> None:
    """Called where money is applied to an invoice (invoices/service.py apply_payment)."""
    currency = payment.currency
    data = {
        "id": payment.id,
        "invoice_id": payment.invoice_id,
        "amount": format_amount(abs(payment.amount_minor), currency),
        "currency": currency,
        "method": payment.method,
        "paid_at": payment.paid_at,
        "external_reference": payment.external_reference,
        "invoice": invoice_data(invoice),
    }
    kind = "payment.refunded" if payment.amount_minor < 0 else "payment.recorded"
    enqueue(session, [Event(payment.account_id, kind, data, f"invoice:{invoice.id}")], now=clock.now())


def client_created(session: Session, client: Client, clock: Clock) -> None:
    """Called by clients/service.py create_client."""
    event = Event(client.account_id, "client.created", client_data(client), f"client:{client.id}")
    enqueue(session, [event], now=clock.now())


def on_clients_stopped(session: Session, client_ids: Sequence[int], reason: str, clock: Clock) -> None:
    """Listener of the email domain's signals (wiring.py): an unsubscribe, a bounce or a complaint."""
    clients = session.scalars(
        select(Client).where(Client.id.in_(client_ids), Client.account_id.in_(_clients_accounts(client_ids)))
    ).all()
    kind = "client.unsubscribed" if reason == "unsubscribed" else "client.email_suppressed"
    events = [Event(c.account_id, kind, {**client_data(c), "reason": reason}, f"client:{c.id}") for c in clients]
    enqueue(session, events, now=clock.now())


def _clients_accounts(client_ids: Sequence[int]):
    accounts = select(Client.account_id).where(Client.id.in_(list(client_ids))).distinct()
    return select(WebhookEndpoint.account_id).where(
        WebhookEndpoint.account_id.in_(accounts), WebhookEndpoint.enabled.is_(True)
    )


def reminder_outcomes(connection: Connection, sent: Sequence[Any], failures: Sequence[Any], *, now: datetime) -> None:
    """Called by the dispatcher as it records a round: `sent` are its Sent outcomes (each with `.items`
    of claimed reminders and the provider's message id), `failures` its (Failed, item, state, reason)."""
    events = [
        _reminder_event("reminder.sent", item, now, message_id=outcome.result.provider_message_id)
        for outcome in sent
        for item in outcome.items
    ]
    events += [
        _reminder_event("reminder.failed", item, now, reason=reason, error=failed.error)
        for failed, item, state, reason in failures
        if state == "failed"
    ]
    enqueue(connection, events, now=now)


def _reminder_event(kind: str, item: Any, now: datetime, **extra: Any) -> Event:
    reminder, invoice = item.reminder, item.invoice
    data = {
        "id": reminder.id,
        "invoice_id": invoice.id,
        "client_id": item.client.id,
        "step": reminder.step_key,
        "template": reminder.template_key,
        "at": now,
        "is_test": item.account.test_mode,
        **extra,
    }
    return Event(item.account.id, kind, data, f"invoice:{invoice.id}")


def subscribed_accounts(db: Db, types: Iterable[str], *, account_ids: Iterable[int] | None = None) -> set[int]:
    """The accounts (of `account_ids`, or all) with an enabled endpoint receiving one of `types`. A caller
    about to report many rows asks first, so an account without such an endpoint pays this one query."""
    stmt = select(WebhookEndpoint.account_id, WebhookEndpoint.event_types).where(WebhookEndpoint.enabled.is_(True))
    if account_ids is not None:
        accounts = list(set(account_ids))
        if not accounts:
            return set()
        if len(accounts) <= CHUNK:
            stmt = stmt.where(WebhookEndpoint.account_id.in_(accounts))
    wanted = set(types)
    return {row.account_id for row in db.execute(stmt) if wanted.intersection(row.event_types)}


def reminders_changed(db: Db, kind: str, reminders: Sequence[tuple[int, int]], *, now: datetime) -> None:
    """`reminder.scheduled` or `reminder.canceled` for the (reminder id, account id) pairs a statement
    just changed (its RETURNING rows); only those of subscribed accounts are read, CHUNK at a time."""
    accounts = subscribed_accounts(db, [kind], account_ids={account_id for _, account_id in reminders})
    ids = [reminder_id for reminder_id, account_id in reminders if account_id in accounts]
    for start in range(0, len(ids), CHUNK):
        rows = db.execute(
            select(
                Reminder.id,
                Reminder.account_id,
                Reminder.invoice_id,
                Invoice.client_id,
                Reminder.step_key,
                Reminder.template_key,
                Reminder.scheduled_for,
                Reminder.reason,
                Account.test_mode,
            )
            .join(Invoice, Invoice.id == Reminder.invoice_id)
            .join(Account, Account.id == Reminder.account_id)
            .where(Reminder.id.in_(ids[start : start + CHUNK]))
            .order_by(Reminder.invoice_id, Reminder.scheduled_for, Reminder.id)
        ).all()
        enqueue(db, [_changed_reminder_event(kind, row, now) for row in rows], now=now)


def _changed_reminder_event(kind: str, row: Any, now: datetime) -> Event:
    data = {
        "id": row.id,
        "invoice_id": row.invoice_id,
        "client_id": row.client_id,
        "step": row.step_key,
        "template": row.template_key,
        "scheduled_for": row.scheduled_for,
        "is_test": row.test_mode,
    }
    if kind == "reminder.canceled":
        data |= {"reason": row.reason, "at": now}
    return Event(row.account_id, kind, data, f"invoice:{row.invoice_id}")


# The answers domain's kinds (models/client_answer.py) as event types.
ANSWER_EVENTS = {"promise": "client.promised", "dispute": "client.disputed", "paid_claim": "client.claimed_paid"}


def client_answered(session: Session, answer: ClientAnswer, invoice: Invoice, clock: Clock) -> None:
    """Called by answers/service.py when a client's answer is recorded (not when a repeat finds it open)."""
    currency = invoice.currency
    disputed = answer.disputed_minor
    data = {
        "id": answer.id,
        "invoice_id": answer.invoice_id,
        "client_id": answer.client_id,
        "source": answer.source,
        "message": answer.message,
        "promised_date": answer.promised_date,
        "disputed_amount": None if disputed is None else format_amount(disputed, currency),
        "paid_on": answer.paid_on,
        "reference": answer.reference,
        "currency": currency,
        "balance": format_amount(invoice.balance_minor, currency),
        "created_at": answer.created_at,
    }
    event = Event(answer.account_id, ANSWER_EVENTS[answer.kind], data, f"invoice:{invoice.id}")
    enqueue(session, [event], now=clock.now())


def client_replied(session: Session, message: InboundMessage, clock: Clock) -> None:
    """Called by inbound/service.py when a client's reply is filed (automatic replies and bounces are not)."""
    data = {
        "id": message.id,
        "client_id": message.client_id,
        "invoice_id": message.invoice_id,
        "invoice_ids": message.invoice_ids,
        "from_email": message.from_email,
        "from_name": message.from_name,
        "subject": message.subject,
        "text": message.text[:REPLY_TEXT_CHARS],
        "text_truncated": len(message.text) > REPLY_TEXT_CHARS,
        "attachments": [
            {"filename": a["filename"], "content_type": a["content_type"], "size": a["size"]}
            for a in message.attachments
        ],
        "received_at": message.received_at,
    }
    key = f"invoice:{message.invoice_id}" if message.invoice_id else f"client:{message.client_id}"
    enqueue(session, [Event(message.account_id, "client.replied", data, key)], now=clock.now())


def late_fee(db: Db, kind: str, adjustment: InvoiceAdjustment | Any, *, now: datetime) -> None:
    """`late_fee.charged` (invoices/adjustments.py record, as the reminder is recorded sent) or
    `late_fee.waived` (invoices/service.py waive_adjustment); `adjustment` is the row or a RETURNING row."""
    currency = adjustment.currency
    data = {
        "id": adjustment.id,
        "invoice_id": adjustment.invoice_id,
        "reminder_id": adjustment.reminder_id,
        "step": adjustment.step_key,
        "kind": adjustment.kind,
        "amount": format_amount(adjustment.amount_minor, currency),
        "currency": currency,
        "description": adjustment.description,
        "period_start": adjustment.period_start,
        "period_end": adjustment.period_end,
        "charged_at": adjustment.created_at,
        "waived_at": adjustment.waived_at,
    }
    enqueue(db, [Event(adjustment.account_id, kind, data, f"invoice:{adjustment.invoice_id}")], now=now)
