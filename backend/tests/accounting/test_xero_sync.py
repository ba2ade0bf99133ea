"""The Xero sync end to end, with Xero's API answered by respx on its documented shapes."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
from sqlalchemy import func, select

from duespark.accounting.service import request_tenant_syncs
from duespark.models import AccountingConnection, AuditEntry, Client, Invoice, Message, Payment, Reminder
from tests.accounting.payloads import (
    XERO_TENANT,
    XERO_TOKEN_URL,
    connect,
    xero_body,
    xero_contact,
    xero_invoice,
)
from tests.helpers import make_client, make_invoice


def serve(books, resource: str, pages: dict[int, list], *, key: str | None = None):
    """Xero's paged list: ?page=N, 100 a page; a page past the end is empty."""

    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        return httpx.Response(200, json=xero_body(key or resource, pages.get(page, [])))

    return books.route(method="GET", host="api.xero.com", path=f"/api.xro/2.0/{resource}").mock(side_effect=answer)


def invoices_of(session, account):
    session.expire_all()
    return {i.number: i for i in session.scalars(select(Invoice).where(Invoice.account_id == account.id))}


def due_again(session, connection, clock):
    session.expire_all()
    row = session.get(AccountingConnection, connection.id)
    row.next_sync_at = clock.now()
    session.flush()


def test_first_sync_imports_contacts_and_open_invoices_and_rerun_changes_nothing(
    session, account, settings, clock, books, run_sync
):
    connection = connect(session, account=account, settings=settings, clock=clock)
    serve(books, "Contacts", {1: [xero_contact(1), xero_contact(2)]})
    invoices = serve(
        books,
        "Invoices",
        {1: [xero_invoice(1, contact=1, total=1250.00), xero_invoice(2, contact=2, total=99.5, currency="USD")]},
    )

    [outcome] = run_sync()

    assert outcome.status == "done"
    request = invoices.calls[0].request
    assert request.headers["xero-tenant-id"] == XERO_TENANT
    assert request.headers["Authorization"] == "Bearer access-1"
    assert request.url.params["Statuses"] == "AUTHORISED"
    assert request.url.params["where"] == 'Type=="ACCREC"'
    assert "If-Modified-Since" not in request.headers
    found = invoices_of(session, account)
    assert sorted(found) == ["INV-0001", "INV-0002"]
    first = found["INV-0001"]
    assert (first.amount_minor, first.currency, first.status) == (125_000, "EUR", "open")
    assert (first.issue_date.isoformat(), first.due_date.isoformat()) == ("2026-11-01", "2026-12-01")
    assert first.external_id == f"xero:{XERO_TENANT}:i0000001-0000-4000-8000-000000000000"
    assert found["INV-0002"].amount_minor == 9_950
    clients = session.scalars(select(Client).where(Client.account_id == account.id).order_by(Client.name)).all()
    assert [(c.name, c.email) for c in clients] == [
        ("Customer 1", "ap1@customer.test"),
        ("Customer 2", "ap2@customer.test"),
    ]
    row = session.get(AccountingConnection, connection.id)
    assert row.last_result["counts"] == {"clients_created": 2, "invoices_created": 2}
    assert row.cursor is None and row.modified_since == clock.now()
    assert row.next_sync_at == clock.now() + timedelta(minutes=15)

    clock.advance(timedelta(minutes=15))
    [again] = run_sync()

    assert again.status == "done"
    # The second run asks only for what changed since the first began (less five minutes of overlap).
    assert invoices.calls[-1].request.headers["If-Modified-Since"] == "2026-11-25T09:55:00"
    assert "Statuses" not in invoices.calls[-1].request.url.params
    assert session.scalar(select(func.count()).select_from(Invoice).where(Invoice.account_id == account.id)) == 2
    assert session.scalar(select(func.count()).select_from(Client).where(Client.account_id == account.id)) == 2
    session.expire_all()
    assert session.get(AccountingConnection, connection.id).last_result["counts"] == {}


def test_contacts_match_existing_clients_by_email_then_name(session, account, settings, clock, books, run_sync):
    by_email = make_client(session, account=account, clock=clock, name="Old name", email="AP1@customer.test")
    by_name = make_client(session, account=account, clock=clock, name="customer 2", email=None)
    connect(session, account=account, settings=settings, clock=clock)
    serve(books, "Contacts", {1: [xero_contact(1), xero_contact(2, email="")]})
    serve(books, "Invoices", {})

    run_sync()

    session.expire_all()
    clients = session.scalars(select(Client).where(Client.account_id == account.id).order_by(Client.id)).all()
    assert [c.id for c in clients] == [by_email.id, by_name.id]
    # Matching links the user's own client as it is; later changes in the books follow.
    assert clients[0].name == "Old name"


def test_pages_of_100_and_a_crash_resumes_at_the_next_page(session, account, settings, clock, books, run_sync):
    connection = connect(session, account=account, settings=settings, clock=clock)
    serve(books, "Contacts", {})
    first_page = [xero_invoice(n) for n in range(1, 101)]
    second_page = [xero_invoice(n) for n in range(101, 151)]
    failing = {"left": 1}

    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        if page == 2 and failing["left"]:
            failing["left"] -= 1
            return httpx.Response(500, json={"Message": "An error occurred"})
        return httpx.Response(200, json=xero_body("Invoices", {1: first_page, 2: second_page}.get(page, [])))

    route = books.route(method="GET", host="api.xero.com", path="/api.xro/2.0/Invoices").mock(side_effect=answer)

    [stopped] = run_sync()

    assert stopped.status == "resumable"
    assert len(invoices_of(session, account)) == 100
    row = session.get(AccountingConnection, connection.id)
    assert row.cursor["phase"] == "invoices" and row.cursor["page"] == 2
    assert row.last_error == "api.xero.com answered 500"

    clock.advance(timedelta(minutes=15))
    [resumed] = run_sync()

    assert resumed.status == "done"
    assert [int(c.request.url.params["page"]) for c in route.calls] == [1, 2, 2]
    assert len(invoices_of(session, account)) == 150


def test_429_waits_as_retry_after_says(session, account, settings, clock, books, run_sync):
    connect(session, account=account, settings=settings, clock=clock)
    serve(books, "Contacts", {})
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(200, json=xero_body("Invoices", [xero_invoice(1)])),
        ]
    )
    books.route(method="GET", host="api.xero.com", path="/api.xro/2.0/Invoices").mock(
        side_effect=lambda request: next(answers)
    )

    [outcome] = run_sync()

    assert outcome.status == "done"
    assert run_sync.slept == [7.0]
    assert len(invoices_of(session, account)) == 1


def test_429_past_the_bound_stops_with_the_cursor_kept(session, account, settings, clock, books, run_sync):
    connection = connect(session, account=account, settings=settings, clock=clock)
    books.route(method="GET", host="api.xero.com", path="/api.xro/2.0/Contacts").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "3600"})
    )

    [outcome] = run_sync()

    assert outcome.status == "resumable"
    assert run_sync.slept == []
    session.expire_all()
    row = session.get(AccountingConnection, connection.id)
    assert row.cursor["phase"] == "contacts" and row.next_sync_at == clock.now() + timedelta(seconds=3600)


def test_token_refreshed_before_expiry_and_after_a_401(session, account, settings, clock, books, run_sync):
    connection = connect(session, account=account, settings=settings, clock=clock, expires_in=timedelta(seconds=30))
    tokens = iter(["access-2", "access-3"])
    token_route = books.post(XERO_TOKEN_URL).mock(
        side_effect=lambda request: httpx.Response(
            200,
            json={
                "access_token": next(tokens),
                "refresh_token": "refresh-next",
                "expires_in": 1800,
                "token_type": "Bearer",
            },
        )
    )
    contact_answers = iter([httpx.Response(401, json={"Title": "Unauthorized"})])
    books.route(method="GET", host="api.xero.com", path="/api.xro/2.0/Contacts").mock(
        side_effect=lambda request: next(contact_answers, httpx.Response(200, json=xero_body("Contacts", [])))
    )
    serve(books, "Invoices", {})

    [outcome] = run_sync()

    assert outcome.status == "done"
    assert len(token_route.calls) == 2
    assert b"grant_type=refresh_token" in token_route.calls[0].request.content
    assert b"refresh_token=refresh-1" in token_route.calls[0].request.content
    assert b"refresh_token=refresh-next" in token_route.calls[1].request.content
    session.expire_all()
    row = session.get(AccountingConnection, connection.id)
    assert row.status == "connected"
    assert row.token_expires_at == clock.now() + timedelta(seconds=1800)
    assert "access-3" not in row.access_token_encrypted


def test_401_after_refresh_marks_needs_reconnect_and_emails_the_owner(
    session, account, settings, clock, books, run_sync
):
    connection = connect(session, account=account, settings=settings, clock=clock)
    books.post(XERO_TOKEN_URL).mock(
        return_value=httpx.Response(
            200, json={"access_token": "access-2", "refresh_token": "r2", "expires_in": 1800, "token_type": "Bearer"}
        )
    )
    books.route(method="GET", host="api.xero.com", path="/api.xro/2.0/Contacts").mock(
        return_value=httpx.Response(401, json={"Title": "Unauthorized"})
    )

    [outcome] = run_sync()

    assert outcome.status == "needs_reconnect"
    session.expire_all()
    row = session.get(AccountingConnection, connection.id)
    assert row.status == "needs_reconnect"
    assert row.last_error == "Connect Xero again: the provider refused the refreshed token"
    [email] = session.scalars(select(Message).where(Message.account_id == account.id)).all()
    assert (email.kind, email.subject) == ("accounting_reconnect", "Connect Xero again")
    assert run_sync() == []


def test_revoked_refresh_token_needs_reconnect(session, account, settings, clock, books, run_sync):
    connection = connect(session, account=account, settings=settings, clock=clock, expires_in=timedelta(0))
    books.post(XERO_TOKEN_URL).mock(return_value=httpx.Response(400, json={"error": "invalid_grant"}))

    [outcome] = run_sync()

    assert outcome.status == "needs_reconnect"
    session.expire_all()
    assert session.get(AccountingConnection, connection.id).status == "needs_reconnect"


def test_payment_in_the_books_stops_reminders_and_thanks_the_client(session, account, settings, clock, books, run_sync):
    connect(session, account=account, settings=settings, clock=clock, expires_in=timedelta(days=1))
    serve(books, "Contacts", {1: [xero_contact(1)]})
    invoice_pages = {1: [xero_invoice(1, total=500.00)]}
    serve(books, "Invoices", invoice_pages)
    run_sync()
    invoice = invoices_of(session, account)["INV-0001"]
    pending = (
        select(func.count()).select_from(Reminder).where(Reminder.invoice_id == invoice.id, Reminder.state == "pending")
    )
    assert session.scalar(pending) > 0

    clock.advance(timedelta(minutes=15))
    invoice_pages[1] = [xero_invoice(1, total=500.00, paid=200.00)]
    run_sync()
    invoice = invoices_of(session, account)["INV-0001"]
    assert (invoice.status, invoice.amount_paid_minor) == ("partially_paid", 20_000)

    clock.advance(timedelta(minutes=15))
    invoice_pages[1] = [xero_invoice(1, total=500.00, paid=500.00, status="PAID")]
    run_sync()
    run_sync()  # nothing new: no second payment

    invoice = invoices_of(session, account)["INV-0001"]
    assert (invoice.status, invoice.amount_paid_minor) == ("paid", 50_000)
    payments = session.scalars(select(Payment).where(Payment.invoice_id == invoice.id).order_by(Payment.id)).all()
    assert [(p.amount_minor, p.method, p.note) for p in payments] == [
        (20_000, "other", "Paid in Xero"),
        (30_000, "other", "Paid in Xero"),
    ]
    assert session.scalar(pending) == 0
    kinds = session.scalars(select(Message.kind).where(Message.invoice_id == invoice.id)).all()
    assert kinds == ["thank_you"]


def test_credit_note_lowers_the_amount_and_void_cancels_reminders(session, account, settings, clock, books, run_sync):
    connect(session, account=account, settings=settings, clock=clock)
    serve(books, "Contacts", {})
    pages = {1: [xero_invoice(1, total=500.00), xero_invoice(2, total=80.00)]}
    serve(books, "Invoices", pages)
    run_sync()

    clock.advance(timedelta(minutes=15))
    pages[1] = [xero_invoice(1, total=500.00, credited=120.00), xero_invoice(2, total=80.00, status="VOIDED")]
    run_sync()

    found = invoices_of(session, account)
    assert (found["INV-0001"].amount_minor, found["INV-0001"].status) == (38_000, "open")
    assert found["INV-0002"].status == "void"
    states = session.scalars(select(Reminder.state).where(Reminder.invoice_id == found["INV-0002"].id)).all()
    assert states and set(states) == {"canceled"}


def test_books_win_a_conflict_and_the_timeline_says_so(session, account, settings, clock, books, run_sync):
    connect(session, account=account, settings=settings, clock=clock)
    serve(books, "Contacts", {})
    pages = {1: [xero_invoice(1)]}
    serve(books, "Invoices", pages)
    run_sync()
    clock.advance(timedelta(minutes=5))
    invoice = invoices_of(session, account)["INV-0001"]
    invoice.due_date = invoice.due_date + timedelta(days=10)  # edited in DueSpark
    invoice.updated_at = clock.now()
    session.flush()

    clock.advance(timedelta(minutes=15))
    pages[1] = [xero_invoice(1, due=date(2026, 12, 20))]
    run_sync()

    invoice = invoices_of(session, account)["INV-0001"]
    assert invoice.due_date.isoformat() == "2026-12-20"
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.entity_id == invoice.id, AuditEntry.action == "accounting.conflict")
    ).one()
    assert entry.changes == {
        "due_date": {"before": "2026-12-11", "after": "2026-12-20"},
        "source": "Xero",
    }
    assert entry.actor_label == "sync"


def test_invoice_typed_in_duespark_first_is_linked_not_duplicated(session, account, settings, clock, books, run_sync):
    client = make_client(session, account=account, clock=clock, name="Customer 1", email="ap1@customer.test")
    typed = make_invoice(session, client=client, clock=clock, number="INV-0001", amount_minor=125_000)
    connect(session, account=account, settings=settings, clock=clock)
    serve(books, "Contacts", {})
    serve(books, "Invoices", {1: [xero_invoice(1)]})

    run_sync()

    found = invoices_of(session, account)
    assert list(found) == ["INV-0001"] and found["INV-0001"].id == typed.id


def test_rows_it_cannot_take_are_listed_with_the_reason(session, account, settings, clock, books, run_sync):
    connection = connect(session, account=account, settings=settings, clock=clock)
    serve(books, "Contacts", {})
    broken = xero_invoice(2)
    broken["CurrencyCode"] = "XYZ"
    serve(books, "Invoices", {1: [xero_invoice(1), broken, {"InvoiceID": "x", "Type": "ACCREC"}]})

    run_sync()

    session.expire_all()
    result = session.get(AccountingConnection, connection.id).last_result
    assert result["counts"] == {"clients_created": 1, "invoices_created": 1, "errors": 2}
    assert result["errors"] == [
        {"kind": "invoice", "external_id": "x", "reason": "the invoice has no Contact"},
        {
            "kind": "invoice",
            "external_id": "i0000002-0000-4000-8000-000000000000",
            "reason": "unknown currency 'XYZ'",
        },
    ]


def test_a_sync_asked_for_during_a_run_runs_again_after_it(session, account, settings, clock, books, run_sync):
    connection = connect(session, account=account, settings=settings, clock=clock)
    serve(books, "Contacts", {})
    serve(books, "Invoices", {1: [xero_invoice(n) for n in range(1, 101)], 2: [xero_invoice(101)]})

    [paused] = run_sync(max_pages=2)  # contacts, then the first page of invoices

    assert paused.status == "resumable"
    # A webhook arrives while the run is half-way: the run ends, then syncs again at once.
    request_tenant_syncs(session, provider="xero", tenant_ids=[XERO_TENANT], now=clock.now())
    session.flush()
    [done] = run_sync()

    assert done.status == "done"
    session.expire_all()
    assert session.get(AccountingConnection, connection.id).next_sync_at == clock.now()
    clock.advance(timedelta(minutes=1))
    [again] = run_sync()
    assert again.status == "done"
    session.expire_all()
    assert session.get(AccountingConnection, connection.id).next_sync_at == clock.now() + timedelta(minutes=15)
