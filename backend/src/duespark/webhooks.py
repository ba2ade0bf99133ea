"""The webhook inbox shared by every provider: store each event once, then handle it once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.models import WebhookEvent


def _without_nul(value: Any) -> Any:
    """PostgreSQL's jsonb refuses U+0000 anywhere in a document (a 500 once); the event is kept with
    U+FFFD in its place, on both databases."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def store_webhook_event(
    session: Session, *, source: str, external_id: str, type: str, payload: dict[str, Any], clock: Clock
) -> WebhookEvent | None:
    """The stored event, or None when (source, external_id) is already in the inbox.

    `INSERT .. ON CONFLICT DO NOTHING`: two deliveries racing each other both reach the unique
    index, and the second waits for the first to commit instead of failing.
    """
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(WebhookEvent)
        .values(
            source=source,
            external_id=_without_nul(external_id[:255]),
            type=_without_nul(type[:100]),
            payload=_without_nul(payload),
            received_at=clock.now(),
            processed_at=None,
            error=None,
        )
        .on_conflict_do_nothing(index_elements=["source", "external_id"])
        .returning(WebhookEvent.id)
    )
    event_id = session.execute(stmt).scalar_one_or_none()
    if event_id is None:
        return None
    return session.get(WebhookEvent, event_id)


def find_webhook_event(session: Session, *, source: str, external_id: str) -> WebhookEvent | None:
    return session.scalars(
        select(WebhookEvent).where(WebhookEvent.source == source, WebhookEvent.external_id == _without_nul(external_id))
    ).first()
