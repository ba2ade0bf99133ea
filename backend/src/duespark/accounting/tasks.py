"""The sync run, in the worker: a connection is claimed with a lease, its pages are fetched outside any
transaction and each applied in its own, with the cursor committed beside it, so a crash resumes at the
page after the last one committed. A run that starts with no cursor is a new run: the first one takes
everything owed, later ones what changed since the previous run started (with a small overlap; applying a
page twice changes nothing)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from duespark.accounting import notify, write_back
from duespark.accounting.api import NeedsReconnect, ProviderApi, ProviderError, RateLimited
from duespark.accounting.base import Provider
from duespark.accounting.dates import RowError
from duespark.accounting.oauth import REFRESH_MARGIN, refresh_tokens
from duespark.accounting.registry import get_provider
from duespark.accounting.service import CONNECTED, NEEDS_RECONNECT, access_token, refresh_token, store_tokens
from duespark.accounting.sync import Changes, apply_contacts, apply_invoices
from duespark.audit import service as audit
from duespark.clock import Clock
from duespark.db import transaction
from duespark.models import AccountingConnection
from duespark.settings import Settings

log = structlog.get_logger(__name__)

LEASE = timedelta(minutes=10)
# Changes stamped a little before the previous run started (clock skew between us and the provider).
OVERLAP = timedelta(minutes=5)
# Connections synced per worker tick, and pages per connection: the tick also dispatches reminders, so a
# first sync of thousands of invoices goes on over several ticks from its committed cursor.
MAX_CONNECTIONS_PER_TICK = 5
MAX_PAGES_PER_TICK = 20
CONTACTS, INVOICES = "contacts", "invoices"


@dataclass(frozen=True)
class SyncOutcome:
    connection_id: int
    # done | resumable (stopped with its cursor kept) | needs_reconnect | skipped (not due, or running elsewhere)
    status: str
    pages: int = 0
    error: str | None = None


def due_connection_ids(session: Session, *, now: datetime, limit: int = MAX_CONNECTIONS_PER_TICK) -> list[int]:
    return list(
        session.scalars(
            select(AccountingConnection.id)
            .where(
                AccountingConnection.status == CONNECTED,
                AccountingConnection.next_sync_at <= now,
                or_(AccountingConnection.sync_lease_until.is_(None), AccountingConnection.sync_lease_until < now),
            )
            .order_by(AccountingConnection.next_sync_at, AccountingConnection.id)
            .limit(limit)
        )
    )


def sync_due(
    session_factory: sessionmaker[Session],
    *,
    settings: Settings,
    clock: Clock,
    http: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_pages: int = MAX_PAGES_PER_TICK,
) -> list[SyncOutcome]:
    """The worker's job before each dispatch: every connection whose sync is due (schedule, webhook, button)."""
    with transaction(session_factory, write=False) as session:
        ids = due_connection_ids(session, now=clock.now())
    if not ids:
        return []
    own_http = http is None
    client = http or httpx.Client(timeout=settings.accounting_timeout_seconds)
    try:
        return [
            sync_connection(
                session_factory,
                settings=settings,
                clock=clock,
                connection_id=connection_id,
                http=client,
                sleep=sleep,
                max_pages=max_pages,
            )
            for connection_id in ids
        ]
    finally:
        if own_http:
            client.close()


def _claim(session_factory: sessionmaker[Session], connection_id: int, now: datetime) -> bool:
    with transaction(session_factory) as session:
        claimed = session.execute(
            update(AccountingConnection)
            .where(
                AccountingConnection.id == connection_id,
                AccountingConnection.status == CONNECTED,
                # Due: a second worker holding a stale list finds it synced (not due) or running (leased).
                AccountingConnection.next_sync_at <= now,
                or_(AccountingConnection.sync_lease_until.is_(None), AccountingConnection.sync_lease_until < now),
            )
            .values(sync_lease_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        return claimed.rowcount == 1


def _locked(session: Session, connection_id: int) -> AccountingConnection:
    return session.scalars(
        select(AccountingConnection)
        .where(AccountingConnection.id == connection_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


class _Run:
    def __init__(self, session_factory, settings: Settings, clock: Clock, provider: Provider, connection_id: int):
        self.session_factory, self.settings, self.clock = session_factory, settings, clock
        self.provider, self.connection_id = provider, connection_id
        self.refresh_value: str | None = None

    def start(self) -> tuple[dict[str, Any], str, str | None, datetime | None]:
        """The cursor (a new one for a new run), the tenant, and the access token with its expiry."""
        with transaction(self.session_factory) as session:
            connection = _locked(session, self.connection_id)
            now = self.clock.now()
            if connection.cursor is None:
                since = connection.modified_since - OVERLAP if connection.modified_since else None
                connection.cursor = {
                    "phase": CONTACTS,
                    "page": 1,
                    "started_at": now.isoformat(),
                    "since": since.isoformat() if since else None,
                }
                connection.last_sync_started_at = now
                connection.last_result = {"counts": {}, "errors": []}
            self.refresh_value = refresh_token(self.settings, connection)
            return (
                dict(connection.cursor),
                connection.tenant_id or "",
                access_token(self.settings, connection),
                connection.token_expires_at,
            )

    def refresh(self) -> str:
        config = self.provider.oauth()
        if config is None or not self.refresh_value:
            raise NeedsReconnect("no refresh token")
        tokens = refresh_tokens(
            config,
            refresh_token=self.refresh_value,
            now=self.clock.now(),
            timeout=self.settings.accounting_timeout_seconds,
        )
        # Committed at once: the provider has already made the old refresh token unusable.
        with transaction(self.session_factory) as session:
            store_tokens(self.settings, _locked(session, self.connection_id), tokens)
        self.refresh_value = tokens.refresh_token
        return tokens.access_token

    def apply_page(self, cursor: dict[str, Any], page: Any, deleted: list[str]) -> dict[str, Any] | None:
        """Apply one fetched page (and, on the last, the invoices deleted in the books) and move the cursor
        in the same transaction; None when the run is done."""
        with transaction(self.session_factory) as session:
            audit.act_as(session, audit.SYNC)
            connection = _locked(session, self.connection_id)
            changes = Changes()
            kind = "contact" if cursor["phase"] == CONTACTS else "invoice"
            for message in page.errors:
                external_id, _, reason = message.partition(": ")
                changes.error(kind, external_id, reason)
            if cursor["phase"] == CONTACTS:
                apply_contacts(session, connection=connection, contacts=page.items, changes=changes, clock=self.clock)
            else:
                apply_invoices(
                    session,
                    connection=connection,
                    label=self.provider.label,
                    invoices=page.items,
                    changes=changes,
                    clock=self.clock,
                    deleted=deleted,
                )
            connection.last_result = changes.merge_into(connection.last_result)
            now = self.clock.now()
            # Asked for again while this run was going (a webhook, "Sync now"): set on the stored cursor.
            again = bool((connection.cursor or {}).get("again"))
            if page.more:
                following: dict[str, Any] | None = {**cursor, "page": cursor["page"] + 1, "again": again}
            elif cursor["phase"] == CONTACTS:
                following = {**cursor, "phase": INVOICES, "page": 1, "again": again}
            else:
                following = None
                connection.modified_since = datetime.fromisoformat(cursor["started_at"])
                connection.last_sync_finished_at = now
                interval = timedelta(minutes=self.settings.accounting_sync_minutes)
                connection.next_sync_at = now if again else now + interval
                connection.last_error = None
            connection.cursor = following
            connection.sync_lease_until = None if following is None else now + LEASE
            connection.updated_at = now
            return following

    def write_back(self, api: ProviderApi, tenant_id: str) -> int:
        """Stripe payments to the books first (write_back.py), each committed as the provider answers.
        A refusal is listed with the run's rows; a lost connection or a rate limit stops the run."""
        with transaction(self.session_factory, write=False) as session:
            connection = session.get(AccountingConnection, self.connection_id)
            assert connection is not None
            account, items = connection.payment_account, write_back.pending(session, connection)
        for item in items:
            error = None
            try:
                external_id = self.provider.record_payment(
                    api, tenant_id=tenant_id, payment=item.payment, account=account
                )
            except RowError as exc:
                error = str(exc)
            with transaction(self.session_factory) as session:
                connection = _locked(session, self.connection_id)
                changes = Changes()
                if error is not None or write_back.written(
                    session, connection, payment_id=item.payment_id, external_id=external_id, clock=self.clock
                ):
                    write_back.note(changes, payment_id=item.payment_id, error=error)
                connection.last_result = changes.merge_into(connection.last_result)
        return len(items)

    def stop(self, *, error: str | None, retry_at: datetime | None, needs_reconnect: bool = False) -> None:
        """The run pauses with its cursor kept; the next one (at `retry_at`) goes on from there."""
        with transaction(self.session_factory) as session:
            connection = _locked(session, self.connection_id)
            connection.last_error = error[:500] if error else None
            connection.sync_lease_until = None
            connection.next_sync_at = retry_at
            if needs_reconnect and connection.status == CONNECTED:
                connection.status = NEEDS_RECONNECT
                notify.notify_needs_reconnect(
                    session, connection, label=self.provider.label, settings=self.settings, clock=self.clock
                )


def sync_connection(
    session_factory: sessionmaker[Session],
    *,
    settings: Settings,
    clock: Clock,
    connection_id: int,
    http: httpx.Client,
    sleep: Callable[[float], None] = time.sleep,
    max_pages: int | None = None,
) -> SyncOutcome:
    with transaction(session_factory, write=False) as session:
        provider_name = session.scalar(
            select(AccountingConnection.provider).where(AccountingConnection.id == connection_id)
        )
    if provider_name is None or not _claim(session_factory, connection_id, clock.now()):
        return SyncOutcome(connection_id, "skipped")
    provider = get_provider(settings, provider_name)
    run = _Run(session_factory, settings, clock, provider, connection_id)
    pages = 0
    try:
        cursor, tenant_id, token, expires_at = run.start()
        if token is None or expires_at is None or expires_at - clock.now() < REFRESH_MARGIN:
            token = run.refresh()
        api = ProviderApi(
            http,
            access_token=token,
            refresh=run.refresh,
            headers=provider.api_headers(tenant_id),
            sleep=sleep,
            max_retries=settings.accounting_max_retries,
            max_wait_seconds=settings.accounting_max_retry_wait_seconds,
        )
        run.write_back(api, tenant_id)
        following: dict[str, Any] | None = cursor
        while following is not None:
            since = datetime.fromisoformat(following["since"]) if following.get("since") else None
            fetch = provider.contacts if following["phase"] == CONTACTS else provider.invoices
            page = fetch(api, tenant_id=tenant_id, page=following["page"], since=since)
            deleted = []
            if following["phase"] == INVOICES and not page.more and since is not None:
                deleted = provider.deleted_invoices(api, tenant_id=tenant_id, since=since, now=clock.now())
            following = run.apply_page(following, page, deleted)
            pages += 1
            if following is not None and max_pages is not None and pages >= max_pages:
                run.stop(error=None, retry_at=clock.now())
                return SyncOutcome(connection_id, "resumable", pages)
    except NeedsReconnect as exc:
        run.stop(error=f"Connect {provider.label} again: {exc}", retry_at=None, needs_reconnect=True)
        log.warning("accounting.needs_reconnect", connection_id=connection_id, reason=str(exc))
        return SyncOutcome(connection_id, "needs_reconnect", pages, str(exc))
    except RateLimited as exc:
        run.stop(error=str(exc), retry_at=clock.now() + timedelta(seconds=max(exc.retry_after, 60)))
        return SyncOutcome(connection_id, "resumable", pages, str(exc))
    except ProviderError as exc:
        retry_at = clock.now() + timedelta(minutes=settings.accounting_sync_minutes)
        run.stop(error=str(exc), retry_at=retry_at)
        log.warning("accounting.sync_failed", connection_id=connection_id, reason=str(exc))
        return SyncOutcome(connection_id, "resumable", pages, str(exc))
    log.info("accounting.synced", connection_id=connection_id, pages=pages)
    return SyncOutcome(connection_id, "done", pages)


def run_scheduled_syncs(session_factory: sessionmaker[Session], *, settings: Settings, clock: Clock) -> None:
    """Added to the worker's tick by wiring.connect_domains (reminders.worker.run_before_dispatch)."""
    sync_due(session_factory, settings=settings, clock=clock)
