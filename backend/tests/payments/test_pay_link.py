from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

import httpx
import pytest
from sqlalchemy import select

from duespark.auth.security import encode_access_token
from duespark.invoices import adjustments
from duespark.invoices.adjustments import LateFee
from duespark.invoices.service import apply_payment, void_invoice
from duespark.models import Account, CheckoutSession, Client, Invoice, Membership, PaymentLinkClick
from duespark.models.enums import InvoiceStatus
from duespark.payments import links, service
from tests.conftest import TEST_NOW
from tests.helpers import make_account, make_client, make_invoice, register
from tests.payments.stripe_fixtures import STRIPE_SECRET_KEY, checkout_session, next_id, stripe_invoice

BANK = "IBAN DE02 1203 0000 0000 2020 51\nBIC BYLADEM1001"


@pytest.fixture
def account(session, clock):
    account = make_account(session, clock=clock, name="Acme Studio")
    account.payment_instructions = BANK
    session.flush()
    return account


@pytest.fixture
def customer(session, clock, account) -> Client:
    return make_client(session, account=account, clock=clock, name="Globex", email="ap@globex.test")


@pytest.fixture
def invoice(session, clock, customer) -> Invoice:
    return make_invoice(session, client=customer, clock=clock, amount_minor=125_000, currency="EUR", number="INV-042")


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


def form_of(request: httpx.Request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(request.content.decode()).items()}


def clicks(session, invoice: Invoice) -> list[PaymentLinkClick]:
    session.expire_all()
    return list(session.scalars(select(PaymentLinkClick).where(PaymentLinkClick.invoice_id == invoice.id)))


def checkout_route(stripe_api, invoice: Invoice, *, url: str | None = None, expires_in=timedelta(hours=24)):
    def respond(request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        amount = int(form["line_items[0][price_data][unit_amount]"][0])
        session_id = next_id("cs")
        payload = checkout_session(
            invoice,
            session_id=session_id,
            amount_total=amount,
            status="open",
            payment_status="unpaid",
            url=url or f"https://checkout.stripe.com/c/pay/{session_id}",
            expires_at=TEST_NOW + expires_in,
        )
        return httpx.Response(200, json=payload)

    return stripe_api.post("/v1/checkout/sessions").mock(side_effect=respond)


def test_without_stripe_the_link_shows_the_builtin_page(no_stripe_client, session, invoice):
    response = no_stripe_client.get(
        path_of(links.invoice_pay_url(no_stripe_client.app.state.settings, invoice.id)),
        headers={"User-Agent": "Mail/1.0"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["referrer-policy"] == "no-referrer"
    page = response.text
    assert '<html lang="en">' in page
    assert "Acme Studio" in page
    assert "€1,250.00" in page
    assert "INV-042" in page
    assert "IBAN DE02 1203 0000 0000 2020 51" in page
    assert "Please use INV-042 as the payment reference." in page
    assert "by card" not in page
    [click] = clicks(session, invoice)
    assert (click.reminder_id, click.user_agent, click.ip, click.clicked_at) == (None, "Mail/1.0", None, TEST_NOW)


def test_clicks_are_counted_per_reminder_and_shown_in_the_api(no_stripe_client, session, invoice, customer):
    settings = no_stripe_client.app.state.settings
    other = make_invoice(session, client=customer, clock=no_stripe_client.app.state.clock, amount_minor=5_000)
    for url in (
        links.invoice_pay_url(settings, invoice.id, reminder_id=7),
        links.invoice_pay_url(settings, invoice.id, reminder_id=7),
        links.invoice_pay_url(settings, invoice.id, reminder_id=8),
        links.invoice_pay_url(settings, invoice.id),
        # A tampered marker, and one copied from another invoice's link, still count, without a reminder.
        links.invoice_pay_url(settings, invoice.id) + "?r=Nw.AAAAAAAAAAAAAAAAAAAAAA",
        links.invoice_pay_url(settings, invoice.id) + "?" + links.invoice_pay_url(settings, other.id, 9).split("?")[1],
    ):
        assert no_stripe_client.get(path_of(url)).status_code == 200
    assert sorted((c.reminder_id or 0) for c in clicks(session, invoice)) == [0, 0, 0, 7, 7, 8]

    user = register(no_stripe_client)
    response = no_stripe_client.get(f"/api/invoices/{invoice.id}/payment-link", headers=user["headers"])
    assert response.status_code == 404  # another account's invoice

    owner_headers = headers_for_account(no_stripe_client, session, invoice)
    body = no_stripe_client.get(f"/api/invoices/{invoice.id}/payment-link", headers=owner_headers).json()
    assert body["payment_url"] == links.invoice_pay_url(settings, invoice.id)
    assert body["client_portal_url"] == links.client_portal_url(settings, invoice.client_id)
    assert (body["payable"], body["card_payments"]) == (True, False)
    assert body["clicks"]["total"] == 6
    assert [(r["reminder_id"], r["count"]) for r in body["clicks"]["by_reminder"]] == [(None, 3), (7, 2), (8, 1)]


def headers_for_account(test_client, session, invoice: Invoice) -> dict[str, str]:
    """Sign in as a user of the invoice's account (made by helpers, so no password to log in with)."""
    membership = session.scalars(select(Membership).where(Membership.account_id == invoice.account_id)).first()
    token = encode_access_token(
        test_client.app.state.settings.signing_keys,
        user_id=membership.user_id,
        account_id=invoice.account_id,
        now=TEST_NOW,
        ttl=timedelta(minutes=15),
    )
    return {"Authorization": f"Bearer {token}"}


def test_click_ip_only_when_enabled(no_stripe_client, session, invoice):
    settings = no_stripe_client.app.state.settings
    no_stripe_client.get(path_of(links.invoice_pay_url(settings, invoice.id)))
    no_stripe_client.app.state.settings = settings.model_copy(update={"store_click_ip": True})
    no_stripe_client.get(path_of(links.invoice_pay_url(settings, invoice.id)))
    assert sorted(str(c.ip) for c in clicks(session, invoice)) == ["None", "testclient"]


def test_paid_void_and_unknown_links_show_clear_pages(no_stripe_client, session, clock, invoice, customer):
    settings = no_stripe_client.app.state.settings
    apply_payment(session, invoice=invoice, amount_minor=125_000, method="manual", paid_at=TEST_NOW, clock=clock)
    paid = no_stripe_client.get(path_of(links.invoice_pay_url(settings, invoice.id)))
    assert paid.status_code == 200
    assert "Already paid" in paid.text
    assert "Invoice INV-042 was paid on November 25, 2026." in paid.text

    voided = make_invoice(session, client=customer, clock=clock, number="INV-043")
    void_invoice(session, invoice=voided, clock=clock)
    page = no_stripe_client.get(path_of(links.invoice_pay_url(settings, voided.id)))
    assert page.status_code == 200
    assert "No longer payable" in page.text

    portal_token = links.client_portal_url(settings, customer.id).rsplit("/", 1)[1]
    for token in (
        "nonsense",
        "MQ.AAAAAAAAAAAAAAAAAAAAAA",
        links.invoice_pay_token(settings, 987654321),
        portal_token,
        "%00",
    ):
        response = no_stripe_client.get(f"/pay/{token}")
        assert response.status_code == 404, token
        assert response.headers["content-type"].startswith("text/html")
        assert "Link not found" in response.text
        assert "Traceback" not in response.text


def test_link_creates_checkout_session_with_amount_currency_metadata_and_idempotency_key(
    client, session, clock, invoice, stripe_api
):
    route = checkout_route(stripe_api, invoice)
    url = path_of(links.invoice_pay_url(client.app.state.settings, invoice.id, reminder_id=3))
    response = client.get(url, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {STRIPE_SECRET_KEY}"
    assert request.headers["Idempotency-Key"] == f"duespark-checkout-{invoice.id}-125000-0"
    form = form_of(request)
    assert form["mode"] == "payment"
    assert form["line_items[0][price_data][unit_amount]"] == "125000"
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert form["line_items[0][quantity]"] == "1"
    assert form["line_items[0][price_data][product_data][name]"] == "Invoice INV-042"
    assert form["metadata[invoice_id]"] == str(invoice.id)
    assert form["metadata[account_id]"] == str(invoice.account_id)
    assert form["payment_intent_data[metadata][invoice_id]"] == str(invoice.id)
    assert form["client_reference_id"] == str(invoice.id)
    assert form["customer_email"] == "ap@globex.test"
    token = links.invoice_pay_token(client.app.state.settings, invoice.id)
    assert form["success_url"] == f"http://testserver/pay/{token}/done"
    assert form["cancel_url"] == f"http://testserver/pay/{token}?canceled=1"
    [saved] = session.scalars(select(CheckoutSession)).all()
    assert (saved.amount_minor, saved.currency, saved.status) == (125_000, "EUR", "open")
    assert [c.reminder_id for c in clicks(session, invoice)] == [3]

    # A second click reuses the open session: no second call to Stripe.
    again = client.get(url, follow_redirects=False)
    assert again.headers["location"] == response.headers["location"]
    assert route.call_count == 1
    assert len(clicks(session, invoice)) == 2


def test_changed_balance_or_expiry_makes_a_new_session(client, session, clock, invoice, stripe_api):
    route = checkout_route(stripe_api, invoice)
    url = path_of(links.invoice_pay_url(client.app.state.settings, invoice.id))
    first = client.get(url, follow_redirects=False).headers["location"]
    session.expire_all()
    apply_payment(
        session,
        invoice=session.get(Invoice, invoice.id),
        amount_minor=25_000,
        method="manual",
        paid_at=TEST_NOW,
        clock=clock,
    )
    second = client.get(url, follow_redirects=False).headers["location"]
    assert second != first
    assert route.calls.last.request.headers["Idempotency-Key"] == f"duespark-checkout-{invoice.id}-100000-1"
    assert form_of(route.calls.last.request)["line_items[0][price_data][unit_amount]"] == "100000"
    # Close to expiry (within the reuse margin) a fresh session is made rather than one about to die.
    clock.advance(hours=23, minutes=55)
    third = client.get(url, follow_redirects=False).headers["location"]
    assert third not in (first, second)
    assert route.call_count == 3


def test_stripe_failure_falls_back_to_the_builtin_page(client, session, invoice, stripe_api):
    stripe_api.post("/v1/checkout/sessions").mock(
        return_value=httpx.Response(
            401, json={"error": {"message": "Invalid API Key provided: sk_test_***", "type": "invalid_request_error"}}
        )
    )
    response = client.get(path_of(links.invoice_pay_url(client.app.state.settings, invoice.id)), follow_redirects=False)
    assert response.status_code == 200
    assert "Card payment is unavailable right now" in response.text
    assert "IBAN DE02" in response.text
    assert session.scalars(select(CheckoutSession)).all() == []
    assert len(clicks(session, invoice)) == 1


def test_canceled_checkout_returns_to_the_page_with_a_card_button(client, session, invoice, stripe_api):
    token = links.invoice_pay_token(client.app.state.settings, invoice.id)
    response = client.get(f"/pay/{token}?canceled=1")
    assert response.status_code == 200
    assert "The card payment was canceled" in response.text
    assert f'href="/pay/{token}/checkout"' in response.text
    assert clicks(session, invoice) == []
    route = checkout_route(stripe_api, invoice)
    again = client.get(f"/pay/{token}/checkout", follow_redirects=False)
    assert again.status_code == 303
    assert route.call_count == 1
    assert clicks(session, invoice) == []


def test_done_page_trusts_only_the_invoice_state(client, session, clock, invoice):
    token = links.invoice_pay_token(client.app.state.settings, invoice.id)
    assert "is being confirmed" in client.get(f"/pay/{token}/done").text
    apply_payment(session, invoice=invoice, amount_minor=125_000, method="stripe", paid_at=TEST_NOW, clock=clock)
    assert "has been received" in client.get(f"/pay/{token}/done").text
    assert client.get("/pay/forged/done").status_code == 404


def test_imported_stripe_invoice_link_goes_to_stripes_invoice_page(client, session, clock, customer, stripe_api):
    imported = make_invoice(session, client=customer, clock=clock, currency="USD", external_id="stripe:in_test_42")
    stripe_api.get("/v1/invoices/in_test_42").mock(
        return_value=httpx.Response(200, json=stripe_invoice(invoice_id="in_test_42"))
    )
    response = client.get(
        path_of(links.invoice_pay_url(client.app.state.settings, imported.id)), follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "https://invoice.stripe.com/i/acct_test/in_test_42"


def test_accounts_own_key_is_used_for_checkout(client, session, clock, invoice, stripe_api):
    own_key = "sk_live_accountOwnKey9876543210"
    service.connect_stripe(
        session,
        settings=client.app.state.settings,
        account_id=invoice.account_id,
        secret_key=own_key,
        webhook_secret=None,
        clock=clock,
    )
    route = checkout_route(stripe_api, invoice)
    client.get(path_of(links.invoice_pay_url(client.app.state.settings, invoice.id)), follow_redirects=False)
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {own_key}"


def test_page_in_the_clients_language_and_escaped(no_stripe_client, session, clock, account):
    account.payment_instructions = "<script>alert(1)</script> IBAN DE02"
    german = make_client(
        session, account=account, clock=clock, name="Müller GmbH", locale="de-DE", timezone="Europe/Berlin"
    )
    invoice = make_invoice(session, client=german, clock=clock, amount_minor=125_000, number="RE-7", due_in_days=-3)
    page = no_stripe_client.get(path_of(links.invoice_pay_url(no_stripe_client.app.state.settings, invoice.id))).text
    assert '<html lang="de">' in page
    assert "Rechnung RE-7 bezahlen" in page
    assert "1.250,00\xa0€" in page
    assert "Überfällig" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_client_portal_lists_open_invoices_and_receipts(no_stripe_client, session, clock, customer, invoice):
    settings = no_stripe_client.app.state.settings
    paid = make_invoice(session, client=customer, clock=clock, amount_minor=30_000, number="INV-040")
    payment = apply_payment(session, invoice=paid, amount_minor=30_000, method="stripe", paid_at=TEST_NOW, clock=clock)
    other_client = make_client(session, account=session.get(Account, customer.account_id), clock=clock, name="Initech")
    other_invoice = make_invoice(session, client=other_client, clock=clock, number="INV-999")
    foreign = apply_payment(
        session, invoice=other_invoice, amount_minor=1_000, method="manual", paid_at=TEST_NOW, clock=clock
    )

    portal = links.client_portal_url(settings, customer.id)
    page = no_stripe_client.get(path_of(portal))
    assert page.status_code == 200
    assert "Your invoices from Acme Studio" in page.text
    assert "INV-042" in page.text and "€1,250.00" in page.text
    assert f'href="/pay/{links.invoice_pay_token(settings, invoice.id)}"' in page.text
    assert "INV-999" not in page.text
    assert "INV-040" in page.text and "€300.00" in page.text

    receipt = no_stripe_client.get(f"{path_of(portal)}/receipts/{payment.id}")
    assert receipt.status_code == 200
    assert f"Receipt R-{payment.id:06d}" in receipt.text
    assert "Card" in receipt.text and "INV-040" in receipt.text
    # Another client's payment through this client's link: 404, as is a forged portal token.
    assert no_stripe_client.get(f"{path_of(portal)}/receipts/{foreign.id}").status_code == 404
    assert no_stripe_client.get(f"{path_of(portal)}/receipts/abc").status_code == 404
    assert no_stripe_client.get("/c/MQ.AAAAAAAAAAAAAAAAAAAAAA").status_code == 404


def test_portal_link_api(no_stripe_client, session, customer):
    invoice = make_invoice(session, client=customer, clock=no_stripe_client.app.state.clock)
    headers = headers_for_account(no_stripe_client, session, invoice)
    response = no_stripe_client.get(f"/api/clients/{customer.id}/portal-link", headers=headers)
    assert response.json() == {
        "client_portal_url": links.client_portal_url(no_stripe_client.app.state.settings, customer.id)
    }


def test_void_invoice_has_no_checkout(client, session, clock, invoice, stripe_api):
    void_invoice(session, invoice=invoice, clock=clock)
    response = client.get(path_of(links.invoice_pay_url(client.app.state.settings, invoice.id)), follow_redirects=False)
    assert response.status_code == 200
    assert "No longer payable" in response.text
    assert invoice.status == InvoiceStatus.void


def add_late_fee(session, clock, invoice: Invoice, amount_minor: int) -> None:
    fee = LateFee(
        invoice.account_id, invoice.id, "d+7", 7, "fixed", amount_minor, invoice.currency, invoice.amount_minor
    )
    assert adjustments.record(session.connection(), fee, reminder_id=None, now=clock.now())
    session.expire_all()


def test_late_fees_are_in_the_card_payment_and_on_the_page(
    client, no_stripe_client, session, clock, invoice, stripe_api
):
    route = checkout_route(stripe_api, invoice)
    add_late_fee(session, clock, invoice, 4_000)
    url = path_of(links.invoice_pay_url(client.app.state.settings, invoice.id))
    assert client.get(url, follow_redirects=False).status_code == 303
    request = route.calls.last.request
    assert form_of(request)["line_items[0][price_data][unit_amount]"] == "129000"
    assert request.headers["Idempotency-Key"] == f"duespark-checkout-{invoice.id}-129000-0"
    page = no_stripe_client.get(url).text
    assert "€1,290.00" in page
    assert "Late fees and interest" in page and "€40.00" in page
    # Paying the invoice amount alone leaves the fee to pay: a new session for the rest.
    apply_payment(session, invoice=invoice, amount_minor=125_000, method="manual", paid_at=TEST_NOW, clock=clock)
    assert invoice.status == InvoiceStatus.partially_paid
    assert client.get(url, follow_redirects=False).status_code == 303
    assert form_of(route.calls.last.request)["line_items[0][price_data][unit_amount]"] == "4000"
