"""The reminder email carries the transfer: details in words in the text part, and in the HTML part a
table and the EPC QR code as an inline image (multipart/related, named by its Content-ID)."""

from __future__ import annotations

import email
import io
import json
import re
from email import policy

import zxingcpp
from PIL import Image

from duespark.banktransfer import service
from duespark.banktransfer.schemas import BankAccountIn
from duespark.email.compose import TemplateCache, compose_reminder
from duespark.email.message import OutgoingEmail
from duespark.email.mime import to_mime
from duespark.email.providers.postmark import PostmarkProvider
from tests.helpers import make_account, make_client, make_invoice

IBAN = "DE89370400440532013000"
EXPECTED_PAYLOAD = "BCD\n002\n1\nSCT\nCOBADEFFXXX\nAcme Studio GmbH\nDE89370400440532013000\nEUR1250.00\n\n\nINV-042"


def setup(session, clock, *, payee="Acme Studio GmbH", locale=None):
    account = make_account(session, clock=clock)
    data = BankAccountIn(currency="EUR", payee_name=payee, iban=IBAN, bic="COBADEFFXXX")
    service.create_bank_account(session, account_id=account.id, data=data, clock=clock)
    customer = make_client(session, account=account, clock=clock, email="ap@globex.test", locale=locale)
    invoice = make_invoice(session, client=customer, clock=clock, amount_minor=125_000, number="INV-042")
    return account, customer, invoice


def reminder(clock, settings, account, customer, invoice, **kwargs) -> OutgoingEmail:
    return compose_reminder(
        account=account,
        client=customer,
        invoice=invoice,
        template_key="firm",
        reminder_id=7,
        settings=settings,
        clock=clock,
        **kwargs,
    )


def test_the_mime_tree_and_the_inline_image_by_bytes(session, clock, settings):
    account, customer, invoice = setup(session, clock)
    outgoing = reminder(clock, settings, account, customer, invoice, session=session)
    raw = bytes(to_mime(outgoing))
    parsed = email.message_from_bytes(raw, policy=policy.default)

    assert parsed.get_content_type() == "multipart/alternative"
    text_part, related = parsed.get_payload()
    assert text_part.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, image_part = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    assert image_part.get_content_type() == "image/png"
    assert image_part["Content-Disposition"] == 'inline; filename="bank-transfer-qr.png"'
    assert image_part["Content-Transfer-Encoding"] == "base64"

    content_id = image_part["Content-ID"]
    assert re.fullmatch(r"<qr\.[0-9a-f]{16}@duespark\.test>", content_id)
    html = html_part.get_content()
    assert html.count(f'src="cid:{content_id[1:-1]}"') == 1
    assert 'alt="QR code: bank transfer of €1,250.00 to Acme Studio GmbH"' in html
    # The raw bytes: the image part's headers as written on the wire, and its body a real PNG.
    assert f"Content-ID: {content_id}\r\n".encode() in raw
    assert b"Content-Type: image/png\r\n" in raw
    png = image_part.get_content()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [d.text for d in decoded] == [EXPECTED_PAYLOAD]

    text = text_part.get_content().replace("\r\n", "\n")
    assert (
        "Pay by bank transfer\n"
        "Payee: Acme Studio GmbH\n"
        "IBAN: DE89 3704 0044 0532 0130 00\n"
        "BIC: COBADEFFXXX\n"
        "Amount: €1,250.00\n"
        "Reference: INV-042\n"
    ) in text
    for label, value in (("IBAN", "DE89 3704 0044 0532 0130 00"), ("Reference", "INV-042")):
        assert re.search(rf">{label}</td><td[^>]*>{value}</td>", html)


def test_the_dispatchers_batch_path_and_the_stored_json_give_the_same_image(session, clock, settings):
    account, customer, invoice = setup(session, clock)
    cache = TemplateCache(session, {account.id})
    outgoing = reminder(clock, settings, account, customer, invoice, templates=cache)
    assert len(outgoing.inline_images) == 1
    stored = OutgoingEmail.from_dict(json.loads(json.dumps(outgoing.to_dict())))
    assert stored == outgoing
    assert bytes(to_mime(stored)).count(b"Content-Type: image/png") == 1


def test_postmark_gets_the_image_as_an_attachment_with_its_content_id(session, clock, settings):
    account, customer, invoice = setup(session, clock)
    outgoing = reminder(clock, settings, account, customer, invoice, session=session)
    image = outgoing.inline_images[0]
    payload = PostmarkProvider(server_token="t", message_stream="outbound").payload(outgoing)
    assert payload["Attachments"] == [
        {
            "Name": "bank-transfer-qr.png",
            "Content": image.data_base64,
            "ContentType": "image/png",
            "ContentID": f"cid:{image.content_id}",
        }
    ]
    assert f'src="cid:{image.content_id}"' in payload["HtmlBody"]


def test_no_bank_account_no_transfer_and_no_image(session, clock, settings):
    account = make_account(session, clock=clock)
    customer = make_client(session, account=account, clock=clock)
    invoice = make_invoice(session, client=customer, clock=clock)
    outgoing = reminder(clock, settings, account, customer, invoice, session=session)
    assert outgoing.inline_images == ()
    assert "bank transfer" not in outgoing.text
    assert bytes(to_mime(outgoing)).count(b"multipart/related") == 0


def test_a_script_in_the_payee_name_is_escaped_and_the_clients_language_is_used(session, clock, settings):
    account, customer, invoice = setup(session, clock, payee="<script>alert(1)</script> GmbH", locale="de")
    outgoing = reminder(clock, settings, account, customer, invoice, session=session)
    assert "<script>" not in outgoing.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; GmbH" in outgoing.html
    assert "Per Überweisung bezahlen\nEmpfänger: <script>alert(1)</script> GmbH\n" in outgoing.text
    assert "Verwendungszweck: INV-042" in outgoing.text
    assert "Betrag: 1.250,00\xa0€" in outgoing.text
