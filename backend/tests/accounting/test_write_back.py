"""Stripe payments written back to the books: the exact request each provider documents, once per payment
(idempotency key, link, a second run; two workers at once in test_concurrency.py), and only the payments it
should write."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from duespark.accounting import service
from duespark.accounting.registry import get_provider
from duespark.invoices.service import apply_payment
from duespark.models import Account, AccountingConnection, AccountingLink, AuditEntry, Invoice, Payment
from tests.accounting.payloads import (
    QBO_QUERY_URL,
    QBO_REALM,
    XERO_TENANT,
    connect,
    qbo_customer,
    qbo_invoice,
    qbo_query_body,
    xero_contact,
    xero_invoice,
)
from tests.accounting.test_xero_sync import due_again, serve
from tests.helpers import make_client, make_invoice, register

XERO_PAYMENTS = "https://api.xero.com/api.xro/2.0/Payments"
QBO_PAYMENT = f"https://quickbooks.api.intuit.com/v3/company/{QBO_REALM}/payment"
PAYMENT_ID = "b26fd49a-cbae-470a-a8f8-bcbc119e0379"


def xero_payment_answer(request: httpx.Request) -> httpx.Response:
    sent = json.loads(request.content)["Payments"][0]
    payment = {
        "PaymentID": PAYMENT_ID,
        "Date": "/Date(1764806400000+0000)/",
        "Amount": sent["Amount"],
        "Reference": sent["Reference"],
        "PaymentType": "ACCRECPAYMENT",
        "Status": "AUTHORISED",
        "Account": {"AccountID": "ac993f75-035b-433c-82e0-7b7a2d40802c", "Code": sent["Account"]["Code"]},
        "Invoice": {"InvoiceID": sent["Invoice"]["InvoiceID"], "InvoiceNumber": "INV-0001"},
    }
    return httpx.Response(200, json={"Id": "7f0a", "Status": "OK", "Payments": [payment]})


@pytest.fixture
def xero_linked(session, account, settings, clock, books, run_sync):
    """A Xero connection whose first sync brought INV-0001 (€1,250.00, open)."""
    connection = connect(session, account=account, settings=settings, clock=clock, expires_in=timedelta(days=2))
    serve(books, "Contacts", {1: [xero_contact(1)]})
    pages = {1: [xero_invoice(1, total=1250.00)]}
    serve(books, "Invoices", pages)
    run_sync()
    session.expire_all()
    invoice = session.scalars(select(Invoice).where(Invoice.account_id == account.id)).one()
    return connection, invoice, pages


def enable(session, connection, settings, clock, account: str | None = "090"):
    session.expire_all()
    service.update_settings(
        session,
        account_id=connection.account_id,
        provider=get_provider(settings, connection.provider),
        write_back_payments=True,
        payment_account=account,
        clock=clock,
    )
    session.commit()


def stripe_payment(session, invoice, clock, *, amount_minor=125_000, reference="pi_3QxLz2Kp9aBcDeFg0H1iJkLm"):
    payment = apply_payment(
        session,
        invoice=session.get(Invoice, invoice.id),
        amount_minor=amount_minor,
        method="stripe",
        paid_at=clock.now(),
        clock=clock,
        external_reference=reference,
    )
    session.commit()
    return payment


def test_xero_gets_the_stripe_payment_once_and_the_next_sync_changes_nothing(
    session, settings, clock, books, run_sync, xero_linked
):
    connection, invoice, pages = xero_linked
    enable(session, connection, settings, clock)
    clock.advance(timedelta(minutes=5))
    payment = stripe_payment(session, invoice, clock)
    route = books.post(XERO_PAYMENTS).mock(side_effect=xero_payment_answer)
    # The books, read after the write-back, show the invoice paid.
    pages[1] = [xero_invoice(1, total=1250.00, paid=1250.00, status="PAID")]
    due_again(session, connection, clock)

    [outcome] = run_sync()

    assert outcome.status == "done"
    [call] = route.calls
    assert call.request.headers["Idempotency-Key"] == f"duespark-{connection.id}-payment-{payment.id}"
    assert call.request.headers["xero-tenant-id"] == XERO_TENANT
    assert json.loads(call.request.content) == {
        "Payments": [
            {
                "Invoice": {"InvoiceID": "i0000001-0000-4000-8000-000000000000"},
                "Account": {"Code": "090"},
                "Date": clock.now().date().isoformat(),
                "Amount": 1250.0,
                "Reference": "pi_3QxLz2Kp9aBcDeFg0H1iJkLm",
            }
        ]
    }
    session.expire_all()
    link = session.scalars(select(AccountingLink).where(AccountingLink.kind == "payment")).one()
    assert (link.external_id, link.local_id) == (PAYMENT_ID, payment.id)
    stored = session.get(AccountingConnection, connection.id)
    assert stored.last_result["counts"] == {"payments_written_back": 1}
    # The sync saw the books paid and recorded no second payment.
    assert session.scalars(select(Payment.method).where(Payment.invoice_id == invoice.id)).all() == ["stripe"]
    assert session.get(Invoice, invoice.id).status == "paid"

    due_again(session, connection, clock)
    run_sync()
    assert len(route.calls) == 1


def test_only_card_payments_received_after_turning_it_on_for_invoices_from_the_books(
    session, account, settings, clock, books, run_sync, xero_linked
):
    connection, invoice, _ = xero_linked
    route = books.post(XERO_PAYMENTS).mock(side_effect=xero_payment_answer)
    # Off (the default): nothing is written.
    stripe_payment(session, invoice, clock, amount_minor=10_000, reference="pi_before_turning_on")
    due_again(session, connection, clock)
    run_sync()
    assert route.calls == []

    clock.advance(timedelta(minutes=1))
    enable(session, connection, settings, clock)
    clock.advance(timedelta(minutes=1))
    own = make_invoice(session, client=make_client(session, account=account, clock=clock), clock=clock, number="D-1")
    session.commit()
    stripe_payment(session, own, clock, amount_minor=5_000, reference="pi_invoice_not_from_the_books")
    apply_payment(
        session,
        invoice=session.get(Invoice, invoice.id),
        amount_minor=20_000,
        method="manual",
        paid_at=clock.now(),
        clock=clock,
    )
    stripe_payment(session, invoice, clock, amount_minor=-10_000, reference="re_refund_of_the_first")
    due_again(session, connection, clock)
    run_sync()
    # The payment before turning it on, one for DueSpark's own invoice, a manual one and a refund: none.
    assert route.calls == []


def test_a_refusal_is_listed_and_retried_and_the_rest_of_the_sync_goes_on(
    session, settings, clock, books, run_sync, xero_linked
):
    connection, invoice, _ = xero_linked
    enable(session, connection, settings, clock, account="999")
    payment = stripe_payment(session, invoice, clock, amount_minor=25_000)
    refusal = {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        "Elements": [{"ValidationErrors": [{"Message": "Account code '999' is not a valid code for this document."}]}],
    }
    route = books.post(XERO_PAYMENTS).mock(return_value=httpx.Response(400, json=refusal))
    due_again(session, connection, clock)

    [outcome] = run_sync()

    assert outcome.status == "done"
    session.expire_all()
    result = session.get(AccountingConnection, connection.id).last_result
    reason = "Xero refused the payment: Account code '999' is not a valid code for this document."
    assert {"kind": "payment", "external_id": str(payment.id), "reason": reason} in result["errors"]
    assert session.scalars(select(AccountingLink).where(AccountingLink.kind == "payment")).all() == []
    due_again(session, connection, clock)
    run_sync()
    assert len(route.calls) == 2


def test_quickbooks_payment_is_linked_to_the_invoice_and_its_customer(
    session, account, settings, clock, books, run_sync
):
    connection = connect(
        session, account=account, settings=settings, clock=clock, provider="quickbooks", expires_in=timedelta(days=2)
    )

    def answer(request: httpx.Request) -> httpx.Response:
        entity = "Customer" if "FROM Customer" in request.url.params["query"] else "Invoice"
        rows = [qbo_customer(4)] if entity == "Customer" else [qbo_invoice(1, customer=4)]
        return httpx.Response(200, json=qbo_query_body(entity, rows))

    books.get(QBO_QUERY_URL).mock(side_effect=answer)
    run_sync()
    session.expire_all()
    invoice = session.scalars(select(Invoice).where(Invoice.account_id == account.id)).one()
    enable(session, connection, settings, clock, account=None)
    payment = stripe_payment(session, invoice, clock, amount_minor=36_207)
    created = {"Payment": {"Id": "187", "SyncToken": "0", "TotalAmt": 362.07}, "time": "2026-11-25T02:00:00-08:00"}
    route = books.post(QBO_PAYMENT).mock(return_value=httpx.Response(200, json=created))
    due_again(session, connection, clock)

    run_sync()

    [call] = route.calls
    assert dict(call.request.url.params) == {
        "minorversion": "75",
        "requestid": f"duespark-{connection.id}-payment-{payment.id}",
    }
    assert json.loads(call.request.content) == {
        "TotalAmt": 362.07,
        "CustomerRef": {"value": "4"},
        "TxnDate": clock.now().date().isoformat(),
        "PaymentRefNum": "pi_3QxLz2Kp9aBcDeFg0H",  # its first 21 characters
        "PrivateNote": "Paid by card through DueSpark (Stripe pi_3QxLz2Kp9aBcDeFg0H1iJkLm)",
        "Line": [{"Amount": 362.07, "LinkedTxn": [{"TxnId": "101", "TxnType": "Invoice"}]}],
    }
    session.expire_all()
    assert session.scalars(select(AccountingLink.external_id).where(AccountingLink.kind == "payment")).one() == "187"


def test_settings_through_the_api_owner_only_and_checked(client, session, settings, clock):
    owner, other = register(client), register(client)
    account_id = client.get("/api/account", headers=owner["headers"]).json()["id"]
    connect(session, account=session.get(Account, account_id), settings=settings, clock=clock)
    session.commit()
    path = "/api/integrations/xero"

    missing = client.patch(path, json={"write_back_payments": True}, headers=owner["headers"])
    assert missing.status_code == 422 and "payment_account" in missing.text
    for bad in ("<script>alert(1)</script>", "x" * 65, "", " 090"):
        response = client.patch(
            path, json={"write_back_payments": True, "payment_account": bad}, headers=owner["headers"]
        )
        assert response.status_code == 422, bad
    assert (
        client.patch(path, json={"write_back_payments": True, "extra": 1}, headers=owner["headers"]).status_code == 422
    )
    # Another account has no Xero connection: 404, not this account's.
    other_try = client.patch(
        path, json={"write_back_payments": True, "payment_account": "090"}, headers=other["headers"]
    )
    assert other_try.status_code == 404
    assert (
        client.patch(
            "/api/integrations/quickbooks", json={"write_back_payments": False}, headers=owner["headers"]
        ).status_code
        == 404
    )

    done = client.patch(path, json={"write_back_payments": True, "payment_account": "090"}, headers=owner["headers"])
    assert done.status_code == 200, done.text
    assert (done.json()["write_back_payments"], done.json()["payment_account"]) == (True, "090")
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "accounting.settings_changed")).one()
    assert entry.changes == {
        "write_back_payments": {"before": False, "after": True},
        "payment_account": {"before": None, "after": "090"},
    }
    off = client.patch(path, json={"write_back_payments": False}, headers=owner["headers"]).json()
    assert (off["write_back_payments"], off["payment_account"]) == (False, None)
