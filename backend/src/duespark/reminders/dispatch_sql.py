"""The dispatcher's SQL statements, built once with bind parameters, and its small pure helpers
(retry backoff, Message-IDs)."""

from __future__ import annotations

import hashlib
import hmac
import random
from datetime import timedelta

from sqlalchemy import Boolean, Date, Integer, String, and_, bindparam, case, exists, func, or_, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.selectable import Exists

from duespark.models import Account, Invoice, Reminder, WorkerHeartbeat
from duespark.models.base import UTCDateTime
from duespark.reminders.planner import ReminderState

RETRY_CAP = timedelta(hours=6)

# The statements of every tick are built once, with bind parameters: building them per call
# costs more than running them when nothing is due.
_NOW = bindparam("now", type_=UTCDateTime())
_MAX_ATTEMPTS = bindparam("max_attempts", type_=Integer())


def _later_reminder_due() -> Exists:
    """A later step of the same invoice is due, in flight or already sent: the catch-up rule."""
    later = aliased(Reminder, name="later_step")
    return exists().where(
        later.invoice_id == Reminder.invoice_id,
        later.id != Reminder.id,
        or_(
            later.scheduled_for > Reminder.scheduled_for,
            and_(later.scheduled_for == Reminder.scheduled_for, later.offset_days > Reminder.offset_days),
        ),
        or_(
            later.state.in_((ReminderState.sending, ReminderState.sent)),
            and_(later.state == ReminderState.pending, later.scheduled_for <= _NOW),
        ),
    )


LATER_REMINDER_DUE = _later_reminder_due()
_maybe_sent = Reminder.send_intent_at.is_not(None)
_at_limit = Reminder.attempts >= _MAX_ATTEMPTS

_lease_expired = Reminder.lease_expires_at < _NOW
# The worker holding the row (its claim token is "<worker id>/<batch>") has not beaten since this
# instant: it is dead, and its rows need not wait for their lease. A live worker beats every 15 s
# from its own thread, whatever its dispatch is doing, so only a dead (or frozen) one goes silent.
_holder_silent = exists().where(
    WorkerHeartbeat.last_beat_at < bindparam("silent_since", type_=UTCDateTime()),
    func.substr(Reminder.claimed_by, 1, func.length(WorkerHeartbeat.worker_id) + 1) == WorkerHeartbeat.worker_id + "/",
)

RECOVER_EXPIRED_LEASES = (
    update(Reminder)
    .where(Reminder.state == ReminderState.sending, or_(_lease_expired, _holder_silent))
    .values(
        state=case((_at_limit, ReminderState.failed), else_=ReminderState.pending),
        reason=case((_at_limit, "attempts_exhausted"), (_lease_expired, "lease_expired"), else_="worker_stopped"),
        detail=case(
            (
                and_(_at_limit, _maybe_sent),
                "The worker stopped while sending, at the attempt limit; "
                "the email provider may have received the last attempt.",
            ),
            (_at_limit, "The worker stopped while sending, at the attempt limit."),
            (_maybe_sent, "The worker stopped after handing this email to the provider; sending it again."),
            else_="The worker stopped before sending this email; trying again.",
        ),
        uncertain_sends=Reminder.uncertain_sends + case((_maybe_sent, 1), else_=0),
        next_attempt_at=_NOW,
        lease_expires_at=None,
        claimed_by=None,
        send_intent_at=None,
        updated_at=_NOW,
    )
    .returning(Reminder.id, Reminder.state, Reminder.uncertain_sends)
)

# A step whose moment came before the invoice was added to DueSpark was never missed: it is
# skipped for that reason, not for DueSpark having been down.
_BEFORE_ADDED = (
    select(Invoice.created_at).where(Invoice.id == Reminder.invoice_id).scalar_subquery() > Reminder.scheduled_for
)
BEFORE_ADDED_DETAIL = (
    "Its date was before you added this invoice to DueSpark, so it was not sent; a later reminder, "
    "worded for the day it went out, was sent instead."
)
MISSED_DETAIL = (
    "Missed while reminders were not going out (DueSpark not running, or paused); a later reminder was sent instead."
)

SKIP_SUPERSEDED = (
    update(Reminder)
    .where(
        Reminder.state == ReminderState.pending,
        Reminder.manual.is_(False),
        Reminder.scheduled_for <= _NOW,
        LATER_REMINDER_DUE,
    )
    .values(
        state=ReminderState.skipped,
        reason=case((_BEFORE_ADDED, "before_added"), else_="missed"),
        detail=case((_BEFORE_ADDED, BEFORE_ADDED_DETAIL), else_=MISSED_DETAIL),
        updated_at=_NOW,
    )
)


def _mark_sending(batch) -> Update:
    """Claim the still-pending rows of `batch` (a CTE of reminder ids): `sending`, leased to this claim."""
    return (
        update(Reminder)
        .where(Reminder.id == batch.c.id, Reminder.state == ReminderState.pending)
        .values(
            state=ReminderState.sending,
            attempts=Reminder.attempts + 1,
            lease_expires_at=bindparam("lease_until", type_=UTCDateTime()),
            claimed_by=bindparam("token", type_=String()),
            send_intent_at=None,
            updated_at=_NOW,
        )
        .returning(Reminder.id)
    )


def _claim_statement(*, skip_locked: bool) -> Update:
    due = (
        select(Reminder.id)
        .where(
            Reminder.state == ReminderState.pending,
            Reminder.next_attempt_at <= _NOW,
            or_(Reminder.manual, ~LATER_REMINDER_DUE),
        )
        .order_by(Reminder.next_attempt_at, Reminder.id)
        .limit(bindparam("batch_size", type_=Integer()))
    )
    if skip_locked:
        # Several dispatchers share the work: each takes rows nobody else holds.
        due = due.with_for_update(skip_locked=True)
    # A CTE runs once; PostgreSQL may re-run an IN (subquery) per row, and with SKIP LOCKED
    # each run finds other rows, so the batch size would not hold.
    batch = due.cte("due_batch")
    return _mark_sending(batch)


CLAIM = {"postgresql": _claim_statement(skip_locked=True), "sqlite": _claim_statement(skip_locked=False)}

# At most this many more rows of the batch's clients are claimed with it (one statement each).
MAX_CLIENT_ROWS = 500


def _claim_client_rest_statement(*, skip_locked: bool) -> Update:
    """The other due rows of the clients a batch holds (accounts that merge statements): a client's
    invoices due at the same tick go in one statement even when they straddle two batches, as an
    import's rows of one client do."""
    mine = aliased(Reminder, name="mine")
    mine_invoice = aliased(Invoice, name="mine_invoice")
    clients = (
        select(mine_invoice.client_id)
        .join(mine, mine.invoice_id == mine_invoice.id)
        .join(Account, Account.id == mine_invoice.account_id)
        .where(
            mine.claimed_by == bindparam("token", type_=String()),
            mine.state == ReminderState.sending,
            mine.manual.is_(False),
            Account.merge_statements.is_(True),
        )
    )
    due = (
        select(Reminder.id)
        .join(Invoice, Invoice.id == Reminder.invoice_id)
        .where(
            Reminder.state == ReminderState.pending,
            Reminder.next_attempt_at <= _NOW,
            Reminder.manual.is_(False),
            Invoice.client_id.in_(clients),
            # Overdue in every timezone (a due date before the earliest local date on Earth): only
            # rows that will go in the statement, so a batch does not grow by other rows.
            Invoice.due_date < bindparam("overdue_before", type_=Date()),
            ~LATER_REMINDER_DUE,
        )
        .order_by(Reminder.next_attempt_at, Reminder.id)
        .limit(MAX_CLIENT_ROWS)
    )
    if skip_locked:
        due = due.with_for_update(of=Reminder, skip_locked=True)
    batch = due.cte("client_rest")
    return _mark_sending(batch)


CLAIM_CLIENT_REST = {
    "postgresql": _claim_client_rest_statement(skip_locked=True),
    "sqlite": _claim_client_rest_statement(skip_locked=False),
}

# A round's rows, locked until its commit (SQLite: its single writer holds them), in id order so
# rounds of different workers cannot deadlock on each other.
HELD_ROWS = (
    select(Reminder.id, Reminder.claimed_by, Reminder.lease_expires_at)
    .where(Reminder.id.in_(bindparam("ids", expanding=True)), Reminder.state == ReminderState.sending)
    .order_by(Reminder.id)
    .with_for_update()
)

# Executed once per round with one parameter set per sent row.
RECORD_SENT = (
    update(Reminder)
    .where(
        Reminder.id == bindparam("reminder_id", type_=Integer()),
        Reminder.state == ReminderState.sending,
        Reminder.claimed_by == bindparam("token", type_=String()),
    )
    .values(
        state=ReminderState.sent,
        reason=bindparam("sent_reason", type_=String()),
        detail=bindparam("sent_detail", type_=String()),
        sent_at=_NOW,
        provider_message_id=bindparam("sent_message_id", type_=String()),
        is_test=bindparam("sent_is_test", type_=Boolean()),
        lease_expires_at=None,
        updated_at=_NOW,
    )
)


# A claimed row whose email was never started, given back when the worker stops: no attempt spent.
RELEASE_UNSTARTED = (
    update(Reminder)
    .where(
        Reminder.id == bindparam("reminder_id", type_=Integer()),
        Reminder.state == ReminderState.sending,
        Reminder.claimed_by == bindparam("token", type_=String()),
        Reminder.send_intent_at.is_(None),
    )
    .values(
        state=ReminderState.pending,
        attempts=Reminder.attempts - 1,
        lease_expires_at=None,
        claimed_by=None,
        updated_at=_NOW,
    )
)


def backoff(attempt: int, *, base_seconds: float, rng: random.Random) -> timedelta:
    """Exponential backoff with jitter: half the step fixed, half random, capped."""
    step = min(RETRY_CAP.total_seconds(), base_seconds * 2 ** max(0, attempt - 1))
    return timedelta(seconds=step / 2 + rng.uniform(0, step / 2))


def message_id_for(reminder_id: int, from_email: str, *, key: str) -> str:
    """The same Message-ID for every attempt at one reminder's email (a resend after a crash is
    the same message to mail programs), without the row id in it: an HMAC of the id."""
    domain = from_email.rsplit("@", 1)[-1] or "duespark.local"
    digest = hmac.new(key.encode(), f"duespark:message-id:reminder:{reminder_id}".encode(), hashlib.sha256)
    return f"<{digest.hexdigest()[:32]}@{domain}>"
