"""Stripe events: stored in the inbox once, then applied by the state they describe, not by arrival order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duespark.audit import service as audit
from duespark.clock import Clock
from duespark.errors import InvalidInput
from duespark.invoices.service import void_invoice
from duespark.models import CheckoutSession, Invoice, Payment, WebhookEvent
from duespark.models.enums import InvoiceStatus, PaymentMethod
from duespark.money import MAX_AMOUNT_MINOR
from duespark.payments.ledger import (
    CurrencyMismatch,
    record_stripe_payment,
    record_stripe_refund,
    sync_stripe_invoice_paid,
)
from duespark.payments.service import STRIPE_INVOICE_PREFIX
from duespark.tenancy import parse_object_id
from duespark.webhooks import find_webhook_event, store_webhook_event

SOURCE = "stripe"


class Unmatched(Exception):
    """The event is genuine but names nothing DueSpark can apply it to; stored with the reason."""


@dataclass(frozen=True)
class EventContext:
    session: Session
    clock: Clock
    # Set when the event came to an account's own endpoint: only that account's invoices are touched.
    account_id: int | None
    occurred_at: datetime


def _ref(value: Any) -> str | None:
    """A Stripe reference that may be an id or an expanded object."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


def _scoped(ctx: EventContext, stmt):
    if ctx.account_id is not None:
        stmt = stmt.where(Invoice.account_id == ctx.account_id)
    # Serialise handlers of the same invoice (checkout.session.completed racing payment_intent.succeeded).
    return stmt.with_for_update(key_share=True).execution_options(populate_existing=True)


def _invoice_from_metadata(ctx: EventContext, obj: dict[str, Any]) -> Invoice | None:
    metadata = obj.get("metadata") or {}
    invoice_id, account_id = (
        parse_object_id(metadata.get("invoice_id", "")),
        parse_object_id(metadata.get("account_id", "")),
    )
    if invoice_id is None:
        return None
    stmt = select(Invoice).where(Invoice.id == invoice_id)
    if account_id is not None:
        stmt = stmt.where(Invoice.account_id == account_id)
    return ctx.session.scalars(_scoped(ctx, stmt)).first()


def _update_checkout_row(ctx: EventContext, obj: dict[str, Any]) -> None:
    row = ctx.session.scalars(select(CheckoutSession).where(CheckoutSession.stripe_session_id == obj.get("id"))).first()
    if row is None or (ctx.account_id is not None and row.account_id != ctx.account_id):
        return
    row.status = obj.get("status") or row.status
    row.payment_status = obj.get("payment_status") or row.payment_status
    row.payment_intent_id = _ref(obj.get("payment_intent")) or row.payment_intent_id


def _checkout_paid(ctx: EventContext, obj: dict[str, Any]) -> str:
    invoice = _invoice_from_metadata(ctx, obj)
    if invoice is None:
        raise Unmatched("no DueSpark invoice in the session's metadata")
    recorded = record_stripe_payment(
        ctx.session,
        invoice=invoice,
        amount_minor=int(obj.get("amount_total") or 0),
        currency=obj.get("currency") or "",
        reference=_ref(obj.get("payment_intent")) or obj["id"],
        paid_at=ctx.occurred_at,
        clock=ctx.clock,
        note="Paid by card (Stripe Checkout)",
    )
    return "payment recorded" if recorded else "payment already recorded"


def _checkout_completed(ctx: EventContext, obj: dict[str, Any]) -> str:
    _update_checkout_row(ctx, obj)
    if obj.get("payment_status") != "paid":
        # Bank debits and vouchers complete the session before the money arrives.
        return "awaiting asynchronous payment"
    return _checkout_paid(ctx, obj)


def _checkout_async_succeeded(ctx: EventContext, obj: dict[str, Any]) -> str:
    _update_checkout_row(ctx, obj)
    return _checkout_paid(ctx, obj)


def _checkout_async_failed(ctx: EventContext, obj: dict[str, Any]) -> str:
    _update_checkout_row(ctx, obj)
    return "asynchronous payment failed; the invoice stays open"


def _checkout_expired(ctx: EventContext, obj: dict[str, Any]) -> str:
    _update_checkout_row(ctx, obj)
    return "checkout session expired"


def _payment_intent_succeeded(ctx: EventContext, obj: dict[str, Any]) -> str:
    invoice = _invoice_from_metadata(ctx, obj)
    if invoice is None:
        return "ignored: not a DueSpark checkout payment"
    recorded = record_stripe_payment(
        ctx.session,
        invoice=invoice,
        amount_minor=int(obj.get("amount_received") or 0),
        currency=obj.get("currency") or "",
        reference=obj["id"],
        paid_at=ctx.occurred_at,
        clock=ctx.clock,
        note="Paid by card (Stripe)",
    )
    return "payment recorded" if recorded else "payment already recorded"


def _charge_refunded(ctx: EventContext, obj: dict[str, Any]) -> str:
    payment_ref = _ref(obj.get("payment_intent")) or obj["id"]
    paid = ctx.session.scalars(
        select(Payment).where(Payment.method == PaymentMethod.stripe, Payment.external_reference == payment_ref)
    ).first()
    if paid is not None:
        invoice = ctx.session.scalars(_scoped(ctx, select(Invoice).where(Invoice.id == paid.invoice_id))).first()
    else:
        invoice = _invoice_from_metadata(ctx, obj)
    if invoice is None:
        return "ignored: not a DueSpark payment"
    if paid is None:
        # The refund overtook the payment's own event: the charge says it was captured, so record that first.
        record_stripe_payment(
            ctx.session,
            invoice=invoice,
            amount_minor=int(obj.get("amount_captured") or obj.get("amount") or 0),
            currency=obj.get("currency") or "",
            reference=payment_ref,
            paid_at=ctx.occurred_at,
            clock=ctx.clock,
            note="Paid by card (Stripe)",
        )
    refunded = record_stripe_refund(
        ctx.session,
        invoice=invoice,
        charge_id=obj["id"],
        amount_refunded=int(obj.get("amount_refunded") or 0),
        currency=obj.get("currency") or "",
        refunded_at=ctx.occurred_at,
        clock=ctx.clock,
    )
    return f"refund of {refunded} recorded" if refunded else "refund already recorded"


def _imported_invoices(ctx: EventContext, obj: dict[str, Any]) -> list[Invoice]:
    stmt = select(Invoice).where(Invoice.external_id == f"{STRIPE_INVOICE_PREFIX}{obj['id']}").order_by(Invoice.id)
    return list(ctx.session.scalars(_scoped(ctx, stmt)))


def _stripe_invoice_paid(ctx: EventContext, obj: dict[str, Any]) -> str:
    invoices = _imported_invoices(ctx, obj)
    if not invoices:
        return "ignored: invoice not imported"
    # An invoice marked paid outside Stripe ("paid out of band") may report nothing paid: it is settled all the same.
    amount_paid = int(obj.get("amount_paid") or 0)
    if not amount_paid and obj.get("status") == "paid":
        amount_paid = int(obj.get("amount_due") or 0)
    added = 0
    for invoice in invoices:
        added += sync_stripe_invoice_paid(
            ctx.session,
            invoice=invoice,
            stripe_invoice_id=obj["id"],
            amount_paid=amount_paid,
            currency=obj.get("currency") or "",
            paid_at=ctx.occurred_at,
            clock=ctx.clock,
        )
    return "payment recorded" if added else "payment already recorded"


def _stripe_invoice_voided(ctx: EventContext, obj: dict[str, Any]) -> str:
    invoices = _imported_invoices(ctx, obj)
    if not invoices:
        return "ignored: invoice not imported"
    voided = 0
    for invoice in invoices:
        if invoice.status not in (InvoiceStatus.paid, InvoiceStatus.void) and invoice.amount_paid_minor == 0:
            void_invoice(ctx.session, invoice=invoice, clock=ctx.clock)
            voided += 1
    return "invoice voided" if voided else "no change"


Handler = Callable[[EventContext, dict[str, Any]], str]
HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": _checkout_completed,
    "checkout.session.async_payment_succeeded": _checkout_async_succeeded,
    "checkout.session.async_payment_failed": _checkout_async_failed,
    "checkout.session.expired": _checkout_expired,
    "payment_intent.succeeded": _payment_intent_succeeded,
    "charge.refunded": _charge_refunded,
    "invoice.paid": _stripe_invoice_paid,
    "invoice.voided": _stripe_invoice_voided,
}


# The object fields the handlers read, with the JSON types Stripe's API reference gives them. A signed
# event that says otherwise is refused as a whole (422, nothing stored) rather than failing half-way
# through a handler (a 500, after which Stripe retries it for days).
_AMOUNT_FIELDS = ("amount", "amount_total", "amount_received", "amount_captured", "amount_refunded")
_OBJECT_FIELD_TYPES: dict[str, type] = {
    "metadata": dict,
    "currency": str,
    "status": str,
    "payment_status": str,
    **dict.fromkeys((*_AMOUNT_FIELDS, "amount_paid", "amount_due"), int),
}


def _check_object(obj: dict[str, Any]) -> None:
    if not isinstance(obj.get("id"), str):
        raise InvalidInput("data.object.id", "The event's object has no id")
    for name, kind in _OBJECT_FIELD_TYPES.items():
        value = obj.get(name)
        if value is None:
            continue
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InvalidInput(f"data.object.{name}", f"Expected a {kind.__name__}")
        if kind is int and not 0 <= value <= MAX_AMOUNT_MINOR:
            raise InvalidInput(f"data.object.{name}", "The amount is out of range")
    intent = obj.get("payment_intent")
    if intent is not None and not isinstance(_ref(intent), str):
        raise InvalidInput("data.object.payment_intent", "Expected an id or an object with an id")


def parse_event(payload: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    event_id, event_type, data = payload.get("id"), payload.get("type"), payload.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(event_id, str) or not isinstance(event_type, str) or not isinstance(obj, dict):
        raise InvalidInput("body", "Not a Stripe event: id, type and data.object are required")
    if event_type in HANDLERS:
        _check_object(obj)
    return event_id, event_type, obj


def _occurred_at(created: Any, now: datetime) -> datetime:
    """When Stripe says the event happened, never later than now; a number that is no time at all is now."""
    if isinstance(created, int) and not isinstance(created, bool):
        try:
            return min(datetime.fromtimestamp(created, UTC), now)
        except (OverflowError, OSError, ValueError):
            pass
    return now


def receive_stripe_event(session: Session, *, payload: dict[str, Any], account_id: int | None, clock: Clock) -> str:
    """Store a verified event once and apply it once; a second delivery answers "duplicate"."""
    event_id, event_type, obj = parse_event(payload)
    stored = store_webhook_event(
        session, source=SOURCE, external_id=event_id, type=event_type, payload=payload, clock=clock
    )
    if stored is None:
        existing = find_webhook_event(session, source=SOURCE, external_id=event_id)
        if existing is None or existing.processed_at is not None:
            return "duplicate"
        stored = session.scalars(select(WebhookEvent).where(WebhookEvent.id == existing.id).with_for_update()).one()
        if stored.processed_at is not None:
            return "duplicate"
    handler = HANDLERS.get(event_type)
    now = clock.now()
    occurred_at = _occurred_at(payload.get("created"), now)
    audit.act_as(session, audit.WEBHOOK)
    ctx = EventContext(session=session, clock=clock, account_id=account_id, occurred_at=occurred_at)
    result = "stored: not an event DueSpark acts on"
    if handler is not None:
        try:
            result = handler(ctx, obj)
        except (Unmatched, CurrencyMismatch) as exc:
            stored.error = str(exc)
            result = f"not applied: {exc}"
    stored.processed_at = now
    session.flush()
    return result
