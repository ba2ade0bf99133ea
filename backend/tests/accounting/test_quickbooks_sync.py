"""The QuickBooks Online sync through its query endpoint (STARTPOSITION/MAXRESULTS paging, incremental by
Metadata.LastUpdatedTime), answered by respx in the documented QueryResponse shape."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from duespark.models import AccountingConnection, AccountingLink, Invoice
from tests.accounting.payloads import (
    QBO_CDC_URL,
    QBO_QUERY_URL,
    QBO_REALM,
    connect,
    qbo_cdc_body,
    qbo_customer,
    qbo_invoice,
    qbo_query_body,
)


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


def test_deleted_in_quickbooks_without_a_webhook_is_voided_by_the_next_run(
    session, account, settings, clock, books, run_sync
):
    """A deleted invoice never comes back from a query; change data capture says so at the end of the run."""
    connection = connect(session, account=account, settings=settings, clock=clock, provider="quickbooks")
    invoices = {"rows": [qbo_invoice(1), qbo_invoice(2)]}
    serve_queries(books, [], invoices)
    run_sync()
    # The first run takes everything owed: no change data capture.
    assert not books["qbo_cdc"].called

    clock.advance(timedelta(minutes=15))
    invoices["rows"] = []
    books.get(QBO_CDC_URL, name="qbo_cdc").mock(
        return_value=httpx.Response(200, json=qbo_cdc_body([qbo_invoice(2)], ["101", "999"]))
    )
    [outcome] = run_sync()

    assert outcome.status == "done"
    [call] = books["qbo_cdc"].calls
    assert dict(call.request.url.params) == {
        "entities": "Invoice",
        "changedSince": "2026-11-25T09:55:00Z",
        "minorversion": "75",
    }
    session.expire_all()
    statuses = dict(
        session.execute(select(Invoice.number, Invoice.status).where(Invoice.account_id == account.id)).all()
    )
    # 101 is invoice 1001; 999 was never linked here; the changed invoice 102 in the answer is left to the query.
    assert statuses == {"1001": "void", "1002": "open"}
    assert session.get(AccountingConnection, connection.id).last_result["counts"] == {"invoices_voided": 1}


def test_change_data_capture_looks_back_at_most_30_days(session, account, settings, clock, books, run_sync):
    connect(
        session, account=account, settings=settings, clock=clock, provider="quickbooks", expires_in=timedelta(days=60)
    )
    serve_queries(books, [], {"rows": [qbo_invoice(1)]})
    run_sync()
    clock.advance(timedelta(days=45))
    run_sync()
    [call] = books["qbo_cdc"].calls
    # 45 days idle: asked for the last 30 days less an hour, not for a window QuickBooks refuses.
    assert call.request.url.params["changedSince"] == (clock.now() - timedelta(days=30, hours=-1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def test_a_malformed_change_data_capture_answer_stops_the_run_with_its_cursor(
    session, account, settings, clock, books, run_sync
):
    connection = connect(session, account=account, settings=settings, clock=clock, provider="quickbooks")
    serve_queries(books, [], {"rows": [qbo_invoice(1)]})
    run_sync()
    clock.advance(timedelta(minutes=15))
    books.get(QBO_CDC_URL, name="qbo_cdc").mock(return_value=httpx.Response(200, json={"CDCResponse": "nope"}))
    [outcome] = run_sync()
    assert outcome.status == "resumable"
    session.expire_all()
    stored = session.get(AccountingConnection, connection.id)
    assert stored.last_error == "QuickBooks' change data capture answer has no CDCResponse"
    assert stored.cursor["phase"] == "invoices"
    assert session.scalars(select(Invoice.status).where(Invoice.account_id == account.id)).one() == "open"
