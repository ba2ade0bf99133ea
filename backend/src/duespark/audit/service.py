"""The audit trail: who changed what that matters, written in the same transaction as the change.

`record` is the one way in. Whoever acts is named once per unit of work (`act_as`): the request's
principal (deps.py), a Stripe webhook, the worker; a unit of work that names nobody is "system".
Entries are only ever inserted and read here, and pruned by age (`prune`); no API edits or deletes one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Select, delete, insert, select
from sqlalchemy.orm import Session

from duespark.models import Account, ApiToken, AuditEntry, User

_ACTOR = "duespark_audit_actor"
_IP = "duespark_audit_ip"


@dataclass(frozen=True)
class Actor:
    kind: str  # user | token | system
    id: int | None
    label: str


WORKER = Actor("system", None, "worker")
WEBHOOK = Actor("system", None, "webhook")
SYNC = Actor("system", None, "sync")
SYSTEM = Actor("system", None, "system")


def act_as(session: Session, actor: Actor | UserRef, *, ip: str | None = None) -> None:
    """Name who acts in this unit of work; every entry it records carries the name (and the address,
    kept only for accounts that record addresses)."""
    session.info[_ACTOR] = actor
    session.info[_IP] = ip


@dataclass(frozen=True)
class UserRef:
    """A signed-in user (or their API token) named by id: the label is read only when an entry is
    written, so requests that change nothing cost no query."""

    user_id: int
    token_id: int | None = None


def user_actor(session: Session | Connection, *, user_id: int, token_id: int | None = None) -> Actor:
    """A signed-in user, or one of their personal API tokens, labelled so an entry reads on its own
    even after the user or the token is gone."""
    email = session.scalar(select(User.email).where(User.id == user_id)) or f"user {user_id}"
    if token_id is None:
        return Actor("user", user_id, email)
    name = session.scalar(select(ApiToken.name).where(ApiToken.id == token_id)) or "API token"
    return Actor("token", token_id, f"{name} ({email})")


def _plain(value: Any) -> Any:
    """A value as JSON keeps it and a person reads it: dates as ISO text, enums by value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: _plain(getattr(obj, field)) for field in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields whose value changed, each with its value before and after."""
    return {
        field: {"before": before[field], "after": after[field]} for field in before if after[field] != before[field]
    }


def record(
    db: Session | Connection,
    *,
    account_id: int,
    action: str,
    entity_type: str,
    entity_id: int | None,
    now: datetime,
    changes: Mapping[str, Any] | None = None,
    actor: Actor | None = None,
) -> None:
    """Insert one entry in the caller's transaction (so it commits or rolls back with the change).
    A Connection (the dispatcher's set-based writes) names its actor; a Session may leave it to `act_as`."""
    info = db.info if isinstance(db, Session) else {}
    actor = actor or info.get(_ACTOR) or SYSTEM
    if isinstance(actor, UserRef):
        actor = info[_ACTOR] = user_actor(db, user_id=actor.user_id, token_id=actor.token_id)  # type: ignore[arg-type]
    ip = info.get(_IP)
    if ip is not None and not db.scalar(select(Account.audit_record_ip).where(Account.id == account_id)):
        ip = None
    values = {
        "account_id": account_id,
        "at": now,
        "actor_kind": actor.kind,
        "actor_id": actor.id,
        "actor_label": actor.label[:320],
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "changes": {key: _plain(value) for key, value in changes.items()} if changes else None,
        "ip": ip,
    }
    db.execute(insert(AuditEntry).values(**values))


@dataclass(frozen=True)
class AuditFilter:
    actor_kind: str | None = None
    actor_id: int | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def entries_query(account_id: int, where: AuditFilter) -> Select[tuple[AuditEntry]]:
    """The account's entries matching the filter, newest first."""
    stmt = select(AuditEntry).where(AuditEntry.account_id == account_id)
    for column, value in (
        (AuditEntry.actor_kind, where.actor_kind),
        (AuditEntry.actor_id, where.actor_id),
        (AuditEntry.action, where.action),
        (AuditEntry.entity_type, where.entity_type),
        (AuditEntry.entity_id, where.entity_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if where.since is not None:
        stmt = stmt.where(AuditEntry.at >= where.since)
    if where.until is not None:
        stmt = stmt.where(AuditEntry.at < where.until)
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def prune(session: Session, *, now: datetime) -> int:
    """Delete entries older than their account's retention (one statement per retention in use)."""
    deleted = 0
    for days in session.scalars(select(Account.audit_retention_days).distinct()):
        accounts = select(Account.id).where(Account.audit_retention_days == days)
        result = session.execute(
            delete(AuditEntry).where(AuditEntry.account_id.in_(accounts), AuditEntry.at < now - timedelta(days=days))
        )
        deleted += result.rowcount or 0
    return deleted
