"""Connects domains that react to each other's changes; called by the app and the worker."""

from __future__ import annotations

from duespark.email import service as email_service
from duespark.invoices import events as invoice_events


def connect_domains() -> None:
    """Subscribe each domain's listeners to the invoice events (idempotent)."""
    # Email: a thank-you is queued in the outbox when an invoice is paid in full.
    invoice_events.subscribe(email_service.on_invoice_change)
