"""The worker's digest job: every few minutes, each member whose local time has passed their hour and who
has no digest for that local date yet gets one (queued in the outbox), or a note that the day was empty;
a member's first digest is the first such hour after they joined.

Exactly once per (user, account, local date), across ticks and workers: the `digest_sends` row is
inserted first with ON CONFLICT DO NOTHING, and the email is queued in the same transaction only when
the insert won. A second worker racing for the same member waits on the first's uncommitted row, then
finds the conflict and does nothing. A member whose hour passed while every worker was down gets that
day's digest late on the same local day; a day missed entirely is not caught up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from duespark.clock import Clock
from duespark.db import transaction
from duespark.digest.compose import KIND, compose_digest
from duespark.digest.service import gather, local_date_of, recipients
from duespark.email.service import queue_message
from duespark.models import DigestSend
from duespark.settings import Settings

log = structlog.get_logger(__name__)

INTERVAL_SECONDS = 15 * 60


@dataclass
class DigestRun:
    sent: int = 0
    empty: int = 0


def _due(session: Session, clock: Clock) -> list[tuple[int, int, date]]:
    """(account, user, local date) of every member whose hour has passed today, who was a member at that
    hour, and who has no digest row."""
    now = clock.now()
    done = {
        (account_id, user_id, local_date)
        for account_id, user_id, local_date in session.execute(
            select(DigestSend.account_id, DigestSend.user_id, DigestSend.local_date).where(
                DigestSend.local_date >= (now - timedelta(days=2)).date()
            )
        )
    }
    due = []
    for r in recipients(session):
        today = now.astimezone(ZoneInfo(r.timezone)).date()
        key = (r.account.id, r.user.id, today)
        if r.joined_at <= r.send_time(today) <= now and key not in done:
            due.append(key)
    return due


def _claim(session: Session, *, account_id: int, user_id: int, local_date: date, clock: Clock) -> int | None:
    """Insert the day's row; its id when this call inserted it, None when someone already had."""
    insert = (sqlite.insert if session.get_bind().dialect.name == "sqlite" else postgresql.insert)(DigestSend)
    return session.execute(
        insert.values(account_id=account_id, user_id=user_id, local_date=local_date, created_at=clock.now())
        .on_conflict_do_nothing(index_elements=["user_id", "account_id", "local_date"])
        .returning(DigestSend.id)
    ).scalar()


def send_one(
    session: Session, *, account_id: int, user_id: int, local_date: date, settings: Settings, clock: Clock
) -> bool | None:
    """One member's digest of `local_date`: True queued, False empty, None already done or no longer wanted."""
    found = recipients(session, account_id=account_id, user_id=user_id)
    if not found or local_date_of(clock.now(), found[0].timezone) != local_date:
        return None
    recipient = found[0]
    row_id = _claim(session, account_id=account_id, user_id=user_id, local_date=local_date, clock=clock)
    if row_id is None:
        return None
    facts = gather(session, account_id=account_id, user_id=user_id, timezone=recipient.timezone, local_date=local_date)
    if facts.is_empty:
        return False
    email = compose_digest(facts, recipient, settings)
    message = queue_message(
        session,
        account_id=account_id,
        kind=KIND,
        template_key=KIND,
        to_email=recipient.user.email,
        email=email,
        clock=clock,
    )
    row = session.get(DigestSend, row_id)
    assert row is not None
    row.message_id = message.id
    return True


def send_due_digests(session_factory: sessionmaker[Session], *, settings: Settings, clock: Clock) -> DigestRun:
    """The scheduled job: each due member in its own short transaction, so one failure stops no other."""
    with transaction(session_factory, write=False) as session:
        due = _due(session, clock)
    run = DigestRun()
    for account_id, user_id, local_date in due:
        try:
            with transaction(session_factory) as session:
                outcome = send_one(
                    session,
                    account_id=account_id,
                    user_id=user_id,
                    local_date=local_date,
                    settings=settings,
                    clock=clock,
                )
        except Exception:
            # No row was kept: the next run tries this member again.
            log.exception("digest.failed", account_id=account_id, user_id=user_id)
            continue
        if outcome is True:
            run.sent += 1
        elif outcome is False:
            run.empty += 1
    if due:
        log.info("digest.run", due=len(due), sent=run.sent, empty=run.empty)
    return run
