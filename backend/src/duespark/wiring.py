"""Connects domains that react to each other's changes; called by the app and the worker."""

from __future__ import annotations

from duespark.accounting import tasks as accounting_tasks
from duespark.answers import promises as answer_promises
from duespark.answers import service as answers_service
from duespark.digest import worker as digest_worker
from duespark.email import events as email_events
from duespark.email import service as email_service
from duespark.email import unsubscribe_notice
from duespark.insights.behaviour import RatingThresholds
from duespark.invoices import events as invoice_events
from duespark.outgoing_webhooks import events as outgoing_webhooks
from duespark.reminders import planner
from duespark.reminders import service as reminders_service
from duespark.reminders import worker as reminders_worker
from duespark.settings import Settings


def connect_domains(settings: Settings) -> None:
    """Subscribe each domain's listeners to the invoice events (idempotent)."""
    # Adaptive planning rates clients with the same thresholds the insights endpoints show.
    planner.use_rating_thresholds(RatingThresholds.from_settings(settings))
    # Outgoing webhooks first: an invoice's event is queued before the reminder events its re-planning
    # queues, and one invoice's events reach an endpoint in the order they were queued.
    invoice_events.subscribe(outgoing_webhooks.on_invoice_change)
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
    # Clients' answers: paid or void closes them (a promise kept); each tick marks promises past their date missed.
    invoice_events.subscribe(answers_service.on_invoice_change)
    reminders_worker.run_before_dispatch(answer_promises.review_promises)
    # Outgoing webhooks: each change queues its event for the account's endpoints, in the same transaction.
    email_events.on_client_unsubscribed.subscribe(outgoing_webhooks.on_clients_stopped)
    email_events.on_address_suppressed.subscribe(outgoing_webhooks.on_clients_stopped)
    # Each member's morning digest: checked every 15 minutes, sent once per member and local day.
    reminders_worker.run_every("digest", digest_worker.INTERVAL_SECONDS, digest_worker.send_due_digests)
    # Accounting sync: connections whose sync is due (every few minutes, after a provider webhook, or on demand).
    reminders_worker.run_before_dispatch(accounting_tasks.run_scheduled_syncs)
