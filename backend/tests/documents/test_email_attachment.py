"""The PDF in a reminder: exact MIME parts, Postmark's Attachments, provider size limits and the signed
link instead, the link itself (valid, forged, expired, void), the policy switch, and erasure."""

from __future__ import annotations

import base64
import email
import email.policy
import json
from datetime import timedelta

import httpx
import pytest
import respx

from duespark.documents import attach, links, service
from duespark.documents.storage import LocalStorage
from duespark.email.compose import compose_reminder
from duespark.email.message import Attachment, OutgoingEmail
from duespark.email.mime import to_mime
from duespark.email.providers.postmark import PostmarkProvider
from duespark.payments.links import invoice_pay_token
from duespark.settings import Settings
from tests.conftest import make_test_settings
from tests.documents.support import sample_pdf
from tests.helpers import make_account, make_client, make_invoice, register

MB = 1024 * 1024


@pytest.fixture
def storage(settings) -> LocalStorage:
    return LocalStorage(settings.data_dir / "documents")


@pytest.fixture
def world(session, clock):
    account = make_account(session, clock=clock, name="Müller GmbH")
    client = make_client(session, account=account, clock=clock, name="Globex", locale="de")
    invoice = make_invoice(session, client=client, clock=clock, number="RE-2026-017", due_in_days=-7)
    return account, client, invoice


def reminder_with(document: attach.EmailDocument, *, settings, clock, world) -> OutgoingEmail:
    account, client, invoice = world
    return compose_reminder(
        account=account,
        client=client,
        invoice=invoice,
        template_key="firm",
        reminder_id=1,
        settings=settings,
        clock=clock,
        note=document.note,
        attachments=document.attachments,
    )


def parts_of(message: OutgoingEmail):
    return email.message_from_bytes(bytes(to_mime(message)), policy=email.policy.default)


def test_the_pdf_is_attached_with_exact_mime_headers(session, clock, settings, storage, world):
    account, client, invoice = world
    uploaded = sample_pdf("uploaded")
    service.upload(
        session,
        storage,
        account_id=account.id,
        invoice_id=invoice.id,
        data=uploaded,
        file_name="RE-2026-017.pdf",
        settings=settings,
        clock=clock,
    )
    document = attach.for_invoice(
        session,
        storage,
        settings=settings,
        clock=clock,
        account=account,
        client=client,
        invoice=invoice,
        provider_name="postmark",
    )
    message = reminder_with(document, settings=settings, clock=clock, world=world)
    raw = bytes(to_mime(message)).decode("ascii")
    assert 'Content-Type: application/pdf; name="RE-2026-017.pdf"\r\n' in raw
    assert 'Content-Disposition: attachment; filename="RE-2026-017.pdf"\r\n' in raw
    assert "Content-Transfer-Encoding: base64\r\n" in raw
    parsed = parts_of(message)
    assert parsed.get_content_type() == "multipart/mixed"
    body, pdf_part = parsed.get_payload()
    assert body.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in body.get_payload()] == ["text/plain", "text/html"]
    assert pdf_part.get_filename() == "RE-2026-017.pdf"
    assert pdf_part.get_content() == uploaded
    # The email says so, in the client's language, in both parts.
    sentence = "Die Rechnung RE-2026-017 finden Sie als PDF im Anhang (RE-2026-017.pdf)."
    assert sentence in message.text
    assert sentence in message.html


def test_a_generated_pdf_is_attached_when_none_was_uploaded(session, clock, settings, storage, world):
    account, client, invoice = world
    document = attach.for_invoice(
        session,
        storage,
        settings=settings,
        clock=clock,
        account=account,
        client=client,
        invoice=invoice,
        provider_name="ses",
    )
    [attachment] = document.attachments
    assert attachment.file_name == "RE-2026-017.pdf"
    assert attachment.data.startswith(b"%PDF-")


def test_non_ascii_file_names_are_encoded_per_rfc_2231(clock):
    message = OutgoingEmail(
        to="a@example.com",
        from_email="r@example.com",
        from_name=None,
        subject="s",
        text="t",
        attachments=(Attachment("Rechnung Größe.pdf", "application/pdf", b"%PDF-1.7"),),
    )
    raw = bytes(to_mime(message)).decode("ascii")
    assert "filename*=utf-8''Rechnung%20Gr%C3%B6%C3%9Fe.pdf" in raw
    assert parts_of(message).get_payload()[1].get_filename() == "Rechnung Größe.pdf"


@pytest.mark.parametrize(
    ("provider", "size", "attached"),
    [
        ("postmark", 7 * MB, True),
        ("postmark", int(7.5 * MB), False),
        ("ses", 29 * MB, True),
        ("ses", 30 * MB, False),
        ("smtp", 14 * MB, True),  # DUESPARK_SMTP_MAX_MESSAGE_BYTES: 20 MB
        ("smtp", 15 * MB, False),
    ],
)
def test_provider_limits_count_the_base64_size(settings, provider, size, attached):
    assert attach.fits(size, attach.message_limit(settings, provider)) is attached


def test_above_the_limit_a_signed_link_goes_instead(tmp_path, database_url, session, clock, world, client):
    account, customer, invoice = world
    settings = make_test_settings(tmp_path, database_url, smtp_max_message_bytes=512 * 1024)
    storage = client.app.state.storage
    big = sample_pdf(pad_to=200 * 1024)
    service.upload(
        session,
        storage,
        account_id=account.id,
        invoice_id=invoice.id,
        data=big,
        file_name="big.pdf",
        settings=settings,
        clock=clock,
    )
    session.commit()
    document = attach.for_invoice(
        session,
        storage,
        settings=client.app.state.settings,
        clock=clock,
        account=account,
        client=customer,
        invoice=invoice,
        provider_name="smtp",
    )
    assert document.attachments  # 20 MB by default: attached
    settings_small = make_test_settings(tmp_path, database_url, smtp_max_message_bytes=300 * 1024)
    document = attach.for_invoice(
        session,
        storage,
        settings=settings_small,
        clock=clock,
        account=account,
        client=customer,
        invoice=invoice,
        provider_name="smtp",
    )
    assert document.attachments == ()
    message = reminder_with(document, settings=settings_small, clock=clock, world=world)
    assert parts_of(message).get_content_type() == "multipart/alternative"  # no file part
    assert (
        "Die Rechnung RE-2026-017 als PDF (0,2 MB) ist zu groß für einen Anhang: http://testserver/pay/pdf/"
        in message.text
    )
    assert ">PDF herunterladen</a>" in message.html
    url = document.note.link.url
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response.content == big
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_the_link_opens_only_its_invoice_until_it_expires(session, clock, world, client):
    _, _, invoice = world
    session.commit()
    settings = client.app.state.settings
    token = links.pdf_token(settings, invoice.id, now=clock.now())
    assert client.get(links.PATH + token).status_code == 200
    value, mac = token.split(".")
    stranger = Settings(env="test", secret_keys=["another-signing-key-" * 3])
    forged = links.sign_token(stranger, links.PURPOSE, f"{invoice.id}:9999999999")
    for bad in (
        value + "." + mac[:-2] + ("AA" if not mac.endswith("AA") else "BB"),
        forged,
        invoice_pay_token(settings, invoice.id),  # a pay link's token is not a PDF link
        links.sign_token(settings, links.PURPOSE, f"{invoice.id}"),  # no expiry
        links.sign_token(settings, links.PURPOSE, f"../{invoice.id}:9999999999"),
        "x" * 600,
    ):
        assert client.get(links.PATH + bad).status_code == 404, bad
    clock.advance(timedelta(days=settings.document_link_days, seconds=1))
    assert client.get(links.PATH + token).status_code == 404
    fresh = links.pdf_token(settings, invoice.id, now=clock.now())
    invoice.status = "void"
    session.commit()
    assert client.get(links.PATH + fresh).status_code == 404


def test_postmark_sends_the_attachment_as_documented(clock):
    provider = PostmarkProvider(server_token="t", message_stream="outbound")
    pdf = sample_pdf()
    message = OutgoingEmail(
        to="client@globex.test",
        from_email="r@duespark.test",
        from_name="R",
        subject="Invoice",
        text="Attached.",
        attachments=(Attachment("RE-1.pdf", "application/pdf", pdf),),
    )
    with respx.mock(base_url="https://api.postmarkapp.com") as mock:
        route = mock.post("/email").mock(
            return_value=httpx.Response(
                200, json={"To": message.to, "MessageID": "m-1", "ErrorCode": 0, "Message": "OK"}
            )
        )
        provider.send(message)
    [attachment] = json.loads(route.calls[0].request.content)["Attachments"]
    assert attachment == {
        "Name": "RE-1.pdf",
        "Content": base64.b64encode(pdf).decode(),
        "ContentType": "application/pdf",
    }


def test_policy_steps_attach_from_the_due_date_on_and_can_be_switched(client):
    user = register(client)
    steps = client.get("/api/reminder-policy", headers=user["headers"]).json()["steps"]
    assert {s["offset_days"]: s["attach_pdf"] for s in steps} == {-3: False, 0: True, 7: True, 14: True, 30: True}
    new = [
        {"offset_days": -3, "template_key": "friendly", "attach_pdf": True},
        {"offset_days": 7, "template_key": "firm", "attach_pdf": False},
        {"offset_days": 14, "template_key": "urgent"},
    ]
    saved = client.put("/api/reminder-policy", headers=user["headers"], json={"steps": new}).json()["steps"]
    assert [(s["offset_days"], s["attach_pdf"]) for s in saved] == [(-3, True), (7, False), (14, True)]
    again = client.get("/api/reminder-policy", headers=user["headers"]).json()["steps"]
    assert [(s["offset_days"], s["attach_pdf"]) for s in again] == [(-3, True), (7, False), (14, True)]
    bad = client.put(
        "/api/reminder-policy",
        headers=user["headers"],
        json={"steps": [{"offset_days": 0, "template_key": "due_today", "attach_pdf": "sometimes"}]},
    )
    assert bad.status_code == 422


def test_erasing_the_account_deletes_its_files_and_export_carries_them(client, settings):
    user = register(client)
    other = register(client)
    ids = []
    for owner in (user, other):
        client_id = client.post("/api/clients", headers=owner["headers"], json={"name": "G"}).json()["id"]
        invoice = client.post(
            "/api/invoices",
            headers=owner["headers"],
            json={
                "client_id": client_id,
                "number": "N-1",
                "amount": "10.00",
                "issue_date": "2026-11-01",
                "due_date": "2026-12-01",
            },
        ).json()
        ids.append(invoice["id"])
        response = client.post(
            f"/api/documents/invoices/{invoice['id']}",
            headers=owner["headers"],
            files={"file": ("N-1.pdf", sample_pdf("mine"), "application/pdf")},
        )
        assert response.status_code == 201
    root = settings.data_dir / "documents"
    mine = client.get("/api/account", headers=user["headers"]).json()["id"]
    theirs = client.get("/api/account", headers=other["headers"]).json()["id"]

    import io
    import zipfile

    export = zipfile.ZipFile(io.BytesIO(client.get("/api/me/export", headers=user["headers"]).content))
    [stored] = [n for n in export.namelist() if n.startswith("files/invoices/")]
    assert stored.endswith("-N-1.pdf") and export.read(stored).startswith(b"%PDF-")

    response = client.post("/api/me/delete", headers=user["headers"], json={"password": user["password"]})
    assert response.status_code == 200, response.text
    assert not (root / "accounts" / str(mine)).exists()
    assert any((root / "accounts" / str(theirs)).rglob("*.pdf"))


def test_the_pay_page_and_portal_offer_the_pdf(session, clock, world, client):
    import re

    from duespark.payments.links import client_portal_url

    _, customer, invoice = world
    session.commit()
    settings = client.app.state.settings
    page = client.get(f"/pay/{invoice_pay_token(settings, invoice.id)}")
    assert page.status_code == 200
    [href] = re.findall(
        r'href="(http://testserver/pay/pdf/[^"]+)" data-action="invoice-pdf"[^>]*>Rechnung herunterladen \(PDF\)<',
        page.text,
    )
    pdf = client.get(href.removeprefix("http://testserver"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    portal = client.get(client_portal_url(settings, customer.id).removeprefix("http://testserver"))
    [portal_href] = re.findall(r'href="http://testserver(/pay/pdf/[^"]+)" data-action="invoice-pdf"', portal.text)
    assert client.get(portal_href).content.startswith(b"%PDF-")
