"""A first sync of N invoices from a mocked Xero: time and peak memory (tracemalloc), then a re-run that
changes nothing. DUESPARK_SYNC_VOLUME=5000 for the large run; the default keeps the test short."""

from __future__ import annotations

import os
import time
import tracemalloc
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from duespark.models import Invoice, Payment
from tests.accounting.payloads import connect, xero_body, xero_contact, xero_invoice

VOLUME = int(os.environ.get("DUESPARK_SYNC_VOLUME", "300"))


def test_volume_first_sync_and_rerun(session, account, settings, clock, books, run_sync, database_url):
    connect(session, account=account, settings=settings, clock=clock, expires_in=timedelta(days=1))
    contacts = [xero_contact(n) for n in range(1, 51)]
    invoices = [xero_invoice(n, contact=1 + n % 50, total=100.00 + n) for n in range(1, VOLUME + 1)]

    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        resource = request.url.path.rsplit("/", 1)[1]
        rows = contacts if resource == "Contacts" else invoices
        return httpx.Response(200, json=xero_body(resource, rows[(page - 1) * 100 : page * 100]))

    books.route(method="GET", host="api.xero.com").mock(side_effect=answer)

    tracemalloc.start()
    started = time.perf_counter()
    outcomes = run_sync(max_pages=None)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\nsync of {VOLUME} invoices on {database_url.split(':')[0]}: {elapsed:.1f} s, peak {peak / 2**20:.1f} MiB")

    assert [o.status for o in outcomes] == ["done"]
    count = select(func.count()).select_from(Invoice).where(Invoice.account_id == account.id)
    assert session.scalar(count) == VOLUME

    clock.advance(timedelta(minutes=15))
    run_sync(max_pages=None)

    assert session.scalar(count) == VOLUME
    assert session.scalar(select(func.count()).select_from(Payment)) == 0
