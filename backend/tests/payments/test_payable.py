"""Invariant 14: every invoice can be paid.

The pay page always offers a way (instructions, card, or an email to the sender), going live is
refused while clients would have no way to pay, a Stripe key is checked with Stripe when saved,
and a failed checkout falls back without a card button while the user gets a notice and a metric.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from duespark.models import Account, Invoice, StripeConnection
from duespark.payments import links, service
from tests.helpers import make_account, make_client, make_invoice, register
from tests.payments.stripe_fixtures import STRIPE_SECRET_KEY

OWN_KEY = "sk_test_51MadeUpButWellFormed0000000000"
BANK = "IBAN DE02 1203 0000 0000 2020 51\nBIC BYLADEM1001"


@pytest.fixture
def account(session, clock) -> Account:
    account = make_account(session, clock=clock, name="Acme Studio")
    account.sender_email = "billing@acme.test"
    account.payment_instructions = None
    session.flush()
    return account


@pytest.fixture
def invoice(session, clock, account) -> Invoice:
    customer = make_client(session, account=account, clock=clock, name="Globex", email="ap@globex.test")
    return make_invoice(session, client=customer, clock=clock, amount_minor=125_000, currency="EUR", number="INV-042")


def pay_path(client, invoice: Invoice) -> str:
    return f"/pay/{links.invoice_pay_token(client.app.state.settings, invoice.id)}"


def email_links(page: str) -> list[str]:
    """The decoded href of every "email the sender" link on the page."""
    return [html.unescape(href) for href in re.findall(r'<a[^>]*href="([^"]*)"[^>]*data-action="email-sender"', page)]


def mailto_parts(href: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(href)
    assert parts.scheme == "mailto"
    return parts.path, {key: values[0] for key, values in parse_qs(parts.query).items()}


def failures(reason: str) -> float:
    return REGISTRY.get_sample_value("duespark_checkout_failures_total", {"reason": reason}) or 0.0


def signed_in(client, **extra) -> tuple[dict[str, str], dict]:
    user = register(client, **extra)
    return user["headers"], user


# --- the pay page always offers a way ------------------------------------------------------------


def test_without_instructions_or_stripe_the_page_offers_a_prefilled_email_to_the_sender(no_stripe_client, invoice):
    page = no_stripe_client.get(pay_path(no_stripe_client, invoice)).text
    assert "Please contact Acme Studio for payment details." not in page
    assert "Acme Studio has not put payment details on this page. Email them and they will tell you how to pay." in page
    [href] = email_links(page)
    address, fields = mailto_parts(href)
    assert address == "billing@acme.test"
    assert fields["subject"] == "Payment of invoice INV-042"
    assert fields["body"] == "Hello,\n\nI would like to pay invoice INV-042 (€1,250.00). How can I pay?\n\n"
    # It is the page's main action: a button, with the address spelled out beside it.
    assert re.search(
        r'<a class="button" href="mailto:[^"]+" data-action="email-sender">Email Acme Studio about paying</a>', page
    )
    assert '<p class="muted">billing@acme.test</p>' in page
    assert "/checkout" not in page


def test_without_a_sender_address_the_owner_is_emailed(no_stripe_client, session, invoice, account):
    account.sender_email = None
    session.flush()
    page = no_stripe_client.get(pay_path(no_stripe_client, invoice)).text
    [href] = email_links(page)
    address, _ = mailto_parts(href)
    assert re.fullmatch(r"owner\d+@acme\.test", address)


def test_with_instructions_the_email_is_a_secondary_link_and_the_words_follow_the_client(
    no_stripe_client, session, clock, account
):
    account.payment_instructions = BANK
    german = make_client(session, account=account, clock=clock, name="Müller GmbH", locale="de-DE")
    invoice = make_invoice(session, client=german, clock=clock, amount_minor=9_900, number="RE-7")
    page = no_stripe_client.get(pay_path(no_stripe_client, invoice)).text
    assert "IBAN DE02 1203 0000 0000 2020 51" in page
    assert '<a class="button" href="mailto:' not in page
    assert "Fragen zu dieser Rechnung?" in page
    [href] = email_links(page)
    _, fields = mailto_parts(href)
    assert fields["subject"] == "Zahlung der Rechnung RE-7"
    assert "Rechnung RE-7 (99,00\xa0€)" in fields["body"]


def test_hostile_instructions_and_invoice_number_are_escaped(no_stripe_client, session, clock, account):
    account.payment_instructions = '<script>alert(1)</script>\n"><img src=x onerror=alert(2)>'
    customer = make_client(session, account=account, clock=clock, name="Globex", email="ap@globex.test")
    invoice = make_invoice(session, client=customer, clock=clock, number='X"><script>alert(3)</script>')
    page = no_stripe_client.get(pay_path(no_stripe_client, invoice)).text
    assert "<script>" not in page
    assert "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    [href] = email_links(page)
    _, fields = mailto_parts(href)
    assert fields["subject"] == 'Payment of invoice X"><script>alert(3)</script>'


def test_oversized_instructions_are_refused_with_the_field(no_stripe_client):
    headers, _ = signed_in(no_stripe_client)
    response = no_stripe_client.patch("/api/account", json={"payment_instructions": "x" * 5001}, headers=headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["payment_instructions"]


def test_forged_or_foreign_tokens_answer_404(no_stripe_client, session, clock, invoice):
    settings = no_stripe_client.app.state.settings
    token = links.invoice_pay_token(settings, invoice.id)
    assert no_stripe_client.get(f"/pay/{token[:-2]}xx").status_code == 404
    assert no_stripe_client.get(f"/pay/{links.invoice_pay_token(settings, invoice.id + 10_000)}").status_code == 404
    # A notice of another account cannot be dismissed.
    other = make_account(session, clock=clock, name="Other")
    from duespark.notices import service as notices

    notices.record(session, account_id=other.id, kind="checkout_failed", message="theirs", clock=clock)
    headers, _ = signed_in(no_stripe_client)
    [theirs] = notices.active(session, account_id=other.id)
    assert no_stripe_client.post(f"/api/notices/{theirs.id}/dismiss", headers=headers).status_code == 404
    assert no_stripe_client.get("/api/notices", headers=headers).json() == []


# --- onboarding asks how clients pay; going live needs a way -----------------------------------------


def test_going_live_is_refused_until_clients_have_a_way_to_pay(no_stripe_client):
    headers, user = signed_in(no_stripe_client)
    setup = no_stripe_client.get("/api/account/payment-setup", headers=headers).json()
    assert setup["payment_instructions"] is False
    assert setup["card_payments"] is False
    assert setup["has_way_to_pay"] is False
    assert setup["contact_email"] == user["email"]
    assert setup["go_live_blockers"] == [
        "Your clients would have no way to pay: add a bank account for bank transfers or payment instructions "
        "(how else to pay) in the settings, or connect Stripe for card payments, before going live."
    ]

    refused = no_stripe_client.post("/api/account/go-live", headers=headers)
    assert refused.status_code == 409
    assert refused.json() == {"error": "Conflict", "detail": setup["go_live_blockers"][0]}
    assert no_stripe_client.get("/api/account", headers=headers).json()["test_mode"] is True

    # Whitespace is no instructions.
    no_stripe_client.patch("/api/account", json={"payment_instructions": "  \n "}, headers=headers)
    assert no_stripe_client.post("/api/account/go-live", headers=headers).status_code == 409

    no_stripe_client.patch("/api/account", json={"payment_instructions": BANK}, headers=headers)
    setup = no_stripe_client.get("/api/account/payment-setup", headers=headers).json()
    assert (setup["has_way_to_pay"], setup["go_live_blockers"]) == (True, [])
    live = no_stripe_client.post("/api/account/go-live", headers=headers, json={"confirm": True})
    assert live.status_code == 200
    assert live.json()["test_mode"] is False


def test_a_connected_stripe_is_a_way_to_pay(no_stripe_client, session, clock):
    headers, _ = signed_in(no_stripe_client)
    account_id = no_stripe_client.get("/api/account", headers=headers).json()["id"]
    service.connect_stripe(
        session,
        settings=no_stripe_client.app.state.settings,
        account_id=account_id,
        secret_key=OWN_KEY,
        webhook_secret=None,
        clock=clock,
    )
    assert no_stripe_client.get("/api/account/payment-setup", headers=headers).json()["card_payments"] is True
    assert no_stripe_client.post("/api/account/go-live", headers=headers, json={"confirm": True}).status_code == 200


def test_going_live_with_the_file_provider_warns_now_and_on_every_page(no_stripe_client):
    headers, _ = signed_in(no_stripe_client)
    warning = (
        "This server's email provider is 'file': emails are written to files on the server and no client "
        "will ever receive a reminder. Whoever runs DueSpark must set DUESPARK_EMAIL_PROVIDER to smtp, "
        "postmark or ses."
    )
    assert no_stripe_client.get("/api/account/payment-setup", headers=headers).json()["warnings"] == []
    no_stripe_client.patch("/api/account", json={"payment_instructions": BANK}, headers=headers)
    assert no_stripe_client.get("/api/account/payment-setup", headers=headers).json()["go_live_warnings"] == [warning]
    live = no_stripe_client.post("/api/account/go-live", headers=headers, json={"confirm": True})
    assert live.status_code == 200
    assert live.json()["warnings"] == [warning]
    # Persistent while it holds: the app shows it on every page.
    assert no_stripe_client.get("/api/account/payment-setup", headers=headers).json()["warnings"] == [warning]


# --- a Stripe key is checked with Stripe when it is saved ------------------------------------------------


def stripe_error(status: int, message: str, **extra) -> httpx.Response:
    return httpx.Response(status, json={"error": {"message": message, "type": "invalid_request_error", **extra}})


def test_a_made_up_key_is_refused_on_the_field_and_not_saved(client, session, stripe_api):
    headers, _ = signed_in(client)
    check = stripe_api.get("/v1/checkout/sessions").mock(
        return_value=stripe_error(401, "Invalid API Key provided: sk_test_****0000")
    )
    response = client.put("/api/integrations/stripe", json={"secret_key": OWN_KEY}, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "field": "secret_key",
            "message": "Stripe does not accept this key: copy the secret key again from your Stripe dashboard.",
        }
    ]
    assert check.call_count == 1
    request = check.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {OWN_KEY}"
    assert request.url.params["limit"] == "1"
    assert session.scalars(select(StripeConnection)).all() == []
    assert client.get("/api/integrations/stripe", headers=headers).json()["connected"] is False


def test_a_restricted_key_without_checkout_permission_is_refused(client, session, stripe_api):
    headers, _ = signed_in(client)
    stripe_api.get("/v1/checkout/sessions").mock(
        return_value=stripe_error(
            403,
            "The provided key 'rk_test_****0000' does not have the required permissions for this endpoint on "
            "account 'acct_1Test'. Having the 'rak_checkout_session_read' permission would allow this request "
            "to continue.",
        )
    )
    response = client.put(
        "/api/integrations/stripe", json={"secret_key": "rk_test_51Restricted000000000000"}, headers=headers
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "secret_key"
    assert "write access to Checkout Sessions" in error["message"]
    assert session.scalars(select(StripeConnection)).all() == []


def test_stripe_out_of_reach_saves_nothing_and_says_so(client, session, stripe_api):
    headers, _ = signed_in(client)
    stripe_api.get("/v1/checkout/sessions").mock(side_effect=httpx.ConnectError("connection refused"))
    response = client.put("/api/integrations/stripe", json={"secret_key": OWN_KEY}, headers=headers)
    assert response.status_code == 502
    assert response.json()["detail"].startswith("Stripe could not be reached to check the key, so it was not saved")
    assert session.scalars(select(StripeConnection)).all() == []


def test_a_key_stripe_accepts_is_connected(client, session, key_check):
    headers, _ = signed_in(client)
    response = client.put("/api/integrations/stripe", json={"secret_key": f" {OWN_KEY} "}, headers=headers)
    assert response.status_code == 200, response.text
    assert (response.json()["connected"], response.json()["last4"]) == (True, "0000")
    assert key_check.calls.last.request.headers["Authorization"] == f"Bearer {OWN_KEY}"


# --- a failed checkout falls back, tells the user, and counts ---------------------------------------------


def test_checkout_failure_shows_other_ways_without_a_card_button_and_notifies(
    client, session, clock, account, invoice, stripe_api
):
    account.payment_instructions = BANK
    session.flush()
    stripe_api.post("/v1/checkout/sessions").mock(
        return_value=stripe_error(401, "Invalid API Key provided: sk_test_****0000")
    )
    before = failures("key_refused")
    page = client.get(pay_path(client, invoice), follow_redirects=False)
    assert page.status_code == 200
    assert "Card payment is unavailable right now. You can still pay with the details below." in page.text
    assert "IBAN DE02 1203 0000 0000 2020 51" in page.text
    assert "/checkout" not in page.text
    assert "by card" not in page.text
    assert failures("key_refused") == before + 1

    client.get(pay_path(client, invoice), follow_redirects=False)
    assert failures("key_refused") == before + 2

    owner = register(client)  # a user of another account sees nothing
    assert client.get("/api/notices", headers=owner["headers"]).json() == []
    from duespark.notices import service as notices

    [notice] = notices.active(session, account_id=account.id)
    assert (notice.kind, notice.count) == ("checkout_failed", 2)
    assert notice.message == (
        "A client could not pay invoice INV-042 by card: Stripe refused your API key. The pay page showed them "
        "your other ways to pay instead. Check the Stripe connection in Settings; saving a working key clears this."
    )


def test_checkout_failure_without_instructions_makes_the_email_the_way(client, session, account, invoice, stripe_api):
    stripe_api.post("/v1/checkout/sessions").mock(side_effect=httpx.ConnectError("connection refused"))
    before = failures("network")
    page = client.get(pay_path(client, invoice), follow_redirects=False).text
    assert failures("network") == before + 1
    assert (
        "Card payment is unavailable right now. Email Acme Studio below and they will tell you how else to pay." in page
    )
    assert "/checkout" not in page
    assert '<a class="button" href="mailto:billing@acme.test?subject=Payment%20of%20invoice%20INV-042' in page


def test_notices_api_lists_dismisses_and_a_working_key_clears_them(client, session, clock, stripe_api, key_check):
    headers, _ = signed_in(client)
    account_id = client.get("/api/account", headers=headers).json()["id"]
    account = session.get(Account, account_id)
    customer = make_client(session, account=account, clock=clock, name="Globex", email="ap@globex.test")
    invoice = make_invoice(session, client=customer, clock=clock, amount_minor=5_000, number="INV-9")
    stripe_api.post("/v1/checkout/sessions").mock(return_value=stripe_error(400, "No such price: price_test_1"))
    client.get(pay_path(client, invoice), follow_redirects=False)

    [listed] = client.get("/api/notices", headers=headers).json()
    assert (listed["kind"], listed["count"]) == ("checkout_failed", 1)
    assert "Stripe refused the request" in listed["message"]
    dismissed = client.post(f"/api/notices/{listed['id']}/dismiss", headers=headers)
    assert dismissed.status_code == 200
    assert client.get("/api/notices", headers=headers).json() == []

    # It happens again: the notice is back, counting.
    client.get(pay_path(client, invoice), follow_redirects=False)
    [again] = client.get("/api/notices", headers=headers).json()
    assert (again["id"], again["count"]) == (listed["id"], 2)

    assert client.put("/api/integrations/stripe", json={"secret_key": OWN_KEY}, headers=headers).status_code == 200
    assert client.get("/api/notices", headers=headers).json() == []


def test_server_key_failure_is_counted_too(client, invoice, stripe_api):
    assert client.app.state.settings.stripe_secret_key == STRIPE_SECRET_KEY
    stripe_api.post("/v1/checkout/sessions").mock(return_value=stripe_error(400, "Invalid currency: eur"))
    before = failures("stripe_error")
    page = client.get(pay_path(client, invoice), follow_redirects=False)
    assert page.status_code == 200
    assert failures("stripe_error") == before + 1
