"""Sends the queued messages (thank-you, account emails): claim, then send, then record.

1. One transaction claims due rows (FOR UPDATE SKIP LOCKED on PostgreSQL), re-checks consent,
   renders what is rendered late (a thank-you follows the invoice as it is now), and marks them
   `sending` with a lease. It commits before any provider is called.
2. The provider is called outside any transaction, in one batch when it has a batch API.
3. A second transaction records each outcome: sent; back to queued with backoff after a transient
   failure; failed after a permanent one or too many attempts.
A worker that dies between 2 and 3 leaves rows `sending`; when their lease runs out the next run
claims them again, so a message is at worst sent twice, never lost.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from duespark.clock import Clock
from duespark.db import transaction
from duespark.email.compose import compose_reminder
from duespark.email.message import OutgoingEmail
from duespark.email.providers.base import EmailProvider, PermanentSendError, SendError
from duespark.email.service import ACCOUNT_KINDS, CLIENT_KINDS, can_send_reminders, is_suppressed
from duespark.models import Account, Client, Invoice, Message
from duespark.settings import Settings

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=10)
BASE_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=6)
THANK_YOU_SHELF_LIFE = timedelta(days=3)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes up to 6 hours, with ±20% jitter so retries of a burst spread out."""
    delay = min(BASE_BACKOFF * 2 ** max(0, attempts - 1), MAX_BACKOFF)
    return delay * random.uniform(0.8, 1.2)


@dataclass(frozen=True)
class Claimed:
    message_id: int
    email: OutgoingEmail


def _due(now: datetime):
    return or_(
        and_(Message.status == "queued", or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now)),
        and_(Message.status == "sending", Message.next_attempt_at <= now),
    )


def _cancel(message: Message, reason: str) -> None:
    message.status = "canceled"
    message.error = reason
    message.next_attempt_at = None
    message.content = None


def _why_not_send(session: Session, message: Message, settings: Settings, now: datetime) -> str | None:
    """The reason a client message must not go out any more (checked again just before sending)."""
    if message.kind not in CLIENT_KINDS:
        return None
    if message.kind == "thank_you" and message.created_at < now - THANK_YOU_SHELF_LIFE:
        # A thank-you weeks late (a worker down for long, payments imported from history) reads oddly.
        return "too late to thank"
    if message.client_id is not None:
        client = session.get(Client, message.client_id)
        if client is None or client.deleted_at is not None:
            return "client deleted"
        if client.unsubscribed_at is not None:
            return "unsubscribed"
    if is_suppressed(session, message.account_id, message.to_email):
        return "suppressed"
    if not can_send_reminders(session, message.account_id, settings):
        return "account email address not verified"
    return None


def _render_late(session: Session, message: Message, settings: Settings, clock: Clock) -> OutgoingEmail:
    """Compose a message queued without content (a thank-you) from the invoice as it is now."""
    invoice = session.get(Invoice, message.invoice_id)
    client = session.get(Client, message.client_id)
    account = session.get(Account, message.account_id)
    if invoice is None or client is None or account is None or message.template_key is None:
        raise PermanentSendError("the invoice or client of this message no longer exists")
    return compose_reminder(
        account=account,
        client=client,
        invoice=invoice,
        template_key=message.template_key,
        reminder_id=None,
        settings=settings,
        clock=clock,
        session=session,
        to=message.to_email,
    )


def _claim(session: Session, *, settings: Settings, clock: Clock, batch_size: int) -> list[Claimed]:
    now = clock.now()
    rows = session.scalars(
        select(Message).where(_due(now)).order_by(Message.id).limit(batch_size).with_for_update(skip_locked=True)
    ).all()
    claimed: list[Claimed] = []
    for message in rows:
        reason = _why_not_send(session, message, settings, now)
        if reason is not None:
            _cancel(message, reason)
            continue
        try:
            email = (
                OutgoingEmail.from_dict(message.content)
                if message.content
                else _render_late(session, message, settings, clock)
            )
        except PermanentSendError as exc:
            message.status, message.error, message.next_attempt_at = "failed", str(exc), None
            continue
        message.subject = email.subject[:500]
        if message.content is None:
            message.content = email.to_dict()
        message.status = "sending"
        message.attempts += 1
        message.next_attempt_at = now + LEASE
        claimed.append(Claimed(message.id, email))
    return claimed


def _send(provider: EmailProvider, claimed: list[Claimed]) -> list[object]:
    emails = [c.email for c in claimed]
    if len(emails) == 1:
        try:
            return [provider.send(emails[0])]
        except SendError as exc:
            return [exc]
    return list(provider.send_batch(emails))


def _record(session: Session, claimed: list[Claimed], outcomes: list[object], *, provider: str, clock: Clock) -> int:
    now = clock.now()
    sent = 0
    for item, outcome in zip(claimed, outcomes, strict=True):
        message = session.get(Message, item.message_id)
        if message is None or message.status != "sending":
            continue
        message.provider = provider
        if isinstance(outcome, SendError):
            message.error = str(outcome)[:2000]
            if isinstance(outcome, PermanentSendError) or message.attempts >= MAX_ATTEMPTS:
                message.status, message.next_attempt_at = "failed", None
            else:
                message.status, message.next_attempt_at = "queued", now + backoff(message.attempts)
            log.warning("email.outbox.failed", message_id=message.id, status=message.status, error=message.error)
            continue
        message.status = "sent"
        message.provider_message_id = outcome.provider_message_id  # type: ignore[attr-defined]
        message.sent_at = now
        message.error = None
        message.next_attempt_at = None
        if message.kind in ACCOUNT_KINDS:
            # The content holds a live verification or reset link; once sent it has no use here.
            message.content = None
        sent += 1
    return sent


def send_queued_messages(
    session_factory: sessionmaker[Session],
    *,
    provider: EmailProvider,
    settings: Settings,
    clock: Clock,
    batch_size: int = 100,
) -> int:
    """Send one batch of due outbox messages; returns how many were sent. The worker calls it each tick."""
    with transaction(session_factory) as session:
        claimed = _claim(session, settings=settings, clock=clock, batch_size=batch_size)
    if not claimed:
        return 0
    outcomes = _send(provider, claimed)
    with transaction(session_factory) as session:
        sent = _record(session, claimed, outcomes, provider=provider.name, clock=clock)
    log.info("email.outbox.sent", claimed=len(claimed), sent=sent)
    return sent
