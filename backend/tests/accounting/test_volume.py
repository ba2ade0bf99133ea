"""A first sync of N invoices from a mocked Xero or QuickBooks: time and peak memory (tracemalloc), then a
re-run that changes nothing. DUESPARK_SYNC_VOLUME=5000 for the large run; the default keeps the test short."""

from __future__ import annotations

import os
import time
import tracemalloc
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from duespark.models import Invoice, Payment
from tests.accounting.payloads import (
    QBO_QUERY_URL,
    connect,
    qbo_customer,
    qbo_invoice,
    qbo_query_body,
    xero_body,
    xero_contact,
    xero_invoice,
)

VOLUME = int(os.environ.get("DUESPARK_SYNC_VOLUME", "300"))
CONTACTS = 50


def serve_xero(books) -> None:
    contacts = [xero_contact(n) for n in range(1, CONTACTS + 1)]
    invoices = [xero_invoice(n, contact=1 + n % CONTACTS, total=100.00 + n) for n in range(1, VOLUME + 1)]

    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        resource = request.url.path.rsplit("/", 1)[1]
        rows = contacts if resource == "Contacts" else invoices
        return httpx.Response(200, json=xero_body(resource, rows[(page - 1) * 100 : page * 100]))

    books.route(method="GET", host="api.xero.com").mock(side_effect=answer)


def serve_quickbooks(books) -> None:
    customers = [qbo_customer(n) for n in range(1, CONTACTS + 1)]
    invoices = [qbo_invoice(n, customer=1 + n % CONTACTS, total=100.00 + n) for n in range(1, VOLUME + 1)]

    def answer(request: httpx.Request) -> httpx.Response:
        query = request.url.params["query"]
        start = int(query.split("STARTPOSITION ")[1].split(" ")[0])
        entity, rows = ("Customer", customers) if "FROM Customer" in query else ("Invoice", invoices)
        # An incremental query (the re-run) finds nothing changed since the first run.
        rows = [] if "LastUpdatedTime" in query else rows
        return httpx.Response(200, json=qbo_query_body(entity, rows[start - 1 : start + 99], start))

    books.get(QBO_QUERY_URL).mock(side_effect=answer)


@pytest.mark.parametrize("provider", ["xero", "quickbooks"])
def test_volume_first_sync_and_rerun(provider, session, account, settings, clock, books, run_sync, database_url):
    connect(session, account=account, settings=settings, clock=clock, provider=provider, expires_in=timedelta(days=1))
    (serve_xero if provider == "xero" else serve_quickbooks)(books)

    tracemalloc.start()
    started = time.perf_counter()
    outcomes = run_sync(max_pages=None)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    where = database_url.split(":")[0]
    print(f"\n{provider} sync of {VOLUME} invoices on {where}: {elapsed:.1f} s, peak {peak / 2**20:.1f} MiB")

    assert [o.status for o in outcomes] == ["done"]
    count = select(func.count()).select_from(Invoice).where(Invoice.account_id == account.id)
    assert session.scalar(count) == VOLUME

    clock.advance(timedelta(minutes=15))
    run_sync(max_pages=None)

    assert session.scalar(count) == VOLUME
    assert session.scalar(select(func.count()).select_from(Payment)) == 0
