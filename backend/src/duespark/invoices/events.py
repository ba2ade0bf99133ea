"""Other domains react to invoice changes (re-plan reminders, thank the client) without
the invoice service importing them: they subscribe here when the app or worker starts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum

from sqlalchemy.orm import Session

from duespark.clock import Clock


class InvoiceChange(StrEnum):
    created = "created"
    updated = "updated"
    payment_recorded = "payment_recorded"
    paid = "paid"
    reopened = "reopened"
    voided = "voided"


# Listeners take ids, not objects, so a CSV import of 100,000 rows is one call, not 100,000.
InvoiceListener = Callable[[Session, InvoiceChange, Sequence[int], Clock], None]
_listeners: list[InvoiceListener] = []


def subscribe(listener: InvoiceListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def publish(session: Session, change: InvoiceChange, invoice_ids: Sequence[int], clock: Clock) -> None:
    """Listeners run inside the caller's transaction, so their writes commit or roll back with it.
    The invoices of one call belong to one account (every caller changes one account's invoices)."""
    session.flush()
    for listener in _listeners:
        listener(session, change, invoice_ids, clock)
