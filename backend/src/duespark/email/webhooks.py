"""Delivery events from Postmark and SES: stored once in the inbox, then applied to messages and suppressions.

Events are applied by state, not by arrival order: a late "delivered" never hides a bounce or a
complaint that came first.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from duespark import jsonbody
from duespark.clock import Clock, parse_instant
from duespark.email.service import suppress
from duespark.models import Message, MessageEvent
from duespark.webhooks import store_webhook_event

log = structlog.get_logger(__name__)

# A later state never goes back to an earlier one.
STATUS_RANK = {"queued": 0, "sending": 1, "sent": 2, "failed": 2, "delivered": 3, "bounced": 4, "complained": 5}
# Postmark bounce types after which the address is dead (and Postmark itself marks it inactive).
POSTMARK_HARD_BOUNCES = frozenset({"HardBounce", "BadEmailAddress", "ManuallyDeactivated"})
MAX_ADDRESS_LENGTH = 320  # RFC 3696 with its erratum: 64 + 1 + 255


@dataclass(frozen=True)
class DeliveryEvent:
    type: str  # delivered | bounced | soft_bounced | complained
    recipient: str
    occurred_at: datetime
    detail: str | None = None


def _instant(value: Any, clock: Clock) -> datetime:
    try:
        return parse_instant(str(value))
    except (TypeError, ValueError):
        return clock.now()


def _set_status(message: Message, status: str) -> None:
    if STATUS_RANK.get(status, 0) >= STATUS_RANK.get(message.status, 0):
        message.status = status


def apply_event(
    session: Session,
    *,
    provider: str,
    provider_message_id: str | None,
    event: DeliveryEvent,
    payload: dict[str, Any],
    clock: Clock,
) -> Message | None:
    """Record the event on its message (if we know it) and suppress the address after a hard bounce
    (everywhere: the mailbox does not exist) or a complaint (for that account: the person said no)."""
    message = None
    if provider_message_id:
        message = session.scalars(
            select(Message).where(Message.provider == provider, Message.provider_message_id == provider_message_id)
        ).first()
    if message is not None:
        session.add(
            MessageEvent(message_id=message.id, type=event.type, occurred_at=event.occurred_at, payload=payload)
        )
        if event.type == "delivered":
            message.delivered_at = message.delivered_at or event.occurred_at
            _set_status(message, "delivered")
        elif event.type == "bounced":
            message.bounced_at = message.bounced_at or event.occurred_at
            _set_status(message, "bounced")
        elif event.type == "complained":
            message.complained_at = message.complained_at or event.occurred_at
            _set_status(message, "complained")
    # A recipient that cannot be an address (over 320 characters, no @) suppresses nothing: it was a
    # 500 on PostgreSQL's varchar(320); the event itself is kept in the inbox.
    addressable = "@" in event.recipient and len(event.recipient) <= MAX_ADDRESS_LENGTH
    if event.type == "bounced" and addressable:
        suppress(
            session, account_id=None, email=event.recipient, reason="hard_bounce", detail=event.detail, clock=clock
        )
    elif event.type == "complained" and addressable:
        account_id = message.account_id if message is not None else None
        suppress(
            session, account_id=account_id, email=event.recipient, reason="complaint", detail=event.detail, clock=clock
        )
    if message is None:
        log.info("email.webhook.unknown_message", provider=provider, provider_message_id=provider_message_id)
    return message


def _digest(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:32]


# --- Postmark -----------------------------------------------------------------------------------


def postmark_external_id(payload: dict[str, Any]) -> str:
    record_type = str(payload.get("RecordType", "Unknown"))
    if record_type in ("Bounce", "SpamComplaint") and payload.get("ID") is not None:
        return f"{record_type}:{payload['ID']}"
    if record_type == "Delivery":
        return f"Delivery:{payload.get('MessageID')}:{payload.get('Recipient')}"
    return f"{record_type}:{_digest(payload)}"


def postmark_events(payload: dict[str, Any], clock: Clock) -> list[DeliveryEvent]:
    record_type = payload.get("RecordType")
    if record_type == "Delivery":
        return [
            DeliveryEvent("delivered", str(payload.get("Recipient", "")), _instant(payload.get("DeliveredAt"), clock))
        ]
    if record_type == "Bounce":
        hard = payload.get("Type") in POSTMARK_HARD_BOUNCES or payload.get("Inactive") is True
        detail = f"{payload.get('Type')}: {payload.get('Description') or payload.get('Details') or ''}".strip()
        return [
            DeliveryEvent(
                "bounced" if hard else "soft_bounced",
                str(payload.get("Email", "")),
                _instant(payload.get("BouncedAt"), clock),
                detail,
            )
        ]
    if record_type == "SpamComplaint":
        return [DeliveryEvent("complained", str(payload.get("Email", "")), _instant(payload.get("BouncedAt"), clock))]
    return []


def handle_postmark(session: Session, *, payload: dict[str, Any], clock: Clock) -> bool:
    """Store and apply one Postmark webhook; False when it was a repeat and nothing changed."""
    stored = store_webhook_event(
        session,
        source="postmark",
        external_id=postmark_external_id(payload),
        type=str(payload.get("RecordType", "Unknown")),
        payload=payload,
        clock=clock,
    )
    if stored is None:
        return False
    message_id = payload.get("MessageID")
    for event in postmark_events(payload, clock):
        apply_event(
            session,
            provider="postmark",
            provider_message_id=str(message_id) if message_id else None,
            event=event,
            payload=payload,
            clock=clock,
        )
    stored.processed_at = clock.now()
    return True


# --- SES via SNS --------------------------------------------------------------------------------


def ses_events(notification: dict[str, Any], clock: Clock) -> list[DeliveryEvent]:
    """SES event publishing says `eventType`; identity notifications say `notificationType`."""
    kind = notification.get("eventType") or notification.get("notificationType")
    if kind == "Bounce":
        bounce = notification.get("bounce") or {}
        hard = bounce.get("bounceType") == "Permanent"
        at = _instant(bounce.get("timestamp"), clock)
        return [
            DeliveryEvent(
                "bounced" if hard else "soft_bounced",
                str(recipient.get("emailAddress", "")),
                at,
                f"{bounce.get('bounceType')}/{bounce.get('bounceSubType')}: {recipient.get('diagnosticCode', '')}",
            )
            for recipient in bounce.get("bouncedRecipients") or []
        ]
    if kind == "Complaint":
        complaint = notification.get("complaint") or {}
        at = _instant(complaint.get("timestamp"), clock)
        detail = complaint.get("complaintFeedbackType")
        return [
            DeliveryEvent("complained", str(r.get("emailAddress", "")), at, detail)
            for r in complaint.get("complainedRecipients") or []
        ]
    if kind == "Delivery":
        delivery = notification.get("delivery") or {}
        at = _instant(delivery.get("timestamp"), clock)
        return [DeliveryEvent("delivered", str(r), at) for r in delivery.get("recipients") or []]
    return []


def handle_sns(session: Session, *, envelope: dict[str, Any], clock: Clock) -> bool:
    """Store and apply one verified SNS message; False for a repeat."""
    notification: dict[str, Any] = {}
    if envelope.get("Type") == "Notification":
        try:
            parsed = jsonbody.loads(str(envelope.get("Message", "")))
        except ValueError:
            parsed = None
        notification = parsed if isinstance(parsed, dict) else {}
    kind = notification.get("eventType") or notification.get("notificationType") or envelope.get("Type")
    stored = store_webhook_event(
        session,
        source="ses",
        external_id=str(envelope.get("MessageId") or _digest(envelope)),
        type=str(kind),
        payload=envelope,
        clock=clock,
    )
    if stored is None:
        return False
    message_id = (notification.get("mail") or {}).get("messageId")
    for event in ses_events(notification, clock):
        apply_event(
            session,
            provider="ses",
            provider_message_id=str(message_id) if message_id else None,
            event=event,
            payload=notification,
            clock=clock,
        )
    stored.processed_at = clock.now()
    return True
