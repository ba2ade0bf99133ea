"""Connects domains that react to each other's changes; called by the app and the worker."""

from __future__ import annotations

from duespark.email import events as email_events
from duespark.email import service as email_service
from duespark.email import unsubscribe_notice
from duespark.insights.behaviour import RatingThresholds
from duespark.invoices import events as invoice_events
from duespark.reminders import planner
from duespark.reminders import service as reminders_service
from duespark.settings import Settings


def connect_domains(settings: Settings) -> None:
    """Subscribe each domain's listeners to the invoice events (idempotent)."""
    # Adaptive planning rates clients with the same thresholds the insights endpoints show.
    planner.use_rating_thresholds(RatingThresholds.from_settings(settings))
    # Email: a thank-you is queued in the outbox when an invoice is paid in full.
    invoice_events.subscribe(email_service.on_invoice_change)
    # Reminders: re-plan or cancel pending reminders when an invoice changes, and stop them at
    # once for a client who unsubscribed or whose address bounced or complained.
    invoice_events.subscribe(reminders_service.on_invoice_change)
    email_events.on_client_unsubscribed.subscribe(reminders_service.on_clients_stopped)
    # The user hears at once that a client's automatic reminders stopped, to follow up in person.
    unsubscribe_notice.use_settings(settings)
    email_events.on_client_unsubscribed.subscribe(unsubscribe_notice.notify_unsubscribed)
    email_events.on_address_suppressed.subscribe(reminders_service.on_clients_stopped)
