"""Two workers claiming outgoing webhooks at the same moment on PostgreSQL (real commits, two engines):
every delivery reaches the receiver exactly once, and one invoice's events never overlap or reorder."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from duespark import migrate
from duespark.clock import FixedClock
from duespark.db import make_engine, make_session_factory, transaction
from duespark.models import WebhookDelivery
from duespark.outgoing_webhooks import service
from duespark.outgoing_webhooks.delivery import Deliverer
from duespark.outgoing_webhooks.events import Event, enqueue
from duespark.outgoing_webhooks.schemas import EndpointCreate
from tests.conftest import create_postgres_database, drop_postgres_database, make_test_settings
from tests.helpers import make_account

TRIALS = 2
INVOICES = 30
EVENTS_PER_INVOICE = 3
LOOSE = 60  # events without an ordering key


def open_deliveries(factory) -> int:
    """How many are still to send; fails at once on a retry, which a fixed clock would never make due again."""
    with transaction(factory, write=False) as session:
        rows = session.execute(
            select(
                WebhookDelivery.id,
                WebhookDelivery.status,
                WebhookDelivery.attempts,
                WebhookDelivery.last_response_excerpt,
            ).where(WebhookDelivery.status.in_(("pending", "sending")))
        ).all()
    retried = [(row.id, row.last_response_excerpt) for row in rows if row.status == "pending" and row.attempts]
    assert not retried, f"attempts failed and were put back for later: {retried[:3]}"
    return len(rows)


@pytest.fixture(scope="module")
def database(postgres_server_url):
    url = create_postgres_database(postgres_server_url)
    engine = make_engine(url, pool_size=4)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    drop_postgres_database(postgres_server_url, url)


def test_two_workers_never_deliver_one_delivery_twice(database, receiver, tmp_path):
    settings = make_test_settings(
        tmp_path, database, webhooks_allow_private_targets=True, webhook_concurrency=8, webhook_timeout_seconds=30
    )
    clock = FixedClock(datetime.now(UTC))
    engines = [make_engine(database, pool_size=2) for _ in range(2)]
    factories = [make_session_factory(engine) for engine in engines]
    receiver.delay = 0.01  # widen the window in which both workers are busy
    try:
        with transaction(factories[0]) as session:
            account = make_account(session, clock=clock)
            endpoint, _ = service.create_endpoint(
                session,
                account_id=account.id,
                data=EndpointCreate(url=receiver.url(), event_types=["invoice.updated"]),
                settings=settings,
                clock=clock,
            )
            account_id, endpoint_id = account.id, endpoint.id
        for trial in range(TRIALS):
            receiver.requests.clear()
            with transaction(factories[0]) as session:
                events = [
                    Event(
                        account_id, "invoice.updated", {"invoice": f"{trial}-{i}", "seq": seq}, f"invoice:{trial}-{i}"
                    )
                    for seq in range(EVENTS_PER_INVOICE)
                    for i in range(INVOICES)
                ]
                events += [Event(account_id, "invoice.updated", {"loose": n}) for n in range(LOOSE)]
                enqueue(session, events, now=clock.now(), endpoint_ids=[endpoint_id])
            barrier = threading.Barrier(2)
            errors: list[BaseException] = []

            def work(factory, barrier=barrier, errors=errors):
                try:
                    barrier.wait()
                    worker = Deliverer(session_factory=factory, settings=settings, clock=clock)
                    deadline = time.monotonic() + 240
                    # Until nothing is open: a run can find all that is left waiting behind the other's claims.
                    while time.monotonic() < deadline:
                        if worker.run().claimed:
                            continue
                        if not open_deliveries(factory):
                            break
                        time.sleep(0.01)  # the rest waits behind the other's claims: let it work
                except BaseException as exc:  # reported by the assertion below
                    errors.append(exc)

            threads = [threading.Thread(target=work, args=(f,)) for f in factories]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=300)
            assert not any(thread.is_alive() for thread in threads), "the workers did not finish in 5 minutes"
            assert not errors, errors
            counts = Counter(r.headers["webhook-id"] for r in receiver.requests)
            assert len(counts) == INVOICES * EVENTS_PER_INVOICE + LOOSE
            assert max(counts.values()) == 1, [k for k, v in counts.items() if v > 1][:5]
            by_invoice: dict[str, list] = {}
            for request in sorted(receiver.requests, key=lambda r: r.started):
                data = json.loads(request.body)["data"]
                if "invoice" in data:
                    by_invoice.setdefault(data["invoice"], []).append((data["seq"], request.started, request.finished))
            for key, seen in by_invoice.items():
                assert [seq for seq, _, _ in seen] == list(range(EVENTS_PER_INVOICE)), key
                # The next one started only after the previous one's answer was sent.
                assert all(later[1] >= earlier[2] for earlier, later in itertools.pairwise(seen)), key
            with transaction(factories[0], write=False) as session:
                statuses = Counter(session.scalars(select(WebhookDelivery.status)))
            assert set(statuses) == {"delivered"}
    finally:
        for engine in engines:
            engine.dispose()
