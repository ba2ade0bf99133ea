from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from duespark.models import Client, Invoice, Payment, StripeConnection
from duespark.models.enums import InvoiceStatus
from duespark.payments.crypto import decrypt_secret
from tests.conftest import TEST_NOW
from tests.helpers import make_client, register
from tests.payments.stripe_fixtures import STRIPE_SECRET_KEY, stripe_invoice

OWN_KEY = "sk_test_51AccountOwnKeyForImport000000"


def signed_in(client) -> tuple[dict[str, str], int]:
    user = register(client)
    account_id = client.get("/api/me", headers=user["headers"]).json()["account"]["id"]
    return user["headers"], account_id


def list_page(data: list[dict], *, has_more: bool) -> dict:
    return {"object": "list", "url": "/v1/invoices", "has_more": has_more, "data": data}


@pytest.fixture
def stripe_invoices() -> list[dict]:
    return [
        stripe_invoice(
            invoice_id="in_test_A1", number="STR-0001", amount_due=50_000, due_date=TEST_NOW + timedelta(days=10)
        ),
        stripe_invoice(invoice_id="in_test_A2", number="STR-0002", amount_due=20_000, amount_paid=5_000),
        stripe_invoice(
            invoice_id="in_test_B1",
            number="STR-0003",
            customer="cus_test_initech",
            customer_email="pay@initech.test",
            customer_name="Initech",
            amount_due=7_500,
            currency="eur",
        ),
    ]


@pytest.fixture
def paged_list(stripe_api, stripe_invoices):
    """Two pages: Stripe's `has_more` and the SDK's `starting_after` paging."""

    def respond(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        assert params["status"] == "open"
        if "starting_after" not in params:
            return httpx.Response(200, json=list_page(stripe_invoices[:2], has_more=True))
        assert params["starting_after"] == "in_test_A2"
        return httpx.Response(200, json=list_page(stripe_invoices[2:], has_more=False))

    return stripe_api.get("/v1/invoices").mock(side_effect=respond)


def test_connect_stripe_key_is_encrypted_and_never_returned(client, session, key_check):
    headers, account_id = signed_in(client)
    bad = client.put("/api/integrations/stripe", json={"secret_key": "pk_test_publishable123456"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "secret_key"
    bad_hook = client.put(
        "/api/integrations/stripe", json={"secret_key": OWN_KEY, "webhook_secret": "nope-1234567890"}, headers=headers
    )
    assert bad_hook.json()["detail"][0]["field"] == "webhook_secret"

    response = client.put("/api/integrations/stripe", json={"secret_key": OWN_KEY}, headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert (body["connected"], body["mode"], body["last4"], body["webhook_configured"]) == (True, "test", "0000", False)
    assert body["webhook_url"].startswith("http://testserver/api/webhooks/stripe/")
    assert OWN_KEY not in response.text
    assert OWN_KEY not in client.get("/api/integrations/stripe", headers=headers).text

    stored = session.scalars(select(StripeConnection).where(StripeConnection.account_id == account_id)).one()
    assert OWN_KEY not in stored.secret_key_encrypted
    assert decrypt_secret(client.app.state.settings, stored.secret_key_encrypted) == OWN_KEY

    assert client.delete("/api/integrations/stripe", headers=headers).status_code == 204
    assert client.get("/api/integrations/stripe", headers=headers).json()["connected"] is False


def test_import_pages_through_stripe_and_upserts(client, session, clock, stripe_api, paged_list, published, key_check):
    headers, account_id = signed_in(client)
    client.put("/api/integrations/stripe", json={"secret_key": OWN_KEY}, headers=headers)
    # A client kept by hand with the same email is linked, not duplicated.
    from duespark.models import Account

    existing = make_client(
        session, account=session.get(Account, account_id), clock=clock, name="Initech", email="PAY@initech.test"
    )

    first = client.post("/api/integrations/stripe/import", headers=headers)
    assert first.status_code == 200, first.text
    assert first.json() == {
        "fetched": 3,
        "clients_created": 1,
        "clients_updated": 1,
        "invoices_created": 3,
        "invoices_updated": 0,
        "invoices_unchanged": 0,
        "skipped": [],
    }
    assert paged_list.call_count == 2
    assert paged_list.calls[0].request.headers["Authorization"] == f"Bearer {OWN_KEY}"

    session.expire_all()
    invoices = {i.external_id: i for i in session.scalars(select(Invoice).where(Invoice.account_id == account_id))}
    a1, a2, b1 = invoices["stripe:in_test_A1"], invoices["stripe:in_test_A2"], invoices["stripe:in_test_B1"]
    assert (a1.number, a1.amount_minor, a1.currency, a1.status) == ("STR-0001", 50_000, "USD", InvoiceStatus.open)
    assert a1.due_date == (TEST_NOW + timedelta(days=10)).date()
    assert a2.due_date == (TEST_NOW - timedelta(days=3)).date() + timedelta(days=30)
    assert (a2.status, a2.amount_paid_minor, a2.balance_minor) == (InvoiceStatus.partially_paid, 5_000, 15_000)
    assert b1.client_id == existing.id and b1.currency == "EUR"
    globex = session.get(Client, a1.client_id)
    assert (globex.name, globex.email, globex.stripe_customer_id) == (
        "Globex Corporation",
        "ap@globex.test",
        "cus_test_globex",
    )
    assert a2.client_id == a1.client_id
    assert ("created", tuple(sorted(i.id for i in invoices.values()))) in [
        (c, tuple(sorted(ids))) for c, ids in published
    ]

    snapshot = {i.id: i.updated_at for i in invoices.values()}
    clock.advance(minutes=5)  # a later import; the access token is still valid
    second = client.post("/api/integrations/stripe/import", headers=headers).json()
    assert (second["invoices_created"], second["invoices_updated"], second["invoices_unchanged"]) == (0, 0, 3)
    assert (second["clients_created"], second["clients_updated"]) == (0, 0)
    session.expire_all()
    assert {
        i.id: i.updated_at for i in session.scalars(select(Invoice).where(Invoice.account_id == account_id))
    } == snapshot
    assert session.scalar(select(func.count()).select_from(Client).where(Client.account_id == account_id)) == 2
    assert session.scalar(select(func.count()).select_from(Payment).where(Payment.account_id == account_id)) == 1
    connection = session.scalars(select(StripeConnection).where(StripeConnection.account_id == account_id)).one()
    assert connection.last_import_at == TEST_NOW + timedelta(minutes=5)


def test_import_uses_the_server_key_without_an_account_key(client, stripe_api):
    headers, _ = signed_in(client)
    route = stripe_api.get("/v1/invoices").mock(return_value=httpx.Response(200, json=list_page([], has_more=False)))
    assert client.post("/api/integrations/stripe/import", headers=headers).json()["fetched"] == 0
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {STRIPE_SECRET_KEY}"


def test_import_skips_what_it_cannot_use(client, session, stripe_api):
    headers, _ = signed_in(client)
    odd = [
        stripe_invoice(invoice_id="in_test_Z1", amount_due=0),
        stripe_invoice(invoice_id="in_test_Z2", currency="zzz"),
    ]
    stripe_api.get("/v1/invoices").mock(return_value=httpx.Response(200, json=list_page(odd, has_more=False)))
    body = client.post("/api/integrations/stripe/import", headers=headers).json()
    assert body["invoices_created"] == 0
    assert [s.split(":")[0] for s in body["skipped"]] == ["in_test_Z1", "in_test_Z2"]


def test_import_reports_stripe_errors_and_needs_a_key(client, no_stripe_client, stripe_api):
    headers, _ = signed_in(client)
    stripe_api.get("/v1/invoices").mock(
        return_value=httpx.Response(
            401, json={"error": {"message": "Invalid API Key provided", "type": "invalid_request_error"}}
        )
    )
    response = client.post("/api/integrations/stripe/import", headers=headers)
    assert response.status_code == 502
    assert "refused the API key" in response.json()["detail"]

    other_headers, _ = signed_in(no_stripe_client)
    assert no_stripe_client.post("/api/integrations/stripe/import", headers=other_headers).status_code == 409


def test_imported_dates_use_the_accounts_timezone(session, clock):
    from duespark.payments.importer import import_stripe_invoices
    from tests.helpers import make_account

    account = make_account(session, clock=clock, timezone="Pacific/Auckland")
    late_utc = TEST_NOW.replace(hour=13)  # already the next day in Auckland (UTC+13)
    result = import_stripe_invoices(
        session,
        account_id=account.id,
        stripe_invoices=[stripe_invoice(invoice_id="in_test_tz", created=late_utc, due_date=late_utc)],
        clock=clock,
    )
    assert result.invoices_created == 1
    invoice = session.scalars(select(Invoice).where(Invoice.external_id == "stripe:in_test_tz")).one()
    assert invoice.issue_date == invoice.due_date == date(2026, 11, 26)


def test_import_lowering_the_amount_to_what_was_paid_settles_the_invoice(client, stripe_api, published):
    """Stripe lowered the amount due to 50.00 after 60.00 was paid by hand: the invoice is paid, not left
    partially paid with nothing to pay (invariant 11's serial outcome of an import after a payment)."""
    headers, _ = signed_in(client)
    listed = [stripe_invoice(invoice_id="in_test_L1", number="STR-L1", amount_due=10_000, currency="eur")]
    stripe_api.get("/v1/invoices").mock(
        side_effect=lambda _r: httpx.Response(200, json=list_page(listed, has_more=False))
    )
    assert client.post("/api/integrations/stripe/import", headers=headers).json()["invoices_created"] == 1
    invoice = client.get("/api/invoices", headers=headers).json()["items"][0]
    paid = client.post(f"/api/invoices/{invoice['id']}/payments", headers=headers, json={"amount": "60.00"})
    assert paid.status_code == 201
    listed[0] = stripe_invoice(invoice_id="in_test_L1", number="STR-L1", amount_due=5_000, currency="eur")
    assert client.post("/api/integrations/stripe/import", headers=headers).json()["invoices_updated"] == 1
    after = client.get(f"/api/invoices/{invoice['id']}", headers=headers).json()
    assert (after["status"], after["amount"], after["amount_paid"], after["balance"]) == (
        "paid",
        "60.00",
        "60.00",
        "0.00",
    )
    assert published[-1] == ("paid", (invoice["id"],))
