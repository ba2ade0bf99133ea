"""Connects domains that react to each other's changes; called by the app and the worker."""

from __future__ import annotations


def connect_domains() -> None:
    """Subscribe each domain's listeners to the invoice events (idempotent)."""
    from duespark.invoices.events import subscribe
    from duespark.reminders.service import on_invoice_change

    subscribe(on_invoice_change)
