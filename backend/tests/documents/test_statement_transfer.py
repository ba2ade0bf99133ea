"""Statements (the merged email for several overdue invoices, and the statement PDF) carry one bank
transfer per currency owed: payee, account, the currency's total, a reference naming the invoices, and
for a EUR total into a SEPA IBAN the EPC QR code, decoded back and checked field by field."""

from __future__ import annotations

import email
import io
from datetime import date, timedelta
from email import policy

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from duespark.banktransfer.schemas import BankAccountIn
from duespark.banktransfer.service import create_bank_account, statement_reference
from duespark.documents import service
from duespark.documents.storage import LocalStorage
from duespark.email.compose import TemplateCache
from duespark.email.mime import to_mime
from duespark.email.statement import compose_statement
from duespark.models import BankAccount
from tests.helpers import make_account, make_client, make_invoice

IBAN = "DE89370400440532013000"


@pytest.fixture
def storage(tmp_path) -> LocalStorage:
    return LocalStorage(tmp_path / "documents")


@pytest.fixture
def world(session, clock):
    """Two overdue EUR invoices and one GBP one, with bank accounts for EUR (SEPA) and GBP (sort code);
    a USD invoice the account takes no transfer for."""
    account = make_account(session, clock=clock, name="Acme Studio GmbH")
    account.locale = "en"
    for data in (
        BankAccountIn(currency="EUR", payee_name="Acme Studio GmbH", iban=IBAN, bic="COBADEFFXXX"),
        BankAccountIn(currency="GBP", payee_name="Acme Studio Ltd", account_number="31926819", sort_code="60-16-13"),
    ):
        create_bank_account(session, account_id=account.id, data=data, clock=clock)
    customer = make_client(session, account=account, clock=clock, email="ap@globex.test", company="Globex SE")
    today = clock.now().date()
    invoices = [
        make_invoice(
            session,
            client=customer,
            clock=clock,
            number=number,
            amount_minor=amount,
            currency=currency,
            due_date=today - timedelta(days=days),
        )
        for number, amount, currency, days in (
            ("INV-7", 120_000, "EUR", 40),
            ("INV-9", 5_050, "EUR", 20),
            ("INV-8", 30_000, "GBP", 30),
            ("INV-10", 9_900, "USD", 10),
        )
    ]
    session.flush()
    return account, customer, invoices


EUR_PAYLOAD = "BCD\n002\n1\nSCT\nCOBADEFFXXX\nAcme Studio GmbH\nDE89370400440532013000\nEUR1250.50\n\n\nINV-7, INV-9"


def decoded(png: bytes) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_the_statement_pdf_has_a_transfer_per_currency_and_the_epc_code_for_the_eur_total(
    session, clock, storage, world
):
    account, customer, _ = world
    pdf = service.statement_pdf(session, storage, account=account, client=customer, clock=clock)
    reader = PdfReader(io.BytesIO(pdf.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    eur = text[text.index("Pay by bank transfer (EUR)") :]
    assert eur.startswith(
        "Pay by bank transfer (EUR)\nPayee: Acme Studio GmbH\nIBAN: DE89 3704 0044 0532 0130 00\n"
        "BIC: COBADEFFXXX\nAmount: €1,250.50\nReference: INV-7, INV-9\n"
    )
    gbp = text[text.index("Pay by bank transfer (GBP)") :]
    assert gbp.startswith(
        "Pay by bank transfer (GBP)\nPayee: Acme Studio Ltd\nAccount number: 31926819\nSort code: 60-16-13\n"
        "Amount: £300.00\nReference: INV-8"
    )
    assert "(USD)" not in text  # no bank account in USD: no transfer asked for
    [image] = [image for page in reader.pages for image in page.images]  # one QR: EUR only
    assert decoded(image.data) == [EUR_PAYLOAD]


def test_the_epc_payload_of_a_statement_field_by_field(session, clock, storage, world):
    account, customer, _ = world
    pdf = service.statement_pdf(session, storage, account=account, client=customer, clock=clock)
    [image] = [image for page in PdfReader(io.BytesIO(pdf.data)).pages for image in page.images]
    [payload] = decoded(image.data)
    raw = payload.encode("utf-8")
    assert not raw.endswith(b"\n") and len(raw) <= 331
    assert raw.split(b"\n") == [
        b"BCD",  # service tag
        b"002",  # version
        b"1",  # UTF-8
        b"SCT",  # SEPA credit transfer
        b"COBADEFFXXX",  # BIC
        b"Acme Studio GmbH",  # beneficiary
        b"DE89370400440532013000",  # IBAN, no spaces
        b"EUR1250.50",  # the EUR total of the statement: 1,200.00 + 50.50
        b"",  # purpose
        b"",  # no structured reference: several invoices
        b"INV-7, INV-9",  # unstructured remittance: every invoice number
    ]


def test_the_statement_email_carries_the_same_transfers_and_an_inline_qr(session, clock, settings, world):
    account, customer, invoices = world
    outgoing = compose_statement(
        account=account,
        client=customer,
        invoices=[(invoice, 100 + index) for index, invoice in enumerate(invoices)],
        settings=settings,
        clock=clock,
        session=session,
        steps=["firm"],
    )
    parsed = email.message_from_bytes(bytes(to_mime(outgoing)), policy=policy.default)
    text_part, related = parsed.get_payload()
    html_part, image_part = related.get_payload()  # one inline image: the EUR code
    assert image_part.get_content_type() == "image/png"
    assert decoded(image_part.get_content()) == [EUR_PAYLOAD]
    text = text_part.get_content().replace("\r\n", "\n")
    assert (
        "Pay by bank transfer\nPayee: Acme Studio GmbH\nIBAN: DE89 3704 0044 0532 0130 00\nBIC: COBADEFFXXX\n"
        "Amount: €1,250.50\nReference: INV-7, INV-9\n" in text
    )
    assert (
        "Pay by bank transfer\nPayee: Acme Studio Ltd\nAccount number: 31926819\nSort code: 60-16-13\n"
        "Amount: £300.00\nReference: INV-8\n" in text
    )
    html = html_part.get_content()
    assert html.count("Pay by bank transfer</p>") == 2
    assert html.count('src="cid:') == 1
    assert image_part["Content-ID"][1:-1] in html


def test_a_one_invoice_statement_keeps_the_structured_creditor_reference(session, clock, storage):
    account = make_account(session, clock=clock)
    data = BankAccountIn(currency="EUR", payee_name="Acme", iban=IBAN, structured_reference=True)
    create_bank_account(session, account_id=account.id, data=data, clock=clock)
    customer = make_client(session, account=account, clock=clock)
    make_invoice(session, client=customer, clock=clock, number="INV-42", amount_minor=9_999, due_date=date(2026, 11, 1))
    session.flush()
    pdf = service.statement_pdf(session, storage, account=account, client=customer, clock=clock)
    [image] = [image for page in PdfReader(io.BytesIO(pdf.data)).pages for image in page.images]
    assert decoded(image.data) == ["BCD\n002\n1\nSCT\n\nAcme\nDE89370400440532013000\nEUR99.99\n\nRF55INV42"]


def test_too_many_numbers_for_140_characters_give_the_statement_reference():
    bank = BankAccount(reference_format="Invoice {invoice_number}")
    numbers = [f"INV-{n:04d}" for n in range(1, 31)]
    fallback = "Statement 2026-11-25: INV-0001 ... INV-0030 (30 invoices)"
    assert statement_reference(bank, numbers, fallback=fallback) == fallback
    assert statement_reference(bank, numbers[:3], fallback=fallback) == "Invoice INV-0001, INV-0002, INV-0003"
    # Exactly 140 characters still fit; one more does not.
    short = BankAccount(reference_format="R {invoice_number}")
    twenty = [f"N{n:04d}" for n in range(20)]
    assert len("R " + ", ".join(twenty)) == 140
    assert statement_reference(short, twenty, fallback=fallback) == "R " + ", ".join(twenty)
    assert statement_reference(short, [*twenty[:-1], "N00190"], fallback=fallback) == fallback


def test_the_dispatchers_batch_cache_gives_the_same_statement_transfers(session, clock, settings, world):
    """The worker composes with a TemplateCache (bank accounts read once for the batch), not a session."""
    account, customer, invoices = world
    pairs = [(invoice, 100 + index) for index, invoice in enumerate(invoices)]
    common = {"account": account, "client": customer, "invoices": pairs, "settings": settings, "clock": clock}
    batched = compose_statement(**common, templates=TemplateCache(session, {account.id}), steps=["firm"])
    direct = compose_statement(**common, session=session, steps=["firm"])
    assert [image.data for image in batched.inline_images] == [image.data for image in direct.inline_images]
    assert decoded(batched.inline_images[0].data) == [EUR_PAYLOAD]
    assert "Reference: INV-7, INV-9" in batched.text and "Reference: INV-8" in batched.text
