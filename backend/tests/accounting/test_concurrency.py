"""Invariant 11 on PostgreSQL for the accounting sync: a payment seen in the books racing a manual payment of
the same invoice, and two workers syncing the same connection at once. Real connections and commits: every
trial equals one of the serial outcomes (one payment, the invoice paid once; one sync run, no twin rows)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from duespark import migrate
from duespark.accounting import tasks
from duespark.app import create_app
from duespark.clock import FixedClock
from duespark.db import make_engine, transaction
from duespark.invoices.service import apply_payment
from duespark.models import Account, AccountingConnection, AccountingLink, Invoice, Payment
from tests.accounting.payloads import connect, xero_body, xero_invoice
from tests.conftest import TEST_NOW, create_postgres_database, drop_postgres_database, make_test_settings
from tests.helpers import register

TRIALS = 8


@dataclass
class Env:
    http: TestClient
    session_factory: object
    settings: object
    clock: FixedClock
    headers: dict[str, str]
    account_id: int


@pytest.fixture(scope="module")
def env(postgres_server_url, tmp_path_factory) -> Iterator[Env]:
    url = create_postgres_database(postgres_server_url)
    engine = make_engine(url, pool_size=2)
    migrate.upgrade(engine)
    engine.dispose()
    settings = make_test_settings(
        tmp_path_factory.mktemp("sync-races"), url, xero_client_id="XERO-APP-ID", xero_client_secret="s3cret-value"
    )
    clock = FixedClock(TEST_NOW)
    app = create_app(settings, clock)
    try:
        with TestClient(app) as http:
            user = register(http)
            created = http.post("/api/tokens", headers=user["headers"], json={"name": "races"})
            token = {"Authorization": f"Bearer {created.json()['token']}"}
            with transaction(app.state.session_factory) as session:
                account_id = session.scalars(select(Account.id)).one()
            yield Env(http, app.state.session_factory, settings, clock, token, account_id)
    finally:
        app.state.engine.dispose()
        drop_postgres_database(postgres_server_url, url)


def _sync(env: Env, connection_id: int) -> tasks.SyncOutcome:
    with httpx.Client() as http:
        return tasks.sync_connection(
            env.session_factory,
            settings=env.settings,
            clock=env.clock,
            connection_id=connection_id,
            http=http,
            sleep=lambda seconds: None,
        )


def _due(env: Env, connection_id: int) -> None:
    with transaction(env.session_factory) as session:
        session.get(AccountingConnection, connection_id).next_sync_at = env.clock.now()


def _together(*jobs):
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index, job):
        barrier.wait()
        results[index] = job()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
def test_payment_in_the_books_racing_a_manual_payment(env: Env):
    with respx.mock(assert_all_called=False) as books:
        books.route(method="GET", host="api.xero.com", path="/api.xro/2.0/Contacts").mock(
            return_value=httpx.Response(200, json=xero_body("Contacts", []))
        )
        pages: dict[int, list] = {}
        books.route(method="GET", host="api.xero.com", path="/api.xro/2.0/Invoices").mock(
            side_effect=lambda request: httpx.Response(200, json=xero_body("Invoices", pages.get(1, [])))
        )
        with transaction(env.session_factory) as session:
            account = session.get(Account, env.account_id)
            connection_id = connect(
                session, account=account, settings=env.settings, clock=env.clock, expires_in=timedelta(days=1)
            ).id
        for trial in range(1, TRIALS + 1):
            n = 1000 + trial
            pages[1] = [xero_invoice(n, total=100.00)]
            _due(env, connection_id)
            assert _sync(env, connection_id).status == "done"
            with transaction(env.session_factory, write=False) as session:
                invoice_id = session.scalars(select(Invoice.id).where(Invoice.number == f"INV-{n:04d}")).one()
            _due(env, connection_id)
            pages[1] = [xero_invoice(n, total=100.00, paid=100.00, status="PAID")]

            def manual(invoice_id=invoice_id):
                return env.http.post(
                    f"/api/invoices/{invoice_id}/payments", headers=env.headers, json={"amount": "100.00"}
                ).status_code

            outcome, status = _together(lambda: _sync(env, connection_id), manual)

            assert outcome.status == "done" and status in (201, 409)
            with transaction(env.session_factory, write=False) as session:
                invoice = session.get(Invoice, invoice_id)
                paid = session.scalars(select(Payment.amount_minor).where(Payment.invoice_id == invoice_id)).all()
            assert (invoice.status, invoice.amount_paid_minor, paid) == ("paid", 10_000, [10_000]), trial


@pytest.mark.postgres
def test_two_workers_syncing_one_connection(env: Env):
    with respx.mock(assert_all_called=False) as books:
        books.route(method="GET", host="api.xero.com").mock(
            side_effect=lambda request: httpx.Response(
                200,
                json=xero_body(
                    request.url.path.rsplit("/", 1)[1],
                    [xero_invoice(5000 + k) for k in range(20)] if request.url.path.endswith("Invoices") else [],
                ),
            )
        )
        with transaction(env.session_factory) as session:
            connection = session.scalars(
                select(AccountingConnection).where(AccountingConnection.account_id == env.account_id)
            ).first()
            if connection is None:
                connection = connect(
                    session,
                    account=session.get(Account, env.account_id),
                    settings=env.settings,
                    clock=env.clock,
                    expires_in=timedelta(days=1),
                )
            connection.next_sync_at = env.clock.now()
            connection_id = connection.id

        first, second = _together(lambda: _sync(env, connection_id), lambda: _sync(env, connection_id))

        assert sorted([first.status, second.status]) == ["done", "skipped"]
        with transaction(env.session_factory, write=False) as session:
            count = session.scalar(select(func.count()).select_from(Invoice).where(Invoice.number.like("INV-50%")))
        assert count == 20


@pytest.mark.postgres
def test_two_workers_write_a_stripe_payment_back_once(env: Env):
    """Each trial: a card payment on an invoice from the books, then two workers syncing at once."""
    written: dict[str, int] = {}

    def xero_payment(request: httpx.Request) -> httpx.Response:
        key = request.headers["Idempotency-Key"]
        written[key] = written.get(key, 0) + 1
        return httpx.Response(200, json={"Status": "OK", "Payments": [{"PaymentID": f"xp-{key}"}]})

    with respx.mock(assert_all_called=False) as books:
        pages: dict[int, list] = {}
        books.route(method="GET", host="api.xero.com").mock(
            side_effect=lambda request: httpx.Response(
                200,
                json=xero_body(
                    request.url.path.rsplit("/", 1)[1],
                    pages.get(1, []) if request.url.path.endswith("Invoices") else [],
                ),
            )
        )
        books.post("https://api.xero.com/api.xro/2.0/Payments").mock(side_effect=xero_payment)
        with transaction(env.session_factory) as session:
            connection = session.scalars(
                select(AccountingConnection).where(AccountingConnection.account_id == env.account_id)
            ).first() or connect(
                session,
                account=session.get(Account, env.account_id),
                settings=env.settings,
                clock=env.clock,
                expires_in=timedelta(days=1),
            )
            connection.write_back_since, connection.payment_account = env.clock.now(), "090"
            connection_id = connection.id
        for trial in range(1, TRIALS + 1):
            n = 3000 + trial
            pages[1] = [xero_invoice(n, total=100.00)]
            _due(env, connection_id)
            assert _sync(env, connection_id).status == "done"
            with transaction(env.session_factory) as session:
                invoice = session.scalars(select(Invoice).where(Invoice.number == f"INV-{n:04d}")).one()
                payment_id = apply_payment(
                    session,
                    invoice=invoice,
                    amount_minor=10_000,
                    method="stripe",
                    paid_at=env.clock.now(),
                    clock=env.clock,
                    external_reference=f"pi_race_{trial}",
                ).id
            pages[1] = [xero_invoice(n, total=100.00, paid=100.00, status="PAID")]
            _due(env, connection_id)

            first, second = _together(lambda: _sync(env, connection_id), lambda: _sync(env, connection_id))

            assert sorted([first.status, second.status]) == ["done", "skipped"], trial
            assert written[f"duespark-{connection_id}-payment-{payment_id}"] == 1, trial
            with transaction(env.session_factory, write=False) as session:
                links = session.scalars(
                    select(AccountingLink.external_id).where(
                        AccountingLink.kind == "payment", AccountingLink.local_id == payment_id
                    )
                ).all()
                paid = session.scalars(select(Payment.method).where(Payment.invoice_id == invoice.id)).all()
            assert (links, paid) == ([f"xp-duespark-{connection_id}-payment-{payment_id}"], ["stripe"]), trial
