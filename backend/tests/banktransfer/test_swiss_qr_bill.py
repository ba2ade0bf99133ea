"""Swiss QR-bill: CHF invoices payable to a QR-IBAN carry the payment part in the generated PDF and the
Swiss QR code (with its cross) on the pay page. The code is decoded from the rendered PDF page and its
lines checked against the Swiss Payment Standards' layout, one by one."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from stdnum.ch import esr

from duespark.banktransfer import service, swiss
from duespark.banktransfer.schemas import BankAccountIn
from duespark.documents import service as documents
from duespark.documents.storage import LocalStorage
from duespark.errors import InvalidInput
from tests.banktransfer.test_transfer_pages import pay_path
from tests.helpers import make_account, make_client, make_invoice, register

QR_IBAN = "CH4431999123000889012"  # the Swiss Payment Standards' sample QR-IBAN (institution id 31999)
PLAIN_IBAN = "CH9300762011623852957"  # a Swiss IBAN that is not a QR-IBAN
ADDRESS = {
    "payee_street": "Bahnhofstrasse",
    "payee_house_number": "1",
    "payee_postcode": "8001",
    "payee_town": "Zürich",
    "payee_country": "ch",
}


def swiss_account(session, clock, **overrides):
    account = make_account(session, clock=clock, name="Acme AG")
    data = BankAccountIn(currency="CHF", payee_name="Acme AG", iban=QR_IBAN, **{**ADDRESS, **overrides})
    service.create_bank_account(session, account_id=account.id, data=data, clock=clock)
    customer = make_client(session, account=account, clock=clock, company="Globex SE", locale="de")
    invoice = make_invoice(session, client=customer, clock=clock, currency="CHF", amount_minor=125_050, number="INV-42")
    session.flush()
    return account, customer, invoice


def decoded_pages(pdf: bytes) -> list[str]:
    """Every QR code on the PDF's pages, rendered at 300 dpi as a scanner would see the printout."""
    document = pypdfium2.PdfDocument(pdf)
    return [code.text for page in document for code in zxingcpp.read_barcodes(page.render(scale=300 / 72).to_pil())]


def test_a_qr_iban_is_told_by_its_institution_id():
    assert swiss.is_qr_iban(QR_IBAN) and swiss.is_qr_iban("CH44 3199 9123 0008 8901 2")
    assert not swiss.is_qr_iban(PLAIN_IBAN)
    assert not swiss.is_qr_iban("DE89370400440532013000") and not swiss.is_qr_iban(None)


def test_the_qr_reference_is_26_digits_and_a_modulo_10_check_digit():
    reference = swiss.qr_reference("INV-42")
    assert reference == "00000000000000000018233142" + "3"  # I=18 N=23 V=31, then 4 2
    assert esr.is_valid(reference)
    assert swiss.qr_reference("RE-2026-001") == swiss.qr_reference("re 2026 001")
    assert swiss.qr_reference("ABCDEFGHIJKLMN") is None  # 28 digits: too long for a QR reference
    assert swiss.qr_reference("---") is None


def test_the_invoice_pdf_carries_the_payment_part_and_its_code_line_by_line(session, clock, tmp_path):
    account, customer, invoice = swiss_account(session, clock)
    pdf = documents.invoice_pdf(
        session, LocalStorage(tmp_path), account=account, client=customer, invoice=invoice, clock=clock
    ).data
    [payload] = decoded_pages(pdf)
    lines = payload.split("\r\n")  # CR LF between lines, none after the last
    assert lines == [
        "SPC",  # QR type
        "0200",  # version 2.0
        "1",  # coding: UTF-8 (Latin character set)
        QR_IBAN,  # the creditor's account: the QR-IBAN, no spaces
        "S",  # address type: structured
        "Acme AG",  # name
        "Bahnhofstrasse",  # street
        "1",  # house number
        "8001",  # postcode
        "Zürich",  # town
        "CH",  # country
        *[""] * 7,  # ultimate creditor: reserved, empty
        "1250.50",  # amount
        "CHF",  # currency
        *[""] * 7,  # ultimate debtor: empty, the client writes it
        "QRR",  # reference type: QR reference
        "000000000000000000182331423",  # the invoice's QR reference
        "INV-42",  # unstructured message
        "EPD",  # trailer
    ]
    assert service.transfer_for_invoice(session, invoice).qr_payload == payload
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for words in ("Empfangsschein", "Zahlteil", "CH44 3199 9123 0008 8901 2", "CH-8001 Zürich", "CHF 1 250.50"):
        assert words in text
    assert "00 00000 00000 00000 01823 31423" in text  # the reference as printed, in groups of five


def test_the_pay_page_shows_the_swiss_code_with_its_cross(client, session, clock, settings):
    _, _, invoice = swiss_account(session, clock)
    session.commit()
    html = client.get(pay_path(settings, invoice)).text
    transfer = service.transfer_for_invoice(session, invoice)
    assert transfer.swiss is not None and transfer.epc_payload is None
    assert transfer.qr_svg(5, locale="de") in html
    assert '<dd class="copy">000000000000000000182331423</dd>' in html
    png = transfer.qr_png(scale=6)
    assert [c.text for c in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))] == [transfer.qr_payload]
    # The cross: the centre pixel of the code is black, white arms run through it.
    image = Image.open(io.BytesIO(png)).convert("L")
    middle = image.width // 2
    assert image.getpixel((middle, middle)) == 255  # the white cross's centre
    assert image.getpixel((middle - 18, middle - 18)) == 0  # the black square around it


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"payee_postcode": None, "payee_town": None, "payee_country": None, "payee_street": None}, "payee_postcode"),
        ({"payee_town": " "}, "payee_town"),
        ({"payee_country": "1A"}, "payee_country"),
        ({"payee_country": "C1"}, "payee_country"),
    ],
)
def test_a_qr_iban_needs_the_payees_address(changes, field):
    data = BankAccountIn(currency="CHF", payee_name="Acme AG", iban=QR_IBAN, **{**ADDRESS, **changes})
    with pytest.raises(InvalidInput) as error:
        service.check_bank_account(data)
    assert error.value.errors[0].field == field


def test_without_a_qr_bill_the_transfer_is_in_words_only(session, clock):
    account = make_account(session, clock=clock)
    plain = BankAccountIn(currency="CHF", payee_name="Acme AG", iban=PLAIN_IBAN)
    service.create_bank_account(session, account_id=account.id, data=plain, clock=clock)
    customer = make_client(session, account=account, clock=clock)
    invoice = make_invoice(session, client=customer, clock=clock, currency="CHF", number="INV-7")
    transfer = service.transfer_for_invoice(session, invoice)
    assert transfer.qr_payload is None and transfer.reference == "INV-7"
    # A number too long for a QR reference: no QR-bill either (a QR-IBAN takes no other reference).
    _, _, long_one = swiss_account(session, clock)
    long_one.number = "ABCDEFGHIJKLMN"
    assert service.transfer_for_invoice(session, long_one).swiss is None


def test_the_api_stores_the_address_and_says_the_qr_bill_is_on(client):
    user = register(client, default_currency="CHF")
    body = {"currency": "CHF", "payee_name": "Acme AG", "iban": "CH44 3199 9123 0008 8901 2", **ADDRESS}
    created = client.post("/api/bank-accounts", headers=user["headers"], json=body)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["swiss_qr_bill"] is True and out["epc_qr"] is False
    assert (out["payee_postcode"], out["payee_town"], out["payee_country"]) == ("8001", "Zürich", "CH")
    assert out["example_reference"] == swiss.qr_reference("INV-1042")
    refused = client.post(
        "/api/bank-accounts",
        headers=user["headers"],
        json={"currency": "EUR", "payee_name": "Acme AG", "iban": QR_IBAN, "payee_street": "<script>x</script>"},
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "payee_postcode"
