from __future__ import annotations

from sqlalchemy import Select, or_
from sqlalchemy.orm import Session

from duespark.audit import service as audit
from duespark.clients.schemas import ClientCreate, ClientUpdate
from duespark.clock import Clock
from duespark.errors import InvalidInput
from duespark.models import Client
from duespark.outgoing_webhooks import events as outgoing_webhooks
from duespark.tenancy import get_owned, scoped

CLIENT_SORTS = {
    "name": Client.name,
    "created_at": Client.created_at,
    "company": Client.company,
}


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def create_client(session: Session, *, account_id: int, data: ClientCreate, clock: Clock) -> Client:
    now = clock.now()
    client = Client(account_id=account_id, **data.model_dump(), created_at=now, updated_at=now)
    session.add(client)
    session.flush()
    outgoing_webhooks.client_created(session, client, clock)
    return client


def get_client(session: Session, *, account_id: int, client_id: int) -> Client:
    return get_owned(session, Client, client_id, account_id, what="Client")


def client_query(account_id: int, *, q: str | None, sort: str) -> Select:
    stmt = scoped(Client, account_id).where(Client.deleted_at.is_(None))
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(
            or_(
                Client.name.ilike(pattern, escape="\\"),
                Client.email.ilike(pattern, escape="\\"),
                Client.company.ilike(pattern, escape="\\"),
            )
        )
    descending = sort.startswith("-")
    column = CLIENT_SORTS.get(sort.lstrip("-"))
    if column is None:
        raise InvalidInput("sort", f"Sort by one of {', '.join(sorted(CLIENT_SORTS))}, with - for descending")
    return stmt.order_by(column.desc() if descending else column.asc(), Client.id)


def update_client(session: Session, *, client: Client, data: ClientUpdate, clock: Clock) -> Client:
    changes = data.model_dump(exclude_unset=True)
    for field in ("name", "client_type", "reminders_paused"):
        if field in changes and changes[field] is None:
            raise InvalidInput(field, "This field cannot be empty")
    if changes.get("reminders_paused", client.reminders_paused) != client.reminders_paused:
        action = "client.paused" if changes["reminders_paused"] else "client.resumed"
        audit.record(
            session,
            account_id=client.account_id,
            action=action,
            entity_type="client",
            entity_id=client.id,
            now=clock.now(),
            changes={"until": changes.get("reminders_paused_until")},
        )
    for field, value in changes.items():
        setattr(client, field, value)
    client.updated_at = clock.now()
    return client


def delete_client(session: Session, *, client: Client, clock: Clock) -> None:
    client.deleted_at = clock.now()
    client.updated_at = client.deleted_at
