"""Notices: things the user must be told that happened while they were not looking.

A notice is one row per account and kind. Recording the same kind again counts up, refreshes the
message and brings a dismissed notice back, so a problem that keeps happening stays visible once.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.errors import NotFound
from duespark.models import Notice

MESSAGE_MAX = 1000


def record(session: Session, *, account_id: int, kind: str, message: str, clock: Clock) -> None:
    """Insert or count up, in one statement (two failures at once make one row with count 2)."""
    now = clock.now()
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(Notice).values(
        account_id=account_id,
        kind=kind,
        message=message[:MESSAGE_MAX],
        count=1,
        first_at=now,
        last_at=now,
        dismissed_at=None,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["account_id", "kind"],
        set_={
            "message": stmt.excluded.message,
            "count": Notice.count + 1,
            "last_at": stmt.excluded.last_at,
            "dismissed_at": None,
        },
    )
    session.execute(stmt)


def active(session: Session, *, account_id: int) -> list[Notice]:
    return list(
        session.scalars(
            select(Notice)
            .where(Notice.account_id == account_id, Notice.dismissed_at.is_(None))
            .order_by(Notice.last_at.desc(), Notice.id.desc())
        )
    )


def dismiss(session: Session, *, account_id: int, notice_id: int, clock: Clock) -> Notice:
    notice = session.scalars(select(Notice).where(Notice.id == notice_id, Notice.account_id == account_id)).first()
    if notice is None:
        raise NotFound("Notice")
    if notice.dismissed_at is None:
        notice.dismissed_at = clock.now()
        session.flush()
    return notice


def clear(session: Session, *, account_id: int, kind: str, clock: Clock) -> None:
    """The problem is fixed (a new Stripe key was saved): its notice goes away."""
    notice = session.scalars(select(Notice).where(Notice.account_id == account_id, Notice.kind == kind)).first()
    if notice is not None and notice.dismissed_at is None:
        notice.dismissed_at = clock.now()
        session.flush()
