"""The QuickBooks Online sync through its query endpoint (STARTPOSITION/MAXRESULTS paging, incremental by
Metadata.LastUpdatedTime), answered by respx in the documented QueryResponse shape."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from duespark.models import AccountingConnection, AccountingLink, Invoice
from tests.accounting.payloads import QBO_QUERY_URL, QBO_REALM, connect, qbo_customer, qbo_invoice, qbo_query_body


def serve_queries(books, customers: list, invoices: dict):
    """Answers each query by its entity and STARTPOSITION, as QuickBooks pages."""

    def answer(request: httpx.Request) -> httpx.Response:
        query = request.url.params["query"]
        start = int(query.split("STARTPOSITION ")[1].split(" ")[0])
        if "FROM Customer" in query:
            rows = customers[start - 1 : start + 99]
            return httpx.Response(200, json=qbo_query_body("Customer", rows, start))
        rows = invoices["rows"][start - 1 : start + 99]
        return httpx.Response(200, json=qbo_query_body("Invoice", rows, start))

    return books.get(QBO_QUERY_URL).mock(side_effect=answer)


def test_first_sync_pages_then_incremental_records_payments(session, account, settings, clock, books, run_sync):
    connection = connect(
        session, account=account, settings=settings, clock=clock, provider="quickbooks", expires_in=timedelta(days=1)
    )
    invoices = {"rows": [qbo_invoice(n, customer=1 + n % 3) for n in range(1, 131)]}
    route = serve_queries(books, [qbo_customer(1), qbo_customer(2), qbo_customer(3)], invoices)

    [outcome] = run_sync()

    assert outcome.status == "done"
    queries = [call.request.url.params["query"] for call in route.calls]
    assert queries == [
        "SELECT * FROM Customer STARTPOSITION 1 MAXRESULTS 100",
        "SELECT * FROM Invoice WHERE Balance > '0' STARTPOSITION 1 MAXRESULTS 100",
        "SELECT * FROM Invoice WHERE Balance > '0' STARTPOSITION 101 MAXRESULTS 100",
    ]
    assert route.calls[1].request.url.params["minorversion"] == "75"
    found = {i.number: i for i in session.scalars(select(Invoice).where(Invoice.account_id == account.id))}
    assert len(found) == 130
    first = found["1001"]
    assert (first.amount_minor, first.currency, first.external_id) == (36_207, "USD", f"quickbooks:{QBO_REALM}:101")
    link = session.scalars(
        select(AccountingLink).where(AccountingLink.kind == "invoice", AccountingLink.local_id == first.id)
    ).one()
    assert link.online_url == "https://app.qbo.intuit.com/app/customer/pay?txnId=101"

    clock.advance(timedelta(minutes=15))
    invoices["rows"] = [qbo_invoice(1, balance=100.00), qbo_invoice(2, balance=0)]
    run_sync()

    assert route.calls[-1].request.url.params["query"] == (
        "SELECT * FROM Invoice WHERE Metadata.LastUpdatedTime > '2026-11-25T09:55:00Z' STARTPOSITION 1 MAXRESULTS 100"
    )
    session.expire_all()
    one, two = session.get(Invoice, found["1001"].id), session.get(Invoice, found["1002"].id)
    assert (one.status, one.amount_paid_minor) == ("partially_paid", 26_207)
    assert (two.status, two.amount_paid_minor) == ("paid", 36_207)
    assert session.get(AccountingConnection, connection.id).last_result["counts"] == {"payments_recorded": 2}


def test_voided_in_quickbooks_is_voided_here(session, account, settings, clock, books, run_sync):
    connect(session, account=account, settings=settings, clock=clock, provider="quickbooks")
    invoices = {"rows": [qbo_invoice(1)]}
    serve_queries(books, [], invoices)
    run_sync()

    clock.advance(timedelta(minutes=15))
    voided = qbo_invoice(1, total=0, balance=0)
    voided["PrivateNote"] = "Voided"
    invoices["rows"] = [voided]
    run_sync()

    session.expire_all()
    assert session.scalars(select(Invoice.status).where(Invoice.account_id == account.id)).one() == "void"
