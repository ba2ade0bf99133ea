"""The worker's side of outgoing webhooks: claim due deliveries, POST them signed, record the answer.

At least once: a delivery is claimed (`sending` with a lease) and committed before the request, and
recorded after it; a worker that dies in between leaves a lease that runs out, and the next run sends
again with the same `webhook-id`, which receivers use to deduplicate. Claims use FOR UPDATE SKIP LOCKED
on PostgreSQL (SQLite has one writer), so two workers never hold the same delivery, and a delivery
waits while an earlier one with the same ordering key (the same invoice) is still open, so one
invoice's events arrive in order. No request holds a database connection while it waits.

2xx is delivered; anything else (3xx: redirects are not followed, 4xx, 5xx, timeouts, refused
addresses) is retried on RETRY_DELAYS, about three days in all. A delivery that runs out of attempts
while its endpoint has answered no 2xx since the delivery was queued disables the endpoint and tells
the account's owners by email.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
import structlog
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from duespark.clock import Clock
from duespark.db import transaction
from duespark.errors import DomainError
from duespark.models import WebhookDelivery, WebhookEndpoint
from duespark.ops.metrics import record_outgoing_webhook
from duespark.outgoing_webhooks.notify import notify_disabled
from duespark.outgoing_webhooks.signing import signed_headers
from duespark.outgoing_webhooks.targets import Resolver, TargetRefused, resolve_target, system_resolver
from duespark.payments.crypto import decrypt_secret
from duespark.settings import Settings

log = structlog.get_logger(__name__)

# After the 1st, 2nd, ... failed attempt (the Standard Webhooks / Svix schedule, stretched to ~3 days).
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=14),
    timedelta(hours=14),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
EXCERPT_BYTES = 512
BATCH = 50
OPEN = ("pending", "sending")


@dataclass
class Claimed:
    id: int
    token: str
    endpoint_id: int
    url: str
    signing_secrets: list[str]
    event_id: str
    body: str
    attempts: int
    created_at: datetime


@dataclass
class Attempt:
    status_code: int | None
    excerpt: str
    seconds: float | None
    refused: bool = False

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass
class DeliveryStats:
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    recovered: int = 0
    lost_leases: int = 0
    disabled_endpoints: list[int] = field(default_factory=list)


def signing_secrets(settings: Settings, endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, and the one it replaced while that still signs (see service.rotate_secret)."""
    keys = [decrypt_secret(settings, endpoint.secret_encrypted)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_encrypted and expires is not None and expires > now:
        keys.append(decrypt_secret(settings, endpoint.previous_secret_encrypted))
    return keys


class Deliverer:
    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        settings: Settings,
        clock: Clock,
        resolver: Resolver = system_resolver,
        transport: httpx.BaseTransport | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.clock = clock
        self.resolver = resolver
        self.transport = transport
        self.should_stop = should_stop
        self.timeout = settings.webhook_timeout_seconds
        # Long enough for a full batch of timeouts, so a slow batch keeps its claims.
        self.lease = timedelta(seconds=self.timeout * (BATCH // settings.webhook_concurrency + 2) + 60)

    def run(self, *, max_batches: int | None = None) -> DeliveryStats:
        stats = DeliveryStats()
        if not self._anything_due():
            return stats
        stats.recovered = self._recover_expired_leases()
        batches = 0
        with self._http() as http:
            while not self.should_stop() and (max_batches is None or batches < max_batches):
                claimed = self._claim(BATCH)
                if not claimed:
                    break
                batches += 1
                stats.claimed += len(claimed)
                with ThreadPoolExecutor(max_workers=min(self.settings.webhook_concurrency, len(claimed))) as pool:
                    attempts = list(pool.map(lambda item: self.post(http, item), claimed))
                self._record(list(zip(claimed, attempts, strict=True)), stats)
        return stats

    def _http(self) -> httpx.Client:
        # trust_env=False: a proxy from the environment would connect to the name, not the checked address.
        return httpx.Client(
            transport=self.transport, timeout=self.timeout, follow_redirects=False, trust_env=False, http2=False
        )

    def _anything_due(self) -> bool:
        """Answered by a read, so the job takes SQLite's write lock only when it has work (invariant 12)."""
        now = self.clock.now()
        with transaction(self.session_factory, write=False) as session:
            due = or_(
                and_(
                    WebhookDelivery.status == "pending",
                    WebhookDelivery.next_attempt_at <= now,
                    WebhookEndpoint.enabled.is_(True),
                ),
                and_(WebhookDelivery.status == "sending", WebhookDelivery.lease_expires_at < now),
            )
            stmt = select(WebhookDelivery.id).join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            return session.scalar(stmt.where(due).limit(1)) is not None

    def _recover_expired_leases(self) -> int:
        now = self.clock.now()
        with transaction(self.session_factory) as session:
            result = session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.status == "sending", WebhookDelivery.lease_expires_at < now)
                .values(status="pending", claimed_by=None, lease_expires_at=None, next_attempt_at=now)
            )
        return result.rowcount or 0

    def _claim(self, limit: int) -> list[Claimed]:
        now = self.clock.now()
        earlier = aliased(WebhookDelivery)
        token = uuid.uuid4().hex
        with transaction(self.session_factory) as session:
            ids = session.scalars(
                select(WebhookDelivery.id)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(
                    WebhookDelivery.status == "pending",
                    WebhookDelivery.next_attempt_at <= now,
                    WebhookEndpoint.enabled.is_(True),
                    ~exists().where(
                        earlier.endpoint_id == WebhookDelivery.endpoint_id,
                        earlier.ordering_key == WebhookDelivery.ordering_key,
                        earlier.id < WebhookDelivery.id,
                        earlier.status.in_(OPEN),
                    ),
                )
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(limit)
                .with_for_update(skip_locked=True, of=WebhookDelivery)
            ).all()
            if not ids:
                return []
            rows = session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(ids), WebhookDelivery.status == "pending")
                .values(
                    status="sending",
                    claimed_by=token,
                    lease_expires_at=now + self.lease,
                    attempts=WebhookDelivery.attempts + 1,
                    last_attempt_at=now,
                )
                .returning(
                    WebhookDelivery.id,
                    WebhookDelivery.endpoint_id,
                    WebhookDelivery.event_id,
                    WebhookDelivery.body,
                    WebhookDelivery.attempts,
                    WebhookDelivery.created_at,
                )
            ).all()
            endpoint_ids = {row.endpoint_id for row in rows}
            found = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.id.in_(endpoint_ids)))
            endpoints = {e.id: e for e in found}
        claimed = []
        for row in sorted(rows, key=lambda r: r.id):
            endpoint = endpoints[row.endpoint_id]
            try:
                keys = signing_secrets(self.settings, endpoint, now)
            except DomainError:
                keys = []  # recorded as a failed attempt below: the user rotates the secret
            claimed.append(
                Claimed(
                    id=row.id,
                    token=token,
                    endpoint_id=row.endpoint_id,
                    url=endpoint.url,
                    signing_secrets=keys,
                    event_id=row.event_id,
                    body=row.body,
                    attempts=row.attempts,
                    created_at=row.created_at,
                )
            )
        return claimed

    def post(self, http: httpx.Client, item: Claimed) -> Attempt:
        """One attempt: check the address again, connect to it (pinned), read a short excerpt."""
        if not item.signing_secrets:
            return Attempt(None, "The signing secret can no longer be decrypted: rotate the secret", None)
        try:
            target = resolve_target(item.url, self.settings, self.resolver)
        except TargetRefused as exc:
            return Attempt(None, f"Not sent: {exc}", None, refused=True)
        headers = signed_headers(item.signing_secrets, event_id=item.event_id, at=self.clock.now(), body=item.body)
        headers["host"] = target.host_header
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        started = time.monotonic()
        try:
            request = http.build_request(
                "POST", target.pinned_url, content=item.body.encode(), headers=headers, extensions=extensions
            )
            response = http.send(request, stream=True)
            try:
                excerpt = _excerpt(response)
            finally:
                response.close()
        except httpx.TimeoutException:
            return Attempt(None, f"Timed out after {self.timeout:g} s", time.monotonic() - started)
        except httpx.HTTPError as exc:
            return Attempt(None, f"Connection failed ({type(exc).__name__})", time.monotonic() - started)
        return Attempt(response.status_code, excerpt, time.monotonic() - started)

    def _record(self, results: list[tuple[Claimed, Attempt]], stats: DeliveryStats) -> None:
        now = self.clock.now()
        with transaction(self.session_factory) as session:
            for item, attempt in results:
                outcome = self._record_one(session, item, attempt, now)
                if outcome is None:
                    stats.lost_leases += 1
                    log.warning("webhook.lease_lost", delivery_id=item.id)
                    continue
                record_outgoing_webhook("refused" if attempt.refused else outcome, attempt.seconds)
                setattr(stats, outcome, getattr(stats, outcome) + 1)
                if outcome == "failed" and self._disable_if_failing(session, item, attempt, now):
                    stats.disabled_endpoints.append(item.endpoint_id)

    def _record_one(self, session: Session, item: Claimed, attempt: Attempt, now: datetime) -> str | None:
        values: dict[str, object] = {
            "claimed_by": None,
            "lease_expires_at": None,
            "last_response_code": attempt.status_code,
            "last_response_excerpt": attempt.excerpt,
            "last_duration_ms": None if attempt.seconds is None else int(attempt.seconds * 1000),
        }
        if attempt.ok:
            outcome = "delivered"
            values = {**values, "status": "delivered", "delivered_at": now, "next_attempt_at": None}
        elif item.attempts >= MAX_ATTEMPTS:
            outcome, values = "failed", {**values, "status": "failed", "next_attempt_at": None}
        else:
            retry_at = now + RETRY_DELAYS[item.attempts - 1]
            outcome, values = "retried", {**values, "status": "pending", "next_attempt_at": retry_at}
        done = session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == item.id,
                WebhookDelivery.status == "sending",
                WebhookDelivery.claimed_by == item.token,
            )
            .values(**values)
        )
        if not done.rowcount:
            return None
        endpoint = WebhookEndpoint.id == item.endpoint_id
        if attempt.ok:
            session.execute(update(WebhookEndpoint).where(endpoint).values(last_success_at=now, failing_since=None))
        else:
            session.execute(
                update(WebhookEndpoint)
                .where(and_(endpoint, WebhookEndpoint.failing_since.is_(None)))
                .values(failing_since=now)
            )
        return outcome

    def _disable_if_failing(self, session: Session, item: Claimed, attempt: Attempt, now: datetime) -> bool:
        """Disable the endpoint when it has answered no 2xx since this delivery was queued (~3 days)."""
        endpoint = session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.id == item.endpoint_id).with_for_update()
        ).first()
        if endpoint is None or not endpoint.enabled:
            return False
        if endpoint.last_success_at is not None and endpoint.last_success_at >= item.created_at:
            return False
        since = endpoint.failing_since or item.created_at
        answer = f"HTTP {attempt.status_code}" if attempt.status_code is not None else attempt.excerpt
        endpoint.enabled = False
        endpoint.disabled_at = now
        endpoint.disabled_reason = (
            f"Every delivery attempt failed since {since:%Y-%m-%d %H:%M} UTC; the last answer was: {answer[:200]}"
        )
        endpoint.updated_at = now
        # What was still waiting is not sent to a disabled endpoint; each can be resent from the log.
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "pending")
            .values(status="failed", next_attempt_at=None, last_response_excerpt="Not sent: the endpoint was disabled")
        )
        notify_disabled(session, endpoint, last_answer=answer[:200], settings=self.settings, clock=self.clock)
        log.warning("webhook.endpoint_disabled", endpoint_id=endpoint.id, account_id=endpoint.account_id)
        return True


def _excerpt(response: httpx.Response) -> str:
    """The start of the answer, for the delivery log; the rest is never read."""
    if response.is_redirect:
        location = response.headers.get("location", "")[:200]
        return f"Redirect not followed (Location: {location})"
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= EXCERPT_BYTES:
            break
    text = b"".join(chunks)[:EXCERPT_BYTES].decode("utf-8", errors="replace")
    return text.replace("\x00", "\ufffd")
