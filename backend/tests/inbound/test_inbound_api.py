"""Replies by email through the three doors (Postmark, SES/SNS, a raw relay), and what the user does with them."""

from __future__ import annotations

import base64
import json
import smtplib
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from duespark.email import sns
from duespark.email.compose import compose_reminder
from duespark.email.message import OutgoingEmail
from duespark.email.mime import to_mime
from duespark.email.reply_address import reply_token
from duespark.email.service import is_suppressed, record_message
from duespark.models import InboundAttachment, InboundMessage, Invoice, Message, WebhookEvent
from tests.conftest import TEST_NOW
from tests.email.certs import self_signed
from tests.inbound import mails
from tests.inbound.conftest import HOOK_PASSWORD, HOOK_USER, INBOUND_DOMAIN, INBOUND_TOPIC

AUTH = (HOOK_USER, HOOK_PASSWORD)
CERT_URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem"


def postmark_payload(owner, *, text: str | None = None, message_id="<CAJx8=pm-1@mail.gmail.com>", **extra) -> dict:
    """Shaped as Postmark documents its inbound webhook (postmarkapp.com/developer/webhooks/inbound-webhook)."""
    text = (
        text
        if text is not None
        else (
            f"{mails.REPLY['en']}\n\n{mails.SIGNATURE['en']}\n\nOn Wed, 25 Nov 2026 at 10:00, Acme Studio "
            f"<{owner.address}> wrote:\n> Hello John,\n> Invoice INV-1 is overdue.\n"
        )
    )
    return {
        "FromName": "John Smith",
        "MessageStream": "inbound",
        "From": "john@globex.test",
        "FromFull": {"Email": "john@globex.test", "Name": "John Smith", "MailboxHash": ""},
        "To": f'"Acme Studio" <{owner.address}>',
        "ToFull": [{"Email": owner.address, "Name": "Acme Studio", "MailboxHash": owner.token}],
        "Cc": "",
        "CcFull": [],
        "Bcc": "",
        "BccFull": [],
        "OriginalRecipient": owner.address,
        "Subject": "Re: Invoice INV-1 is overdue",
        "MessageID": "73e6d360-66eb-11e1-8e72-a8904824019b",
        "ReplyTo": "",
        "MailboxHash": owner.token,
        "Date": "Wed, 25 Nov 2026 10:30:00 +0000",
        "TextBody": text,
        "HtmlBody": "<p>We paid it yesterday.<script>alert(1)</script></p>",
        "StrippedTextReply": mails.REPLY["en"],
        "Tag": "",
        "Headers": [
            {"Name": "X-Spam-Status", "Value": "No"},
            {"Name": "Message-ID", "Value": message_id},
            {"Name": "MIME-Version", "Value": "1.0"},
        ],
        "Attachments": [
            {
                "Name": "remittance.pdf",
                "Content": base64.b64encode(b"%PDF-1.4 4411").decode(),
                "ContentType": "application/pdf",
                "ContentLength": 13,
            },
            {
                "Name": "scan.tiff",
                "Content": base64.b64encode(b"I" * 5000).decode(),
                "ContentType": "image/tiff",
                "ContentLength": 5000,
            },
        ],
        **extra,
    }


def _replies(session, account_id: int | None = None) -> list[InboundMessage]:
    session.expire_all()
    stmt = select(InboundMessage).order_by(InboundMessage.id)
    if account_id is not None:
        stmt = stmt.where(InboundMessage.account_id == account_id)
    return list(session.scalars(stmt))


def _metric(kind: str) -> float:
    return REGISTRY.get_sample_value("duespark_inbound_messages_total", {"kind": kind}) or 0.0


# --- Postmark -----------------------------------------------------------------------------------


def test_a_postmark_reply_is_filed_holds_the_invoice_and_is_forwarded(client, session, owner):
    before = _metric("reply")
    response = client.post("/api/inbound/postmark", json=postmark_payload(owner), auth=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "filed"
    [row] = _replies(session)
    assert (row.account_id, row.invoice_id, row.kind, row.matched_by) == (
        owner.account.id,
        owner.invoice.id,
        "reply",
        "token",
    )
    assert row.text == mails.REPLY["en"]
    assert row.html == "<p>We paid it yesterday.</p>"
    assert [(a["filename"], a["size"], a["kept"]) for a in row.attachments] == [
        ("remittance.pdf", 13, True),
        ("scan.tiff", 5000, False),
    ]
    kept = session.scalars(select(InboundAttachment.content).order_by(InboundAttachment.id)).all()
    assert kept == [b"%PDF-1.4 4411", None]
    invoice = session.get(Invoice, owner.invoice.id)
    assert (invoice.hold_kind, invoice.hold_until) == ("reply", TEST_NOW.date() + timedelta(days=3))
    forward = session.get(Message, row.forwarded_message_id)
    assert (forward.kind, forward.to_email, forward.status) == ("reply_forward", owner.email, "queued")
    assert forward.content["reply_to"] == "John Smith <john@globex.test>"
    assert mails.REPLY["en"] in forward.content["text"]
    assert _metric("reply") == before + 1

    again = client.post("/api/inbound/postmark", json=postmark_payload(owner), auth=AUTH)
    assert again.json()["status"] == "duplicate"
    assert len(_replies(session)) == 1


def test_the_same_mail_through_another_provider_is_filed_once(client, session, owner):
    client.post("/api/inbound/postmark", json=postmark_payload(owner), auth=AUTH)
    raw = mails.gmail("en", to=owner.address, message_id="<CAJx8=pm-1@mail.gmail.com>")
    response = client.post("/api/inbound/raw", content=raw, auth=AUTH)
    assert response.json()["status"] == "unmatched"
    assert len(_replies(session)) == 1


@pytest.mark.parametrize("auth", [None, (HOOK_USER, "wrong"), ("someone", HOOK_PASSWORD)])
def test_forged_postmark_and_raw_calls_file_nothing(client, session, owner, auth):
    assert client.post("/api/inbound/postmark", json=postmark_payload(owner), auth=auth).status_code == 401
    raw = mails.gmail("en", to=owner.address)
    assert client.post("/api/inbound/raw", content=raw, auth=auth).status_code == 401
    assert _replies(session) == []
    assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_inbound_is_refused_when_not_configured(client, app, session, owner):
    app.state.settings = app.state.settings.model_copy(update={"inbound_webhook_password": None})
    response = client.post("/api/inbound/postmark", json=postmark_payload(owner), auth=AUTH)
    assert response.status_code == 403
    assert "DUESPARK_INBOUND_WEBHOOK_USERNAME" in response.json()["detail"]


def test_a_reply_token_of_another_account_files_nothing(client, session, settings, owner, other):
    # A MAC made for the owner's account, on the other account's invoice id: the MAC does not match.
    forged = reply_token(settings, account_id=owner.account.id, kind="i", object_id=other.invoice.id)
    tampered = f"i{other.invoice.id}-{owner.token.split('-')[1]}"
    for token in (forged, tampered):
        payload = postmark_payload(owner, MailboxHash=token, OriginalRecipient=f"reply+{token}@{INBOUND_DOMAIN}")
        payload["ToFull"] = [{"Email": f"reply+{token}@{INBOUND_DOMAIN}", "Name": "", "MailboxHash": token}]
        payload["Headers"][1]["Value"] = f"<forged-{token}@evil.test>"
        payload["MessageID"] = f"pm-{token}"
        response = client.post("/api/inbound/postmark", json=payload, auth=AUTH)
        assert response.json()["status"] == "unmatched"
    assert _replies(session) == []
    session.expire_all()
    assert session.get(Invoice, other.invoice.id).hold_kind is None


def test_a_25_mb_message_is_refused_with_413(client, session, owner):
    raw = mails.gmail("en", to=owner.address) + b"x" * (25 * 1024 * 1024)
    response = client.post("/api/inbound/raw", content=raw, auth=AUTH)
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"
    assert _replies(session) == []


def test_malformed_bodies_are_422_with_the_field(client, session, owner):
    response = client.post("/api/inbound/raw", content=b"Subject: no sender\r\n\r\nhi", auth=AUTH)
    assert response.status_code == 422
    assert "From" in response.text
    response = client.post("/api/inbound/postmark", content=b"{not json", auth=AUTH)
    assert response.status_code == 422


# --- kinds ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "de", "fr", "es"])
def test_an_out_of_office_is_recorded_but_pauses_nothing(client, session, owner, lang):
    response = client.post("/api/inbound/raw", content=mails.out_of_office(lang, to=owner.address), auth=AUTH)
    assert response.json()["status"] == "filed"
    [row] = _replies(session)
    assert row.kind == "auto_reply"
    assert row.forwarded_message_id is None
    assert session.get(Invoice, owner.invoice.id).hold_kind is None
    listed = client.get("/api/replies", params={"state": "unanswered"}, headers=owner.headers).json()
    assert listed["total"] == 0


def test_a_bounce_at_the_reply_address_goes_to_the_bounce_handling(client, session, owner, clock):
    sent = record_message(
        session,
        account_id=owner.account.id,
        client_id=owner.customer.id,
        invoice_id=owner.invoice.id,
        reminder_id=None,
        kind="reminder",
        template_key="firm",
        to_email="gone@globex.test",
        subject="Overdue",
        provider="smtp",
        provider_message_id="<r1@duespark.test>",
        status="sent",
        is_test=False,
        sent_at=clock.now(),
    )
    sent.header_message_id = "<r1@duespark.test>"
    session.commit()
    raw = mails.delivery_report(to=owner.address, returned_message_id="<r1@duespark.test>")
    assert client.post("/api/inbound/raw", content=raw, auth=AUTH).json()["status"] == "filed"
    session.expire_all()
    assert is_suppressed(session, owner.account.id, "gone@globex.test")
    assert session.get(Message, sent.id).status == "bounced"
    assert session.get(Invoice, owner.invoice.id).hold_kind is None


# --- matching by thread ---------------------------------------------------------------------------


def test_a_reply_to_the_senders_own_address_is_matched_by_in_reply_to(client, session, owner, clock):
    sent = record_message(
        session,
        account_id=owner.account.id,
        client_id=owner.customer.id,
        invoice_id=owner.invoice.id,
        reminder_id=None,
        kind="reminder",
        template_key="firm",
        to_email="john@globex.test",
        subject="Overdue",
        provider="postmark",
        provider_message_id="pm-1",
        status="sent",
        is_test=False,
        sent_at=clock.now(),
    )
    sent.header_message_id = "<5f1c0e@mail.duespark.test>"
    session.commit()
    raw = mails.outlook("de", to="owner@acme.test", in_reply_to="<5f1c0e@mail.duespark.test>")
    assert client.post("/api/inbound/raw", content=raw, auth=AUTH).json()["status"] == "filed"
    [row] = _replies(session)
    assert (row.invoice_id, row.matched_by, row.text) == (owner.invoice.id, "thread", mails.REPLY["de"])


def test_an_unknown_thread_and_address_are_unmatched_and_kept_in_the_inbox(client, session, owner):
    raw = mails.gmail("en", to="owner@acme.test", in_reply_to="<unknown@elsewhere.test>")
    assert client.post("/api/inbound/raw", content=raw, auth=AUTH).json()["status"] == "unmatched"
    event = session.scalars(select(WebhookEvent)).one()
    assert event.error.startswith("no reply address")
    assert "john@globex.test" not in json.dumps(event.payload)  # the inbox keeps no personal content


# --- SES receiving through SNS --------------------------------------------------------------------


@pytest.fixture
def signer(app):
    key, certificate = self_signed("sns.amazonaws.com", not_before=TEST_NOW - timedelta(days=1))
    app.dependency_overrides[sns.get_certificate_store] = lambda: sns.CertificateStore(
        fetch=lambda url: certificate.public_bytes(Encoding.PEM)
    )
    yield key
    app.dependency_overrides.clear()


def _signed(key, envelope: dict) -> dict:
    envelope = {**envelope, "SignatureVersion": "2", "SigningCertURL": CERT_URL}
    signature = key.sign(sns.string_to_sign(envelope), padding.PKCS1v15(), hashes.SHA256())
    return {**envelope, "Signature": base64.b64encode(signature).decode()}


def ses_received(owner, raw: bytes, *, encoding="BASE64") -> dict:
    """An SES receipt rule's SNS action, as in docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications."""
    notification = {
        "notificationType": "Received",
        "mail": {
            "timestamp": "2026-11-25T10:30:00.000Z",
            "source": "john@globex.test",
            "messageId": "o3vrnil0e2ic28trm7dfhrc2v0clambfhvoq1vg1",
            "destination": [owner.address],
            "headersTruncated": False,
            "commonHeaders": {"from": ["John Smith <john@globex.test>"], "to": [owner.address], "subject": "Re"},
        },
        "receipt": {
            "timestamp": "2026-11-25T10:30:00.000Z",
            "processingTimeMillis": 574,
            "recipients": [owner.address],
            "spamVerdict": {"status": "PASS"},
            "virusVerdict": {"status": "PASS"},
            "spfVerdict": {"status": "PASS"},
            "dkimVerdict": {"status": "PASS"},
            "dmarcVerdict": {"status": "PASS"},
            "action": {"type": "SNS", "topicArn": INBOUND_TOPIC, "encoding": encoding},
        },
        "content": base64.b64encode(raw).decode() if encoding == "BASE64" else raw.decode(),
    }
    return {
        "Type": "Notification",
        "MessageId": "b0a5c2f8-2a0b-5a4c-8b0e-1f2e3d4c5b6a",
        "TopicArn": INBOUND_TOPIC,
        "Subject": "Amazon SES Email Receipt Notification",
        "Message": json.dumps(notification),
        "Timestamp": "2026-11-25T10:30:01.000Z",
    }


@pytest.mark.parametrize("encoding", ["BASE64", "UTF8"])
def test_ses_receiving_with_a_verified_signature_files_the_reply(client, session, owner, signer, encoding):
    envelope = _signed(signer, ses_received(owner, mails.apple_mail("fr", to=owner.address), encoding=encoding))
    response = client.post("/api/inbound/ses", content=json.dumps(envelope))
    assert response.json()["status"] == "filed", response.text
    [row] = _replies(session)
    assert (row.source, row.text) == ("ses_inbound", mails.REPLY["fr"])
    assert [a["filename"] for a in row.attachments] == ["remittance-4411.pdf"]


def test_a_forged_or_foreign_sns_message_is_refused_before_it_is_read(client, session, owner, signer):
    envelope = _signed(signer, ses_received(owner, mails.gmail("en", to=owner.address)))
    forged = {**envelope, "Message": envelope["Message"].replace("Re", "Rx")}
    assert client.post("/api/inbound/ses", content=json.dumps(forged)).status_code == 403
    other_key, _ = self_signed("attacker")
    wrong_key = _signed(other_key, ses_received(owner, mails.gmail("en", to=owner.address)))
    assert client.post("/api/inbound/ses", content=json.dumps(wrong_key)).status_code == 403
    foreign = _signed(signer, {**ses_received(owner, b""), "TopicArn": "arn:aws:sns:eu-west-1:999999999999:x"})
    assert client.post("/api/inbound/ses", content=json.dumps(foreign)).status_code == 403
    assert _replies(session) == []


# --- a real SMTP session relayed to the raw endpoint ---------------------------------------------


class Relay:
    """What an SMTP relay does with a mail for the inbound domain: POST it, with the envelope, to DueSpark."""

    def __init__(self, client) -> None:
        self.client = client
        self.answers: list[int] = []

    async def handle_DATA(self, server, session, envelope):
        response = self.client.post(
            "/api/inbound/raw", params={"rcpt": envelope.rcpt_tos}, content=envelope.original_content, auth=AUTH
        )
        self.answers.append(response.status_code)
        return "250 Message accepted" if response.status_code == 200 else "451 Try again later"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_reply_through_a_real_smtp_session_reaches_the_raw_endpoint(client, session, owner):
    relay = Relay(client)
    controller = Controller(relay, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with smtplib.SMTP("127.0.0.1", controller.port, timeout=10) as smtp:
            # Bcc'd to the reply address: only the envelope (RCPT TO) names it.
            raw = mails.gmail("es", to="owner@acme.test")
            smtp.sendmail("john@globex.test", [owner.address], raw)
    finally:
        controller.stop()
    assert relay.answers == [200]
    [row] = _replies(session)
    assert (row.source, row.text, row.matched_by) == ("raw_inbound", mails.REPLY["es"], "token")


# --- the user's side --------------------------------------------------------------------------------


def test_list_answer_and_mark_replies(client, session, owner, other):
    client.post("/api/inbound/postmark", json=postmark_payload(owner), auth=AUTH)
    [row] = _replies(session)
    unanswered = client.get("/api/replies", params={"state": "unanswered"}, headers=owner.headers).json()
    assert [r["id"] for r in unanswered["items"]] == [row.id]
    assert client.get("/api/replies", headers=other.headers).json()["total"] == 0
    # Needs attention counts it (the navigation badge), for its account only.
    attention = client.get("/api/attention", headers=owner.headers).json()
    assert (attention["unanswered_replies"], attention["count"]) == (1, 1)
    assert client.get("/api/attention", headers=other.headers).json()["unanswered_replies"] == 0
    conversation = client.get(f"/api/invoices/{owner.invoice.id}/replies", headers=owner.headers).json()
    assert conversation["items"][0]["text"] == mails.REPLY["en"]

    # Another account's reply and invoice are not there.
    assert client.get(f"/api/invoices/{owner.invoice.id}/replies", headers=other.headers).status_code == 404
    hostile = client.post(f"/api/replies/{row.id}/answer", json={"text": "x"}, headers=other.headers)
    assert hostile.status_code == 404
    assert client.post(f"/api/replies/{row.id}/answered", json={}, headers=other.headers).status_code == 404

    text = "Thank you John, <script>alert(1)</script> we will check."
    answered = client.post(f"/api/replies/{row.id}/answer", json={"text": text}, headers=owner.headers)
    assert answered.status_code == 200, answered.text
    assert answered.json()["answer"]["text"] == text + "\n"
    session.expire_all()
    message = session.get(Message, answered.json()["answer"]["id"])
    assert (message.kind, message.to_email, message.invoice_id) == (
        "reply_answer",
        "john@globex.test",
        owner.invoice.id,
    )
    email = OutgoingEmail.from_dict(message.content)
    assert email.headers["In-Reply-To"] == "<CAJx8=pm-1@mail.gmail.com>"
    assert email.headers["References"] == "<CAJx8=pm-1@mail.gmail.com>"
    assert email.subject == "Re: Invoice INV-1 is overdue"
    assert email.reply_to.endswith(f"<{owner.address}>")
    assert message.header_message_id == email.headers["Message-ID"]
    assert client.get("/api/replies", params={"state": "unanswered"}, headers=owner.headers).json()["total"] == 0
    assert client.get("/api/attention", headers=owner.headers).json()["count"] == 0

    # The client answers the answer (to the sender's address): the thread finds the invoice again.
    raw = mails.gmail(
        "en", to="owner@acme.test", in_reply_to=email.headers["Message-ID"], message_id="<second@mail.gmail.com>"
    )
    assert client.post("/api/inbound/raw", content=raw, auth=AUTH).json()["status"] == "filed"
    assert client.get("/api/replies", params={"state": "unanswered"}, headers=owner.headers).json()["total"] == 1

    reopened = client.post(f"/api/replies/{row.id}/answered", json={"answered": False}, headers=owner.headers)
    assert reopened.json()["answered_at"] is None
    assert client.get("/api/replies", params={"state": "unanswered"}, headers=owner.headers).json()["total"] == 2


def test_reply_settings_change_the_hold_and_the_forwarding(client, session, owner):
    response = client.put(
        "/api/reply-settings", json={"reply_hold_days": 7, "forward_replies": False}, headers=owner.headers
    )
    assert response.json() == {"reply_hold_days": 7, "forward_replies": False, "reply_address_enabled": True}
    assert client.put("/api/reply-settings", json={"reply_hold_days": 900}, headers=owner.headers).status_code == 422
    client.post("/api/inbound/postmark", json=postmark_payload(owner), auth=AUTH)
    [row] = _replies(session)
    assert row.forwarded_message_id is None
    assert session.get(Invoice, owner.invoice.id).hold_until == TEST_NOW.date() + timedelta(days=7)


def test_attachments_download_only_for_the_owner(client, session, owner, other):
    client.post("/api/inbound/postmark", json=postmark_payload(owner), auth=AUTH)
    [row] = _replies(session)
    response = client.get(f"/api/replies/{row.id}/attachments/0", headers=owner.headers)
    assert response.content == b"%PDF-1.4 4411"
    assert response.headers["content-disposition"] == 'attachment; filename="remittance.pdf"'
    assert client.get(f"/api/replies/{row.id}/attachments/1", headers=owner.headers).status_code == 404  # not kept
    assert client.get(f"/api/replies/{row.id}/attachments/0", headers=other.headers).status_code == 404


# --- the outgoing side ----------------------------------------------------------------------------


def test_reminders_carry_the_routed_reply_address_and_the_forward_reads_well(client, session, owner, settings, clock):
    email = compose_reminder(
        account=owner.account,
        client=owner.customer,
        invoice=owner.invoice,
        template_key="firm",
        reminder_id=None,
        settings=settings,
        clock=clock,
        session=session,
    )
    assert email.reply_to == f"{owner.account.sender_name or owner.account.name} <{owner.address}>"
    plain = compose_reminder(
        account=owner.account,
        client=owner.customer,
        invoice=owner.invoice,
        template_key="firm",
        reminder_id=None,
        settings=settings.model_copy(update={"inbound_domain": None}),
        clock=clock,
        session=session,
    )
    assert plain.reply_to == owner.account.sender_email

    client.post("/api/inbound/postmark", json=postmark_payload(owner), auth=AUTH)
    [row] = _replies(session)
    forward = OutgoingEmail.from_dict(session.get(Message, row.forwarded_message_id).content)
    raw = to_mime(forward).as_bytes()
    headers = raw.split(b"\r\n\r\n", 1)[0].decode()
    print("\n--- forwarded reply, raw headers ---\n" + headers)
    assert "Reply-To: John Smith <john@globex.test>" in headers
    assert f"To: {owner.email}" in headers
    assert "Auto-Submitted: auto-generated" in headers
    assert "Subject: Reply about invoice" in headers


# --- privacy ---------------------------------------------------------------------------------------


def test_replies_are_in_the_export_and_go_with_the_account(client, session, owner, other):
    import io
    import zipfile

    client.post("/api/inbound/postmark", json=postmark_payload(owner), auth=AUTH)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/api/me/export", headers=owner.headers).content))
    [exported] = json.loads(archive.read("json/inbound_messages.json"))
    assert (exported["text"], exported["from_email"]) == (mails.REPLY["en"], "john@globex.test")
    files = json.loads(archive.read("json/inbound_attachments.json"))
    assert [f["filename"] for f in files] == ["remittance.pdf", "scan.tiff"]
    other_archive = zipfile.ZipFile(io.BytesIO(client.get("/api/me/export", headers=other.headers).content))
    assert json.loads(other_archive.read("json/inbound_messages.json")) == []

    password = "correct horse battery"
    response = client.post("/api/me/delete", json={"password": password}, headers=owner.headers)
    assert response.status_code == 200, response.text
    assert response.json()["rows_deleted"]["inbound_messages"] == 1
    assert response.json()["rows_deleted"]["inbound_attachments"] == 2
    assert _replies(session) == []


@pytest.mark.parametrize(
    "garbage",
    [
        {"Headers": "Message-ID: <x@y>", "Attachments": 5, "ToFull": "someone", "CcFull": None},
        {"Attachments": [{"Name": ["a"], "Content": "%%%not base64", "ContentLength": "abc"}, "x", 3]},
        {"FromFull": "john@globex.test", "MailboxHash": {"token": 1}, "Subject": ["Re"], "TextBody": 42},
    ],
    ids=["wrong-types", "bad-attachments", "odd-values"],
)
def test_postmark_payloads_with_wrong_types_are_never_a_500(client, session, owner, garbage):
    response = client.post("/api/inbound/postmark", json=postmark_payload(owner, **garbage), auth=AUTH)
    assert response.status_code in (200, 422), response.text
