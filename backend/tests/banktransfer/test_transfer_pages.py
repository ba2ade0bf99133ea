"""The pay page and the client portal show the bank transfer: details in words and the EPC QR code."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from duespark.app import create_app
from duespark.banktransfer import epc, service
from duespark.banktransfer.schemas import BankAccountIn
from duespark.payments import links
from tests.conftest import make_test_settings
from tests.helpers import make_account, make_client, make_invoice
from tests.payments.stripe_fixtures import STRIPE_SECRET_KEY

IBAN = "DE89370400440532013000"


@pytest.fixture
def stripe_client(tmp_path, database_url, clock, session_factory):
    application = create_app(make_test_settings(tmp_path, database_url, stripe_secret_key=STRIPE_SECRET_KEY), clock)
    application.state.engine.dispose()
    application.state.session_factory = session_factory
    with TestClient(application) as test_client:
        yield test_client


def setup(session, clock, *, payee="Acme Studio GmbH", locale=None, bank=True):
    account = make_account(session, clock=clock)
    if bank:
        data = BankAccountIn(currency="EUR", payee_name=payee, iban=IBAN, bic="COBADEFFXXX")
        service.create_bank_account(session, account_id=account.id, data=data, clock=clock)
    customer = make_client(session, account=account, clock=clock, locale=locale)
    invoice = make_invoice(session, client=customer, clock=clock, amount_minor=125_000, number="INV-042")
    session.commit()
    return account, customer, invoice


def pay_path(settings, invoice) -> str:
    return f"/pay/{links.invoice_pay_token(settings, invoice.id)}"


def test_pay_page_shows_the_transfer_and_the_qr_code(client, session, clock, settings):
    _, _, invoice = setup(session, clock)
    page = client.get(pay_path(settings, invoice))
    assert page.status_code == 200
    html = page.text
    assert '<h2 id="transfer-title">Pay by bank transfer</h2>' in html
    for label, value in (
        ("Payee", "Acme Studio GmbH"),
        ("IBAN", "DE89 3704 0044 0532 0130 00"),
        ("BIC", "COBADEFFXXX"),
        ("Amount", "€1,250.00"),
        ("Reference", "INV-042"),
    ):
        assert f'<dt>{label}</dt><dd class="copy">{value}</dd>' in html
    payload = "BCD\n002\n1\nSCT\nCOBADEFFXXX\nAcme Studio GmbH\nDE89370400440532013000\nEUR1250.00\n\n\nINV-042"
    # The page's SVG is exactly the code of this payload (decoded from PNG in test_epc.py).
    expected_svg = epc.qr_svg(payload, scale=5, title="QR code: bank transfer of €1,250.00 to Acme Studio GmbH")
    assert expected_svg in html
    assert "Scan with your banking app" in html
    # A bank transfer is a way to pay: no "contact them for payment details".
    assert "for payment details" not in html
    assert "has not put payment details" not in html


def test_with_card_too_the_link_shows_both_instead_of_going_to_checkout(stripe_client, session, clock):
    settings = stripe_client.app.state.settings
    _, _, invoice = setup(session, clock)
    path = pay_path(settings, invoice)
    page = stripe_client.get(path, follow_redirects=False)
    assert page.status_code == 200
    assert f'href="{path}/checkout"' in page.text
    assert "Pay €1,250.00 by card" in page.text
    assert "Pay by bank transfer" in page.text


def test_the_page_in_the_clients_language(client, session, clock, settings):
    _, _, invoice = setup(session, clock, locale="de")
    html = client.get(pay_path(settings, invoice)).text
    assert "Per Überweisung bezahlen" in html
    assert '<dt>Verwendungszweck</dt><dd class="copy">INV-042</dd>' in html
    assert '<dt>Betrag</dt><dd class="copy">1.250,00\xa0€</dd>' in html


def test_a_script_in_the_payee_name_is_escaped_in_the_page_and_the_qr_title(client, session, clock, settings):
    _, _, invoice = setup(session, clock, payee='<script>alert("x")</script>')
    html = client.get(pay_path(settings, invoice)).text
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_no_bank_account_no_transfer_section(client, session, clock, settings):
    _, _, invoice = setup(session, clock, bank=False)
    html = client.get(pay_path(settings, invoice)).text
    assert 'data-section="bank-transfer"' not in html
    assert "<svg" not in html


def test_portal_shows_each_open_invoice_transfer(client, session, clock, settings):
    _, customer, _ = setup(session, clock)
    make_invoice(session, client=customer, clock=clock, amount_minor=5_000, number="INV-043")
    make_invoice(session, client=customer, clock=clock, amount_minor=7_000, currency="USD", number="INV-044")
    session.commit()
    html = client.get(links.client_portal_url(settings, customer.id).removeprefix("http://testserver")).text
    assert html.count('<details class="transfer-invoice">') == 2
    assert "<summary>Invoice INV-042 · €1,250.00</summary>" in html
    assert "<summary>Invoice INV-043 · €50.00</summary>" in html
    assert "INV-044 · $70.00</summary>" not in html  # no USD bank account
    assert html.count("<svg") == 2


def test_another_accounts_bank_account_never_shows_on_a_pay_page(client, session, clock, settings):
    setup(session, clock)  # an account with a EUR bank account
    _, _, invoice = setup(session, clock, bank=False)  # another account's invoice in EUR
    html = client.get(pay_path(settings, invoice)).text
    assert IBAN not in html and "DE89 3704" not in html
