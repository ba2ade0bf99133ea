"""What goes out first: the emails the worker's next run would send for one account.

Worked out by doing the worker's own steps inside a savepoint that is rolled back: the due rows of
the account are claimed as the dispatcher claims them (catch-up rule included), re-checked by the
dispatcher's own re-check (pauses, suppressions, send window, unverified sender), grouped into
statements by its own grouping and composed by its own compose (test mode included). Nothing of it
is kept. The caller may change data first in an outer savepoint (import rows, leave test mode).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from duespark.clock import Clock, FixedClock
from duespark.email.compose import TemplateCache
from duespark.models import Account, Reminder
from duespark.onboarding.schemas import FirstWave, PreviewEmail
from duespark.reminders.dispatcher import (
    LATER_REMINDER_DUE,
    Claimed,
    Dispatcher,
    DispatchStats,
    Outgoing,
    attach_late_fees,
    statement_groups,
)
from duespark.reminders.planner import ReminderState
from duespark.reminders.policy import zone
from duespark.settings import Settings

MAX_PREVIEWS = 20
CHUNK = 1000
WORKER_ID = "import-preview"
# A window that opens within this long still counts as the first wave (tonight's import, tomorrow 9:00).
LOOKAHEAD = timedelta(days=4)


@contextmanager
def rolled_back(session: Session) -> Iterator[None]:
    """Changes made inside are undone at the end, whatever happens."""
    savepoint = session.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()


def _due_ids(session: Session, account_id: int, at: datetime) -> list[int]:
    """What the dispatcher's claim takes at `at`, for this account only."""
    return list(
        session.scalars(
            select(Reminder.id)
            .where(
                Reminder.account_id == account_id,
                Reminder.state == ReminderState.pending,
                Reminder.next_attempt_at <= at,
                or_(Reminder.manual, ~LATER_REMINDER_DUE),
            )
            .order_by(Reminder.next_attempt_at, Reminder.id),
            {"now": at},
        )
    )


def _superseded(session: Session, account_id: int, at: datetime) -> int:
    """Missed steps the catch-up rule skips at `at` (a later step of the same invoice goes instead)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Reminder)
            .where(
                Reminder.account_id == account_id,
                Reminder.state == ReminderState.pending,
                Reminder.manual.is_(False),
                Reminder.scheduled_for <= at,
                LATER_REMINDER_DUE,
            ),
            {"now": at},
        )
        or 0
    )


def _claim_and_recheck(
    session: Session, dispatcher: Dispatcher, account_id: int, at: datetime
) -> tuple[list[Claimed], int, int]:
    """The ready rows at `at`, the superseded count and the rows the re-check held back."""
    skipped = _superseded(session, account_id, at)
    dispatcher.documents = partial(nullcontext, session)
    ids = _due_ids(session, account_id, at)
    stats = DispatchStats()
    ready: list[Claimed] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        session.execute(
            update(Reminder)
            .where(Reminder.id.in_(chunk))
            .values(
                state=ReminderState.sending,
                attempts=Reminder.attempts + 1,
                lease_expires_at=at + dispatcher.lease,
                claimed_by=WORKER_ID,
                updated_at=at,
            )
            .execution_options(synchronize_session=False)
        )
        session.expire_all()
        ready.extend(dispatcher._recheck(session, chunk, WORKER_ID, at, stats))
    return ready, skipped, stats.deferred


def _next_opening(session: Session, account_id: int, ids: list[int]) -> datetime | None:
    """The earliest time a held row was put back to (the send window opening)."""
    if not ids:
        return None
    return session.scalar(
        select(func.min(Reminder.next_attempt_at)).where(
            Reminder.id.in_(ids[:CHUNK]),
            Reminder.state == ReminderState.pending,
            or_(Reminder.reason.is_(None), Reminder.reason != "unverified_sender"),
        )
    )


def first_wave(session: Session, *, account_id: int, settings: Settings, clock: Clock) -> FirstWave:
    """The emails the worker's next run would send for the account; nothing is kept."""
    with rolled_back(session):
        return _first_wave(session, account_id=account_id, settings=settings, clock=clock)


def _first_wave(session: Session, *, account_id: int, settings: Settings, clock: Clock) -> FirstWave:
    session.flush()
    now = clock.now()
    account = session.get(Account, account_id)
    assert account is not None
    at = now
    dispatcher = Dispatcher(
        session_factory=None,  # type: ignore[arg-type] - only its re-check and compose are used
        settings=settings,
        provider=None,  # type: ignore[arg-type]
        clock=FixedClock(at),
        worker_id=WORKER_ID,
    )
    ids = _due_ids(session, account_id, at)
    ready, skipped, held = _claim_and_recheck(session, dispatcher, account_id, at)
    held_reason = None
    if not ready and held:
        # The send window is closed now: the first wave goes when it opens.
        opening = _next_opening(session, account_id, ids)
        if opening is not None and opening - now <= LOOKAHEAD:
            at = opening
            dispatcher.clock = FixedClock(at)
            ready, skipped, held = _claim_and_recheck(session, dispatcher, account_id, at)
    if held:
        reasons = session.scalars(
            select(Reminder.reason).where(
                Reminder.account_id == account_id,
                Reminder.state == ReminderState.pending,
                Reminder.reason == "unverified_sender",
            )
        ).first()
        held_reason = (
            "Waiting for you to verify your sender address" if reasons else "Outside the send window; they go later"
        )
    groups = statement_groups(ready, at)
    templates = TemplateCache(session, {account_id})
    previews: list[PreviewEmail] = []
    tones: Counter[str] = Counter()
    for index, group in enumerate(groups):
        lead = max(group, key=lambda item: (item.reminder.offset_days, item.reminder.id))
        tone = lead.reminder.template_key
        tones[tone] += 1
        if index >= MAX_PREVIEWS:
            continue
        attach_late_fees(session, group, at)
        prepared = dispatcher._prepare(group, templates)
        email = prepared.email if isinstance(prepared, Outgoing) else None
        previews.append(
            PreviewEmail(
                client_id=group[0].client.id,
                client_name=group[0].client.name,
                to=email.to if email else None,
                kind="statement" if len(group) > 1 else "single",
                tone=tone,
                invoice_numbers=[item.invoice.number for item in group],
                subject=email.subject if email else None,
                text=email.text if email else None,
                problem=None if email else getattr(prepared, "error", None),
            )
        )
    statements = sum(1 for group in groups if len(group) > 1)
    return FirstWave(
        at=at if groups else None,
        today=at.astimezone(zone(account.timezone)).date() == now.astimezone(zone(account.timezone)).date(),
        test_mode=account.test_mode,
        emails=len(groups),
        clients=len({group[0].client.id for group in groups}),
        invoices=len({item.invoice.id for item in ready}),
        statements=statements,
        singles=len(groups) - statements,
        tones=dict(sorted(tones.items())),
        skipped_steps=skipped,
        held=held,
        held_reason=held_reason,
        previews=previews,
        more=max(0, len(groups) - len(previews)),
    )
