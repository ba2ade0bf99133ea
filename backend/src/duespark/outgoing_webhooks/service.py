"""Webhook endpoints of an account: create (the secret shown once), change, rotate, delete, the
delivery log, resend one delivery and a test event. Sending is the worker's (delivery.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.errors import Conflict, InvalidInput, NotFound
from duespark.models import WebhookDelivery, WebhookEndpoint
from duespark.outgoing_webhooks.events import TEST_EVENT, Event, enqueue
from duespark.outgoing_webhooks.schemas import EndpointCreate, EndpointUpdate
from duespark.outgoing_webhooks.signing import new_secret
from duespark.outgoing_webhooks.targets import Resolver, TargetRefused, resolve_target, system_resolver
from duespark.payments.crypto import encrypt_secret
from duespark.settings import Settings
from duespark.tenancy import get_owned, scoped

# An account's endpoints: enough for several systems, few enough that each event stays cheap to queue.
MAX_ENDPOINTS = 10
# After a rotation the old secret keeps signing this long, so a receiver can switch without a gap.
PREVIOUS_SECRET_VALID = timedelta(hours=24)


def check_url(url: str, settings: Settings, resolver: Resolver) -> str:
    try:
        resolve_target(url, settings, resolver)
    except TargetRefused as exc:
        raise InvalidInput("url", str(exc)) from None
    return url


def list_endpoints(session: Session, *, account_id: int) -> list[WebhookEndpoint]:
    return list(session.scalars(scoped(WebhookEndpoint, account_id).order_by(WebhookEndpoint.id)))


def get_endpoint(session: Session, *, account_id: int, endpoint_id: int) -> WebhookEndpoint:
    return get_owned(session, WebhookEndpoint, endpoint_id, account_id, what="Webhook endpoint")


def create_endpoint(
    session: Session,
    *,
    account_id: int,
    data: EndpointCreate,
    settings: Settings,
    clock: Clock,
    resolver: Resolver = system_resolver,
) -> tuple[WebhookEndpoint, str]:
    """The endpoint and its secret in the clear (returned once; stored encrypted)."""
    check_url(data.url, settings, resolver)
    count = len(list_endpoints(session, account_id=account_id))
    if count >= MAX_ENDPOINTS:
        raise Conflict(f"An account can have at most {MAX_ENDPOINTS} webhook endpoints")
    secret = new_secret()
    now = clock.now()
    endpoint = WebhookEndpoint(
        account_id=account_id,
        url=data.url,
        description=data.description,
        event_types=data.event_types,
        secret_encrypted=encrypt_secret(settings, secret),
        enabled=True,
        created_at=now,
        updated_at=now,
    )
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def update_endpoint(
    session: Session,
    *,
    endpoint: WebhookEndpoint,
    data: EndpointUpdate,
    settings: Settings,
    clock: Clock,
    resolver: Resolver = system_resolver,
) -> WebhookEndpoint:
    changes = data.model_dump(exclude_unset=True)
    for name in ("url", "event_types"):
        if name in changes and changes[name] is None:
            raise InvalidInput(name, "must not be null")
    if changes.get("url") is not None:
        endpoint.url = check_url(changes["url"], settings, resolver)
    if changes.get("description") is not None:
        endpoint.description = changes["description"]
    if changes.get("event_types") is not None:
        endpoint.event_types = changes["event_types"]
    if changes.get("enabled") is True and not endpoint.enabled:
        endpoint.enabled = True
        endpoint.disabled_reason = None
        endpoint.disabled_at = None
        endpoint.failing_since = None
    elif changes.get("enabled") is False and endpoint.enabled:
        endpoint.enabled = False
        endpoint.disabled_reason = "Disabled by a user"
        endpoint.disabled_at = clock.now()
    endpoint.updated_at = clock.now()
    session.flush()
    return endpoint


def rotate_secret(session: Session, *, endpoint: WebhookEndpoint, settings: Settings, clock: Clock) -> str:
    """A new secret; the one it replaces also signs for PREVIOUS_SECRET_VALID (both signatures are sent)."""
    now = clock.now()
    secret = new_secret()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_expires_at = now + PREVIOUS_SECRET_VALID
    endpoint.secret_encrypted = encrypt_secret(settings, secret)
    endpoint.updated_at = now
    session.flush()
    return secret


def delete_endpoint(session: Session, *, endpoint: WebhookEndpoint) -> None:
    """Its deliveries go with it (ON DELETE CASCADE); one being sent right now is recorded nowhere."""
    session.delete(endpoint)
    session.flush()


def deliveries_query(endpoint: WebhookEndpoint, *, status: str | None = None) -> Select:
    stmt = select(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.account_id == endpoint.account_id
    )
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    return stmt.order_by(WebhookDelivery.id.desc())


def get_delivery(session: Session, *, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    """A delivery of this endpoint (itself the account's); any other id is not found."""
    delivery = session.scalars(
        deliveries_query(endpoint).where(WebhookDelivery.id == delivery_id).order_by(None)
    ).first()
    if delivery is None:
        raise NotFound("Webhook delivery")
    return delivery


def resend(session: Session, *, endpoint: WebhookEndpoint, delivery: WebhookDelivery, clock: Clock) -> WebhookDelivery:
    """Send the delivery again, soon, with the same webhook-id and body, and a fresh set of attempts.
    Refused while an attempt is under way or the endpoint is disabled."""
    if not endpoint.enabled:
        raise Conflict("The endpoint is disabled: enable it first")
    now = clock.now()
    done = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery.id, WebhookDelivery.status != "sending")
        .values(status="pending", attempts=0, next_attempt_at=now, delivered_at=None)
        .execution_options(synchronize_session=False)
    )
    if not done.rowcount:
        raise Conflict("The delivery is being sent right now; try again in a minute")
    session.refresh(delivery)
    return delivery


def send_test_event(session: Session, *, endpoint: WebhookEndpoint, clock: Clock) -> WebhookDelivery:
    """A `webhook.test` event queued for this endpoint only; the worker sends it within seconds."""
    if not endpoint.enabled:
        raise Conflict("The endpoint is disabled: enable it first")
    event = Event(endpoint.account_id, TEST_EVENT, {"endpoint_id": endpoint.id, "message": "Hello from DueSpark"})
    enqueue(session, [event], now=clock.now(), endpoint_ids=[endpoint.id])
    return session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.event_id == event.id)
    ).one()
