"""Generated invoice and statement PDFs, read back with pypdf: names, amounts and dates in de and en,
the logo and QR code drawn, totals per currency."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import segno
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from duespark.banktransfer.schemas import BankAccountIn
from duespark.banktransfer.service import create_bank_account, transfer_for_invoice
from duespark.documents import service
from duespark.documents.pdf import PaymentInstructions
from duespark.documents.storage import LocalStorage
from tests.documents.support import sample_png
from tests.helpers import make_account, make_client, make_invoice


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def images_of(data: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)


def qr_png(payload: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=6)
    return buffer.getvalue()


@pytest.fixture
def storage(tmp_path) -> LocalStorage:
    return LocalStorage(tmp_path / "documents")


@pytest.fixture
def world(session, clock):
    account = make_account(session, clock=clock, name="Müller & Söhne GmbH")
    account.address = "Hauptstraße 5\n80331 München"
    account.tax_id = "DE123456789"
    account.payment_instructions = "Bitte überweisen Sie auf unser Konto."
    client = make_client(session, account=account, clock=clock, name="Zoë Faßbender", company="Société Énergie SARL")
    invoice = make_invoice(
        session,
        client=client,
        clock=clock,
        number="RE-2026-017",
        amount_minor=123_456,
        due_date=date(2026, 12, 9),
        description="Beratung November \N{EN DASH} Straßenplanung",
        fees_minor=4_000,
    )
    invoice.amount_paid_minor = 10_000
    invoice.status = "partially_paid"
    return account, client, invoice


def test_invoice_pdf_in_german(session, clock, storage, world):
    account, client, invoice = world
    client.locale = "de-DE"
    data = service.generated_invoice_pdf(storage, account=account, client=client, invoice=invoice, clock=clock)
    text = text_of(data)
    for expected in (
        "Rechnung",
        "Müller & Söhne GmbH",
        "Hauptstraße 5",
        "80331 München",
        "USt-IdNr.: DE123456789",
        "Société Énergie SARL",
        "Zoë Faßbender",
        "Rechnungsnummer RE-2026-017",
        "Rechnungsdatum 25. November 2026",
        "Fällig am 9. Dezember 2026",
        "Beratung November \N{EN DASH} Straßenplanung",
        "1.234,56\u00a0€",
        "Mahngebühren und Zinsen 40,00\u00a0€",
        "Bezahlt \N{MINUS SIGN} 100,00\u00a0€",
        "Offener Betrag 1.174,56\u00a0€",
        "Bitte überweisen Sie auf unser Konto.",
    ):
        assert expected in text, expected
    meta = PdfReader(io.BytesIO(data)).metadata
    assert (meta.title, meta.author) == ("Rechnung RE-2026-017", "Müller & Söhne GmbH")


def test_invoice_pdf_in_english_with_logo_and_payment_qr(session, clock, storage, world):
    account, client, invoice = world
    client.locale = "en"
    account.locale = "en"
    service.set_logo(session, storage, account=account, data=sample_png(), settings=_settings())
    payment = PaymentInstructions(
        lines=("IBAN DE02 1203 0000 0000 2020 51", "BIC BYLADEM1001", "Reference: RE-2026-017"),
        qr_png=qr_png("BCD\n002\n1\nSCT\nBYLADEM1001\nMüller\nDE02120300000000202051\nEUR1174.56"),
    )
    data = service.generated_invoice_pdf(
        storage, account=account, client=client, invoice=invoice, clock=clock, payment=payment
    )
    text = text_of(data)
    for expected in (
        "Invoice",
        "Tax ID: DE123456789",
        "Bill to",
        "Invoice number RE-2026-017",
        "Issue date November 25, 2026",
        "Due date December 9, 2026",
        "€1,234.56",
        "Balance due €1,174.56",
        "How to pay",
        "IBAN DE02 1203 0000 0000 2020 51",
        "Reference: RE-2026-017",
    ):
        assert expected in text, expected
    # The given payment block replaces the account's own instructions.
    assert "überweisen" not in text
    assert images_of(data) == 2  # the logo and the QR code
    without = service.generated_invoice_pdf(storage, account=account, client=client, invoice=invoice, clock=clock)
    assert images_of(without) == 1


def test_a_long_description_flows_onto_a_second_page(session, clock, storage, world):
    account, client, invoice = world
    invoice.description = "\n".join(f"Line {n}: work done" for n in range(120))
    data = service.generated_invoice_pdf(storage, account=account, client=client, invoice=invoice, clock=clock)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    assert "Line 119: work done" in text_of(data)
    assert "Page 2 of" in reader.pages[1].extract_text()


def test_statement_lists_every_open_invoice_with_totals_per_currency(session, clock, storage, world):
    account, client, _ = world  # EUR 1,174.56 open, due 9 December (not yet due)
    account.locale = "en"
    today = clock.now().date()
    make_invoice(
        session, client=client, clock=clock, number="A-1", amount_minor=10_000, due_date=today - timedelta(days=32)
    )
    make_invoice(
        session,
        client=client,
        clock=clock,
        number="A-2",
        amount_minor=25_050,
        currency="USD",
        due_date=today - timedelta(days=3),
    )
    make_invoice(
        session, client=client, clock=clock, number="A-3", amount_minor=99, due_date=today - timedelta(days=60)
    )
    make_invoice(
        session, client=client, clock=clock, number="PAID-1", amount_minor=5_000, status="paid", due_date=today
    )
    make_invoice(
        session, client=client, clock=clock, number="VOID-1", amount_minor=7_000, status="void", due_date=today
    )
    other = make_client(session, account=account, clock=clock, name="Other")
    make_invoice(session, client=other, clock=clock, number="OTHER-1", amount_minor=1_000, due_date=today)

    pdf = service.statement_pdf(session, storage, account=account, client=client, clock=clock)
    text = text_of(pdf.data)
    assert pdf.file_name == "statement-2026-11-25.pdf"
    assert "Statement of account" in text
    assert "A-3 Sep 26, 2026 Sep 26, 2026 60 €0.99" in text
    assert "A-1 Oct 24, 2026 Oct 24, 2026 32 €100.00" in text
    assert "A-2 Nov 22, 2026 Nov 22, 2026 3 $250.50" in text
    assert "RE-2026-017 Nov 25, 2026 Dec 9, 2026 not yet due €1,174.56" in text
    assert "Total EUR €1,275.55" in text  # 1,174.56 + 100.00 + 0.99
    assert "Total USD $250.50" in text
    for absent in ("PAID-1", "VOID-1", "OTHER-1"):
        assert absent not in text


def test_statement_in_german(session, clock, storage, world):
    account, client, _ = world
    client.locale = "de"
    text = text_of(service.statement_pdf(session, storage, account=account, client=client, clock=clock).data)
    assert "Kontoauszug" in text
    assert "Offene Rechnungen am 25. November 2026" in text
    assert "Summe EUR 1.174,56\u00a0€" in text


def _settings():
    from duespark.settings import Settings

    return Settings(env="test", secret_keys=["x" * 40])


def test_a_generated_invoice_carries_the_bank_transfer_and_its_epc_code(session, clock, storage, world):
    """With a EUR bank account, the PDF prints the transfer in words and draws the same EPC QR code the
    email and the pay page show: decoded from the PDF's image, byte for byte."""
    account, client, invoice = world
    client.locale = "de-DE"
    data = BankAccountIn(currency="EUR", payee_name="Müller & Söhne GmbH", iban="DE89370400440532013000")
    create_bank_account(session, account_id=account.id, data=data, clock=clock)
    session.flush()
    pdf = service.invoice_pdf(session, storage, account=account, client=client, invoice=invoice, clock=clock)
    text = text_of(pdf.data)
    assert "DE89 3704 0044 0532 0130 00" in text
    assert "Bitte überweisen Sie auf unser Konto." in text
    [image] = [image for page in PdfReader(io.BytesIO(pdf.data)).pages for image in page.images]
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))
    assert code.text == transfer_for_invoice(session, invoice).epc_payload
    assert code.text.startswith("BCD\n002\n1\nSCT\n\nMüller & Söhne GmbH\nDE89370400440532013000\nEUR")
