"""The bank-account settings API: validation naming the field, one per currency, tenant scoping, the
transfer an invoice asks for, and going live with a bank account as the only way to pay."""

from __future__ import annotations

import pytest

from duespark.banktransfer import service
from duespark.models import Account, Invoice
from tests.helpers import make_account, make_client, make_invoice, register

IBAN = "DE89 3704 0044 0532 0130 00"
EUR = {"currency": "eur", "payee_name": "Acme Studio GmbH", "iban": IBAN, "bic": "COBADEFFXXX"}


def create(client, headers, **fields):
    return client.post("/api/bank-accounts", json={**EUR, **fields}, headers=headers)


def test_create_normalises_and_lists(client):
    user = register(client)
    response = create(client, user["headers"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["currency"] == "EUR"
    assert body["iban"] == "DE89370400440532013000"
    assert body["iban_formatted"] == "DE89 3704 0044 0532 0130 00"
    assert body["bic"] == "COBADEFFXXX"
    assert body["reference_format"] == "{invoice_number}"
    assert body["example_reference"] == "INV-1042"
    assert body["epc_qr"] is True
    listed = client.get("/api/bank-accounts", headers=user["headers"]).json()
    assert [row["id"] for row in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"iban": "DE89 3704 0044 0532 0130 01"}, "iban", "checksum"),
        ({"iban": "XX89 3704 0044 0532 0130 00"}, "iban", "country"),
        ({"iban": "DE89 3704"}, "iban", "Not a valid IBAN"),
        ({"bic": "COBAXXFFXXX"}, "bic", "country"),
        ({"bic": "CO"}, "bic", "Not a valid BIC"),
        ({"currency": "EUX"}, "currency", "ISO 4217"),
        ({"iban": None}, "iban", "Give an IBAN"),
        ({"account_number": "12345678", "sort_code": "200000"}, "iban", "Give an IBAN"),
        ({"sort_code": "200000"}, "sort_code", "IBAN already names"),
        ({"reference_format": "Invoice"}, "reference_format", "{invoice_number}"),
        ({"reference_format": "{invoice_number} {client}"}, "reference_format", "only placeholder"),
    ],
)
def test_invalid_input_is_422_naming_the_field(client, fields, field, words):
    user = register(client)
    response = create(client, user["headers"], **fields)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert [d["field"] for d in detail] == [field]
    assert words in detail[0]["message"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"account_number": "12", "sort_code": "200000"}, "account_number"),
        ({"account_number": "41234567"}, "sort_code"),
        ({"account_number": "41234567", "sort_code": "20-00"}, "sort_code"),
        ({"account_number": "41234567", "routing_number": "021000022"}, "routing_number"),
        ({"account_number": "41234567", "sort_code": "200000", "routing_number": "021000021"}, "sort_code"),
        ({"account_number": "41234567", "sort_code": "200000", "structured_reference": True}, "structured_reference"),
    ],
)
def test_domestic_accounts_are_checked(client, fields, field):
    user = register(client)
    response = create(client, user["headers"], **{"currency": "GBP", "iban": None, "bic": None, **fields})
    assert response.status_code == 422, response.text
    assert [d["field"] for d in response.json()["detail"]] == [field]


def test_uk_and_us_accounts(client):
    user = register(client)
    uk = create(
        client, user["headers"], currency="GBP", iban=None, bic=None, account_number="4123 4567", sort_code="20-00-00"
    )
    assert uk.status_code == 201, uk.text
    assert (uk.json()["account_number"], uk.json()["sort_code"], uk.json()["epc_qr"]) == ("41234567", "200000", False)
    us = create(
        client,
        user["headers"],
        currency="USD",
        iban=None,
        bic=None,
        account_number="000123456789",
        routing_number="021000021",
    )
    assert us.status_code == 201, us.text
    assert us.json()["routing_number"] == "021000021"


def test_payee_name_is_one_line_and_at_most_70(client):
    user = register(client)
    assert create(client, user["headers"], payee_name="Acme\nEvil").status_code == 422
    too_long = create(client, user["headers"], payee_name="A" * 71)
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["field"].endswith("payee_name")


def test_one_account_per_currency(client):
    user = register(client)
    first = create(client, user["headers"])
    assert first.status_code == 201
    second = create(client, user["headers"], iban="AT61 1904 3002 3457 3201", bic=None)
    assert second.status_code == 409
    usd = create(
        client,
        user["headers"],
        currency="USD",
        iban=None,
        bic=None,
        account_number="1234567",
        routing_number="021000021",
    )
    moved = client.put(f"/api/bank-accounts/{usd.json()['id']}", json=EUR, headers=user["headers"])
    assert moved.status_code == 409


def test_update_and_delete(client):
    user = register(client)
    bank = create(client, user["headers"]).json()
    updated = client.put(
        f"/api/bank-accounts/{bank['id']}",
        json={**EUR, "reference_format": "Rechnung {invoice_number}", "structured_reference": True},
        headers=user["headers"],
    )
    assert updated.status_code == 200, updated.text
    # "Rechnung INV-1042" as a creditor reference: its letters and digits behind RF and two check digits.
    assert updated.json()["example_reference"] == "RF73RECHNUNGINV1042"
    assert client.delete(f"/api/bank-accounts/{bank['id']}", headers=user["headers"]).status_code == 204
    assert client.get("/api/bank-accounts", headers=user["headers"]).json() == []


def test_other_accounts_bank_accounts_are_never_readable(client):
    owner, other = register(client), register(client)
    bank = create(client, owner["headers"]).json()
    url = f"/api/bank-accounts/{bank['id']}"
    for method, kwargs in (("get", {}), ("put", {"json": EUR}), ("delete", {})):
        response = getattr(client, method)(url, headers=other["headers"], **kwargs)
        assert response.status_code == 404
        assert IBAN.replace(" ", "") not in response.text
    assert client.get("/api/bank-accounts", headers=other["headers"]).json() == []
    assert client.get(url, headers=owner["headers"]).json()["iban"] == IBAN.replace(" ", "")
    assert client.get("/api/bank-accounts/99999999999999999999", headers=owner["headers"]).status_code == 422
    assert client.get("/api/bank-accounts", headers={}).status_code == 401


def test_oversized_and_malformed_bodies(client):
    user = register(client)
    assert create(client, user["headers"], iban="D" * 51).status_code == 422
    malformed = client.post(
        "/api/bank-accounts", content=b"{not json", headers={**user["headers"], "Content-Type": "application/json"}
    )
    assert malformed.status_code == 422
    assert create(client, user["headers"], reference_format="x" * 101).status_code == 422


def test_going_live_with_a_bank_account_as_the_only_way_to_pay(tmp_path, database_url, clock, session_factory):
    from fastapi.testclient import TestClient

    from duespark.app import create_app
    from tests.conftest import make_test_settings

    application = create_app(make_test_settings(tmp_path, database_url), clock)
    application.state.engine.dispose()
    application.state.session_factory = session_factory
    with TestClient(application) as client:
        user = register(client)
        assert client.post("/api/account/go-live", headers=user["headers"]).status_code == 409
        assert create(client, user["headers"]).status_code == 201
        setup = client.get("/api/account/payment-setup", headers=user["headers"]).json()
        assert (setup["bank_transfer"], setup["has_way_to_pay"], setup["go_live_blockers"]) == (True, True, [])


def make_bank(session, clock, account: Account, **fields):
    data = service.BankAccountIn(**{**EUR, **fields})
    return service.create_bank_account(session, account_id=account.id, data=data, clock=clock)


def test_transfer_for_invoice(session, clock):
    account = make_account(session, clock=clock)
    customer = make_client(session, account=account, clock=clock)
    invoice: Invoice = make_invoice(session, client=customer, clock=clock, amount_minor=125_000, number="INV-7")
    assert service.transfer_for_invoice(session, invoice) is None
    make_bank(session, clock, account)
    transfer = service.transfer_for_invoice(session, invoice)
    assert transfer is not None
    assert (transfer.payee, transfer.iban, transfer.bic, transfer.reference) == (
        "Acme Studio GmbH",
        "DE89370400440532013000",
        "COBADEFFXXX",
        "INV-7",
    )
    assert transfer.amount == "1250.00"
    assert transfer.epc_payload == (
        "BCD\n002\n1\nSCT\nCOBADEFFXXX\nAcme Studio GmbH\nDE89370400440532013000\nEUR1250.00\n\n\nINV-7"
    )
    assert transfer.lines("de") == [
        "Empfänger: Acme Studio GmbH",
        "IBAN: DE89 3704 0044 0532 0130 00",
        "BIC: COBADEFFXXX",
        "Betrag: 1.250,00\xa0€",
        "Verwendungszweck: INV-7",
    ]
    assert transfer.qr_png(2).startswith(b"\x89PNG")
    # Paid: nothing to transfer, no QR code; a USD invoice has no EUR bank account.
    invoice.amount_paid_minor = invoice.amount_minor
    assert service.transfer_for_invoice(session, invoice).epc_payload is None
    usd = make_invoice(session, client=customer, clock=clock, currency="USD")
    assert service.transfer_for_invoice(session, usd) is None


def test_no_epc_qr_outside_sepa_or_for_other_currencies(session, clock):
    account = make_account(session, clock=clock)
    customer = make_client(session, account=account, clock=clock)
    # A EUR account at a bank outside the SEPA zone (Brazil): shown in words, no SEPA QR code.
    make_bank(session, clock, account, iban="BR15 0000 0000 0000 1093 2840 814P 2", bic=None)
    invoice = make_invoice(session, client=customer, clock=clock)
    transfer = service.transfer_for_invoice(session, invoice)
    assert transfer is not None and transfer.epc_payload is None
    with pytest.raises(ValueError):
        transfer.qr_png()


def test_check_config_counts_a_bank_account_as_a_way_to_pay(session, clock, settings):
    from duespark.ops.health import live_account_findings

    account = make_account(session, clock=clock, name="Live, bank transfer only")
    account.test_mode = False
    session.flush()
    before = live_account_findings(session.connection(), settings)
    make_bank(session, clock, account)
    after = live_account_findings(session.connection(), settings)
    assert (after.live, after.unpayable) == (before.live, before.unpayable - 1)
