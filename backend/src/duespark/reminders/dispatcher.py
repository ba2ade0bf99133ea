"""The dispatcher: claim due reminder rows, re-check, send, record. A reminder row is the job.

Each row goes through these steps:

1. claim (with its re-check): `pending` -> `sending` with a lease, committed, a batch at a time;
2. send intent: stamped and committed before the provider call, so after a crash a
   recovered row says whether the provider may already have the message;
3. the provider call, outside any transaction, with a Message-ID derived from the reminder,
   so a resend after a crash carries the same id;
4. record: `sent` (and a `messages` row) or a retry with backoff, or `failed`.

Steps 2 and 4 are batched: one transaction, a round, records every email finished since the
last round and stamps the intent of every email about to start. Many provider calls share a
commit, and none starts before its own intent is committed.

A worker that dies leaves `sending` rows whose lease expires; the next tick puts them
back to `pending` (or `failed` at the attempt limit). Nothing due is dropped silently:
every row ends sent, failed, canceled or skipped, each with its reason.
"""

from __future__ import annotations

import random
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Connection, and_, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from duespark.clock import Clock
from duespark.db import new_session, transaction
from duespark.documents.storage import Storage, storage_from_settings
from duespark.email.compose import TemplateCache
from duespark.email.providers.base import EmailProvider, PermanentSendError, TransientSendError
from duespark.email.service import can_send_reminders, normalize_email, suppressed_addresses
from duespark.email.test_mode import TEST_SUBJECT_PREFIX, as_test_email  # noqa: F401 (re-exported)
from duespark.models import Account, Client, Invoice, Message, Reminder
from duespark.ops.metrics import observe_send, record_reminder_event
from duespark.outgoing_webhooks import events as outgoing_webhooks
from duespark.reminders import fees
from duespark.reminders.claims import (
    Claimed,
    ClaimedBatch,
    DispatchStats,
    Failed,
    Outcome,
    Outgoing,
    Sent,
    _cancel_reason,
    _pause_end,
    _sent_reason,
    owner_emails,
    statement_groups,
)
from duespark.reminders.composer import ClaimedComposer
from duespark.reminders.dispatch_sql import (  # noqa: F401 (re-exported)
    CLAIM,
    CLAIM_CLIENT_REST,
    HELD_ROWS,
    LATER_REMINDER_DUE,
    RECORD_SENT,
    RECOVER_EXPIRED_LEASES,
    RELEASE_UNSTARTED,
    RETRY_CAP,
    SKIP_SUPERSEDED,
    backoff,
    message_id_for,
)
from duespark.reminders.history import final_gaps, sent_histories
from duespark.reminders.planner import ReminderState, mark_for_planning
from duespark.reminders.policy import SendWindow
from duespark.reminders.send_rules import send_verdict
from duespark.reminders.tone import SKIP, History
from duespark.reminders.volume import HOLD, VolumeGate, queue_notices
from duespark.settings import Settings

log = structlog.get_logger(__name__)

UNVERIFIED_RECHECK = timedelta(hours=1)


def attach_late_fees(session: Session, items: list[Claimed], at: datetime) -> None:
    """The late fee each email sent at `at` will show (charged when it is sent)."""
    for item in items:
        item.late_fee = fees.fee_for_reminder(
            session,
            reminder=item.reminder,
            invoice=item.invoice,
            client=item.client,
            account=item.account,
            on=fees.send_date(at, item.client, item.account),
        )


class Dispatcher:
    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        settings: Settings,
        provider: EmailProvider,
        clock: Clock,
        worker_id: str,
        rng: random.Random | None = None,
        should_stop: Callable[[], bool] | None = None,
        storage: Storage | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.provider = provider
        self.clock = clock
        self.worker_id = worker_id
        self.rng = rng or random.Random()
        self.lease = timedelta(seconds=settings.reminder_lease_seconds)
        # Asked between batches and between emails: once true, nothing more is claimed or started,
        # the calls already out are finished and recorded, and the rest is released to `pending`.
        self.should_stop: Callable[[], bool] = should_stop or (lambda: False)
        self.storage = storage or storage_from_settings(settings)
        self.documents: Callable[[], AbstractContextManager[Session]] = lambda: transaction(
            self.session_factory, write=False
        )
        # The volume counts of the current run (`run` starts one); a claim outside a run counts alone.
        self._gate: VolumeGate | None = None

    def composer(self) -> ClaimedComposer:
        """The email maker for this moment (the import preview moves the dispatcher's clock)."""
        return ClaimedComposer(
            settings=self.settings,
            storage=self.storage,
            # The import preview has no provider: it asks about the configured one.
            provider_name=self.provider.name if self.provider is not None else self.settings.email_provider,
            documents=self.documents,
            clock=self.clock,
        )

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        session = self.session_factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def run(self, *, max_batches: int | None = None) -> DispatchStats:
        """Recover expired leases, apply catch-up, then claim and send batches until none is due."""
        stats = DispatchStats()
        self._gate = gate = VolumeGate(self.settings, self.clock.now())
        try:
            self._send_batches(self._claimed_batches(stats, max_batches), stats)
        finally:
            self._gate = None
            if gate.summarized or gate.held:
                with self._transaction() as session:
                    queue_notices(session, gate, settings=self.settings, clock=self.clock)
        return stats

    def _claimed_batches(self, stats: DispatchStats, max_batches: int | None) -> Iterator[ClaimedBatch]:
        """Claimed batches as statement groups, one claim each time the sender asks for more."""
        batches = 0
        while (max_batches is None or batches < max_batches) and not self.should_stop():
            claimed_before = stats.claimed
            claimed = self._claim_batch(stats, first=batches == 0)
            batches += 1
            yield self._with_templates(claimed)
            if stats.claimed == claimed_before:
                return

    def _with_templates(self, claimed: list[Claimed]) -> ClaimedBatch:
        """The batch's statement groups, its accounts' own templates read in one query, and the late
        fee each email will show."""
        now = self.clock.now()
        with new_session(self.session_factory, write=False) as session:  # reads: no write lock
            templates = TemplateCache(session, {item.account.id for item in claimed})
            attach_late_fees(session, claimed, now)
        return statement_groups(claimed, now), templates

    # -- recovery and catch-up -------------------------------------------------------------

    def _recover_expired_leases(self, connection: Connection, now: datetime, stats: DispatchStats) -> None:
        silent_since = now - timedelta(seconds=self.settings.worker_stale_heartbeat_seconds)
        rows = connection.execute(
            RECOVER_EXPIRED_LEASES,
            {"now": now, "max_attempts": self.settings.reminder_max_attempts, "silent_since": silent_since},
        ).all()
        for reminder_id, state, uncertain in rows:
            stats.recovered += 1
            stats.failed += state == ReminderState.failed
            log.warning("reminder.lease_expired", reminder_id=reminder_id, state=state, uncertain_sends=uncertain)

    # -- claim -----------------------------------------------------------------------------

    def _claim_batch(self, stats: DispatchStats, *, first: bool = False) -> list[Claimed]:
        now = self.clock.now()
        token = f"{self.worker_id}/{uuid.uuid4().hex[:12]}"
        with self._transaction() as session:
            connection = session.connection()
            if first:  # once per run, in the same transaction: one commit per idle tick
                self._recover_expired_leases(connection, now, stats)
                stats.skipped += connection.execute(SKIP_SUPERSEDED, {"now": now}).rowcount or 0
            claimed_ids = (
                connection.execute(
                    CLAIM[connection.dialect.name],
                    {
                        "now": now,
                        "lease_until": now + self.lease,
                        "token": token,
                        "batch_size": self.settings.scheduler_batch_size,
                    },
                )
                .scalars()
                .all()
            )
            if not claimed_ids:
                return []
            params = {
                "now": now,
                "lease_until": now + self.lease,
                "token": token,
                "overdue_before": (now - timedelta(hours=12)).date(),
            }
            claimed_ids += connection.execute(CLAIM_CLIENT_REST[connection.dialect.name], params).scalars().all()
            stats.claimed += len(claimed_ids)
            return self._recheck(session, claimed_ids, token, now, stats)

    def _recheck(
        self, session: Session, ids: list[int], token: str, now: datetime, stats: DispatchStats
    ) -> list[Claimed]:
        """Inside the claiming transaction: cancel or hold back what must not go out now."""
        rows = session.execute(
            select(Reminder, Invoice, Client, Account)
            .join(Invoice, Invoice.id == Reminder.invoice_id)
            .join(Client, Client.id == Invoice.client_id)
            .join(Account, Account.id == Reminder.account_id)
            .where(Reminder.id.in_(ids))
            .order_by(Reminder.next_attempt_at, Reminder.id)
        ).all()
        owners = owner_emails(session, {account.id for _, _, _, account in rows if account.test_mode})
        suppressed = suppressed_addresses(session, {client.email for _, _, client, _ in rows if client.email})
        may_send = {
            account_id: can_send_reminders(session, account_id, self.settings)
            for account_id in {account.id for _, _, _, account in rows}
        }
        histories = sent_histories(
            session,
            (invoice.id for _, invoice, _, _ in rows),
            timezones={invoice.id: client.timezone or account.timezone for _, invoice, client, account in rows},
            test={invoice.id: account.test_mode for _, invoice, _, account in rows},
        )
        gaps = final_gaps(session, may_send)
        gate = self._gate if self._gate is not None else VolumeGate(self.settings, now)
        gate.load(session, list({account.id: account for *_, account in rows}.values()))
        ready: list[Claimed] = []
        canceled: list[tuple[int, int]] = []
        for reminder, invoice, client, account in rows:
            timezone = client.timezone or account.timezone
            tone_reason: tuple[str | None, str | None] = (None, None)
            cancel_reason = _cancel_reason(reminder, invoice, client)
            if cancel_reason is None and client.email and not account.test_mode:
                scopes = suppressed.get(normalize_email(client.email), set())
                if None in scopes or account.id in scopes:
                    cancel_reason = "suppressed"
            if cancel_reason is not None:
                self._finish(reminder, now, state=ReminderState.canceled, reason=cancel_reason)
                if cancel_reason == "due_date_changed":
                    mark_for_planning(session, Invoice.id == invoice.id)
                stats.canceled += 1
                record_reminder_event("canceled", reminder.template_key, None)
                canceled.append((reminder.id, account.id))
                continue
            window = SendWindow(account.send_window_start, account.send_window_end, account.send_weekdays)
            pause_ends = _pause_end(invoice, client, now, timezone)
            hold_until = None
            if not may_send[account.id]:
                # Production sends only for verified senders; checked again within the hour.
                reminder.reason = "unverified_sender"
                hold_until = now + UNVERIFIED_RECHECK
            elif pause_ends is not None:
                hold_until = window.first_slot(pause_ends, timezone)
            elif not reminder.manual and not window.contains(now, timezone):
                hold_until = window.next_slot(now, timezone)
            else:
                # What this step says on the day it goes (invariant 13), then the volume guards.
                verdict = send_verdict(
                    reminder,
                    invoice,
                    client,
                    account,
                    now=now,
                    window=window,
                    history=histories.get(invoice.id, History()),
                    final_gap_days=gaps[account.id],
                    gate=gate,
                )
                if verdict.action == SKIP:
                    self._finish(reminder, now, state=ReminderState.skipped, reason=verdict.reason or "skipped")
                    reminder.detail = verdict.detail
                    reminder.is_test = account.test_mode
                    stats.skipped += 1
                    continue
                if verdict.action == HOLD:
                    hold_until = verdict.hold_until
                    reminder.reason, reminder.detail = verdict.reason, verdict.detail
                tone_reason = (verdict.reason, verdict.detail)
            if hold_until is not None:
                # Not a failed attempt: give the attempt back and wait for the slot.
                reminder.state = ReminderState.pending
                reminder.attempts -= 1
                reminder.next_attempt_at = hold_until
                reminder.lease_expires_at = None
                reminder.claimed_by = None
                reminder.updated_at = now
                stats.deferred += 1
                continue
            ready.append(
                Claimed(reminder, invoice, client, account, owners.get(account.id), token, tone_reason=tone_reason)
            )
        session.flush()
        outgoing_webhooks.reminders_changed(session, "reminder.canceled", canceled, now=now)
        return ready

    # -- send ------------------------------------------------------------------------------

    def _send_batches(self, batches: Iterator[ClaimedBatch], stats: DispatchStats) -> None:
        """Send claimed groups, one email each, up to `dispatch_concurrency` provider calls at once.

        Only the provider calls run in the pool: this thread does every database step, so a worker
        needs one connection whatever its concurrency, and a round trip is shared by many emails.
        Each round is one transaction that records the emails finished since the last round and
        stamps the send intent of those about to start; it commits before they start. While the
        calls are out, this thread composes the next emails and claims the next batch, so a call
        that returns is replaced after one round, and the pool never runs dry between batches.
        """
        concurrency = self.settings.dispatch_concurrency
        waiting: deque[tuple[list[Claimed], TemplateCache]] = deque()
        composed: deque[Outgoing] = deque()
        in_flight: set[Future[Outcome]] = set()
        finished: list[Outcome] = []
        claiming = True

        def compose_next() -> None:
            prepared = self._prepare(*waiting.popleft())
            (composed if isinstance(prepared, Outgoing) else finished).append(prepared)

        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="dispatch") as pool:
            try:
                while True:
                    if self.should_stop():
                        self._stop(waiting, composed, in_flight, finished, stats)
                        return
                    while waiting and len(in_flight) + len(composed) < concurrency:
                        compose_next()
                    starting = [composed.popleft() for _ in range(min(len(composed), concurrency - len(in_flight)))]
                    ready = self._record_and_mark(finished, starting, stats)
                    finished = []  # recorded: a failure below must not record them again
                    for outgoing in ready:
                        in_flight.add(pool.submit(self._call_provider, outgoing))
                    # After the round, so a claim never holds back recording what was sent.
                    if claiming and len(waiting) + len(composed) < concurrency:
                        batch = next(batches, None)
                        claiming = batch is not None
                        if batch is not None:
                            groups, templates = batch
                            waiting.extend((group, templates) for group in groups)
                            if len(in_flight) < concurrency:
                                continue
                    if not in_flight:
                        if waiting or composed or claiming:
                            continue
                        return
                    # Until a call returns: compose the emails that will replace the next ones back.
                    while waiting and len(composed) < concurrency and not any(f.done() for f in in_flight):
                        compose_next()
                    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    in_flight -= done
                    finished.extend(future.result() for future in done)
            except Exception:
                # The database failed (a claim or a round): start nothing more, let the calls that are
                # out finish, and record them if the database answers again, so they are not resent.
                finished.extend(future.result() for future in in_flight)
                try:
                    self._record_and_mark(finished, [], stats)
                except Exception:
                    log.exception(
                        "reminder.record_failed", reminder_ids=[i.reminder.id for o in finished for i in o.items]
                    )
                raise

    def _stop(
        self,
        waiting: deque[tuple[list[Claimed], TemplateCache]],
        composed: deque[Outgoing],
        in_flight: set[Future[Outcome]],
        finished: list[Outcome],
        stats: DispatchStats,
    ) -> None:
        """Asked to stop: let the provider calls that are out finish and record them, and give the
        claimed rows not yet started back (`pending`, still due, the attempt returned), so the next
        worker sends them at once instead of waiting for their lease to run out."""
        finished = [*finished, *(future.result() for future in in_flight)]
        unstarted = [item for group, _ in waiting for item in group] + [i for o in composed for i in o.items]
        self._record_and_mark(finished, [], stats)
        if unstarted:
            now = self.clock.now()
            with self._transaction() as session:
                session.connection().execute(
                    RELEASE_UNSTARTED,
                    [{"reminder_id": item.reminder.id, "token": item.token, "now": now} for item in unstarted],
                )
        stats.released += len(unstarted)
        log.info("reminders.dispatch_stopped", recorded=len(finished), released=len(unstarted))

    def _prepare(self, items: list[Claimed], templates: TemplateCache) -> Outgoing | Failed:
        """The email for the rows, or the failure to record when there is none to send."""
        try:
            email = self.composer().compose(items, templates)
        except Exception as exc:
            log.exception("reminder.compose_failed", reminder_id=items[0].reminder.id)
            return Failed(items, permanent=True, reason="render_failed", error=str(exc))
        if email is None:
            return Failed(
                items,
                permanent=True,
                reason="no_address",
                error="The client has no email address; add one, then use send now.",
            )
        return Outgoing(items, email)

    def _call_provider(self, outgoing: Outgoing) -> Outcome:
        """In the pool: one provider call, outside any transaction. The rows share the email's fate:
        all sent, or each retried or failed with the same error."""
        items, email = outgoing.items, outgoing.email
        started = time.perf_counter()
        try:
            result = self.provider.send(email)
        except PermanentSendError as exc:
            return Failed(items, permanent=True, reason="rejected", error=str(exc), email=email)
        except TransientSendError as exc:
            return Failed(items, permanent=False, reason="retrying", error=str(exc))
        except ValueError as exc:
            # The message cannot be built (a line break in a header: Python's email package refuses
            # header injection): it fails the same way on every try, so it is not retried.
            return Failed(items, permanent=True, reason="unbuildable", error=f"The email could not be built: {exc}")
        except Exception as exc:
            # An unknown provider error is retried, never swallowed; the attempt limit bounds it.
            log.exception("reminder.provider_error", reminder_id=items[0].reminder.id)
            return Failed(items, permanent=False, reason="retrying", error=f"{type(exc).__name__}: {exc}")
        finally:
            observe_send(time.perf_counter() - started, self.provider.name)
        return Sent(items, email, result)

    # -- record ----------------------------------------------------------------------------

    def _record_and_mark(
        self, finished: list[Outcome], starting: list[Outgoing], stats: DispatchStats
    ) -> list[Outgoing]:
        """One transaction for a round: record the finished emails and stamp the send intent of the
        starting ones. Returns those that may start.

        Every row is fenced first (locked, and still `sending` under this worker's claim): rows whose
        lease ran out and that another worker took over are left to it, with their whole email. An
        email starts only while its lease holds, and the intent renews the lease for the call.
        """
        if not finished and not starting:
            return []
        now = self.clock.now()
        with self._transaction() as session:
            connection = session.connection()
            ids = [item.reminder.id for group in (*finished, *starting) for item in group.items]
            held = {row.id: row for row in connection.execute(HELD_ROWS, {"ids": ids})}

            def ours(items: list[Claimed], *, leased: bool = False) -> bool:
                return all(
                    (row := held.get(item.reminder.id)) is not None
                    and row.claimed_by == item.token
                    and (not leased or row.lease_expires_at > now)
                    for item in items
                )

            sent = [o for o in finished if isinstance(o, Sent) and ours(o.items)]
            failed = [o for o in finished if isinstance(o, Failed) and ours(o.items)]
            ready = [o for o in starting if ours(o.items, leased=True)]
            self._record_sent(connection, sent, now)
            failures = [(o, item, *self._record_failure(connection, o, item, now)) for o in failed for item in o.items]
            self._mark_send_intent(connection, [item for o in ready for item in o.items], now)
            outgoing_webhooks.reminder_outcomes(connection, sent, failures, now=now)
        self._count(sent, failures, stats)
        # Our lease ran out and another worker took these rows over; it sends with the same
        # Message-ID and records the outcome, so this attempt leaves no second record.
        for group in (*finished, *starting):
            if group not in sent and group not in failed and group not in ready:
                stats.lost_leases += len(group.items)
                event = "reminder.sent_after_lease_lost" if isinstance(group, Sent) else "reminder.lease_lost"
                log.warning(event, reminder_ids=[item.reminder.id for item in group.items])
        return ready

    def _mark_send_intent(self, connection: Connection, items: list[Claimed], now: datetime) -> None:
        """Committed before the provider call: after a crash the recovered row says "maybe sent"."""
        if items:
            connection.execute(
                update(Reminder)
                .where(Reminder.id.in_([item.reminder.id for item in items]))
                .values(send_intent_at=now, lease_expires_at=now + self.lease, updated_at=now)
            )

    def _record_sent(self, connection: Connection, outcomes: list[Sent], now: datetime) -> None:
        """The sent rows in one statement, and one `messages` row per email in another."""
        if not outcomes:
            return
        reminders: list[dict[str, object]] = []
        messages: list[dict[str, object]] = []
        for outcome in outcomes:
            lead = outcome.items[0]
            merged = len(outcome.items)
            for item in outcome.items:
                reason, detail = _sent_reason(item, lead, merged)
                reminders.append(
                    {
                        "reminder_id": item.reminder.id,
                        "token": item.token,
                        "now": now,
                        "sent_reason": reason,
                        "sent_detail": detail,
                        "sent_message_id": outcome.result.provider_message_id,
                        "sent_is_test": item.account.test_mode,
                    }
                )
            # One email, one message row (provider ids are unique); the merged rows carry its id.
            messages.append(
                {
                    "account_id": lead.account.id,
                    "client_id": lead.client.id,
                    "invoice_id": lead.invoice.id,
                    "reminder_id": lead.reminder.id,
                    "kind": "reminder",
                    "template_key": "statement" if merged > 1 else lead.reminder.template_key,
                    "to_email": outcome.email.to,
                    "subject": outcome.email.subject,
                    "provider": self.provider.name,
                    "provider_message_id": outcome.result.provider_message_id,
                    "header_message_id": outcome.email.headers.get("Message-ID"),
                    "status": "sent",
                    "is_test": lead.account.test_mode,
                    "created_at": now,
                    "sent_at": now,
                }
            )
        connection.execute(RECORD_SENT, reminders)
        connection.execute(insert(Message), messages)
        for outcome in outcomes:
            for item in outcome.items:
                if item.late_fee is not None and not item.account.test_mode:  # a test email reaches no client
                    fees.record_sent(connection, item.late_fee, reminder_id=item.reminder.id, now=now)

    def _record_failure(self, connection: Connection, outcome: Failed, item: Claimed, now: datetime) -> tuple[str, str]:
        """A retry with backoff, or `failed` (permanent, or at the attempt limit): the state and reason."""
        attempts = item.reminder.attempts
        exhausted = not outcome.permanent and attempts >= self.settings.reminder_max_attempts
        error = outcome.error
        if outcome.permanent or exhausted:
            if outcome.email is not None:
                connection.execute(
                    insert(Message).values(
                        account_id=item.account.id,
                        client_id=item.client.id,
                        invoice_id=item.invoice.id,
                        reminder_id=item.reminder.id,
                        kind="reminder",
                        template_key=item.reminder.template_key,
                        to_email=outcome.email.to,
                        subject=outcome.email.subject,
                        provider=self.provider.name,
                        status="failed",
                        is_test=item.account.test_mode,
                        error=error,
                        created_at=now,
                    )
                )
            values = {
                "state": ReminderState.failed,
                "reason": "attempts_exhausted" if exhausted else outcome.reason,
                "detail": f"Gave up after {attempts} attempts; the last error was: {error}" if exhausted else error,
            }
        else:
            retry_at = now + backoff(attempts, base_seconds=self.settings.reminder_retry_base_seconds, rng=self.rng)
            values = {
                "state": ReminderState.pending,
                "reason": outcome.reason,
                "detail": f"Attempt {attempts} failed ({error}); trying again at {retry_at.isoformat()}.",
                "next_attempt_at": retry_at,
            }
        connection.execute(
            update(Reminder)
            .where(self._fenced(item))
            .values(**values, lease_expires_at=None, claimed_by=None, send_intent_at=None, updated_at=now)
        )
        return values["state"], values["reason"]

    def _count(self, sent: list[Sent], failures: list[tuple[Failed, Claimed, str, str]], stats: DispatchStats) -> None:
        """Stats, metrics and logs of a committed round."""
        for outcome in sent:
            for item in outcome.items:
                stats.sent += 1
                record_reminder_event("sent", item.reminder.template_key, self.provider.name)
                log.info(
                    "reminder.sent",
                    reminder_id=item.reminder.id,
                    invoice_id=item.invoice.id,
                    is_test=item.account.test_mode,
                )
        for outcome, item, state, reason in failures:
            if state == ReminderState.failed:
                stats.failed += 1
                record_reminder_event("failed", item.reminder.template_key, self.provider.name)
            else:
                stats.retried += 1
            log.warning("reminder.send_failed", reminder_id=item.reminder.id, reason=reason, error=outcome.error)

    def _fenced(self, item: Claimed):
        return and_(
            Reminder.id == item.reminder.id,
            Reminder.state == ReminderState.sending,
            Reminder.claimed_by == item.token,
        )

    def _finish(self, reminder: Reminder, now: datetime, *, state: str, reason: str) -> None:
        reminder.state = state
        reminder.reason = reason
        reminder.detail = None
        reminder.lease_expires_at = None
        reminder.claimed_by = None
        reminder.updated_at = now
