"""Postmark and SES/SNS webhooks: authenticated, stored once, applied to messages and suppressions."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import httpx
import pytest
import respx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import func, select

from duespark.email import sns
from duespark.email.service import is_suppressed, record_message, suppress
from duespark.models import Message, MessageEvent, Suppression, WebhookEvent
from duespark.webhooks import store_webhook_event
from tests.conftest import TEST_NOW, make_test_settings
from tests.email.certs import self_signed
from tests.helpers import make_account, make_client, make_invoice, register

HOOK_USER, HOOK_PASSWORD = "postmark", "hook-password-0123456789"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:duespark-ses-events"
CERT_URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem"
POSTMARK_ID = "883953f4-6105-42a2-a16a-77a8eac79483"
SES_ID = "0102019a5b3c4d5e-3c9a2f1b-7d2e-4b8a-9f0c-1a2b3c4d5e6f-000000"


@pytest.fixture
def settings(tmp_path, database_url):
    return make_test_settings(
        tmp_path,
        database_url,
        postmark_webhook_username=HOOK_USER,
        postmark_webhook_password=HOOK_PASSWORD,
        ses_sns_topic_arns=[TOPIC],
    )


@pytest.fixture
def sent(session, clock):
    """A reminder that went out through Postmark and one through SES, to the same client."""
    account = make_account(session, clock=clock)
    customer = make_client(session, account=account, clock=clock, email="John@Globex.test")
    invoice = make_invoice(session, client=customer, clock=clock)
    messages = {}
    for provider, provider_id in (("postmark", POSTMARK_ID), ("ses", SES_ID)):
        messages[provider] = record_message(
            session,
            account_id=account.id,
            client_id=customer.id,
            invoice_id=invoice.id,
            reminder_id=41,
            kind="reminder",
            template_key="firm",
            to_email="john@globex.test",
            subject="Overdue: invoice",
            provider=provider,
            provider_message_id=provider_id,
            status="sent",
            is_test=False,
            sent_at=clock.now(),
        )
    return account, customer, invoice, messages


def _count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


# --- Postmark (payloads as in Postmark's webhook documentation) --------------------------------


def hard_bounce(email="john@globex.test", bounce_id=4323372036854775807, **extra):
    return {
        "RecordType": "Bounce",
        "MessageStream": "outbound",
        "ID": bounce_id,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Name": "Hard bounce",
        "Tag": "firm",
        "MessageID": POSTMARK_ID,
        "Metadata": {"reminder_id": "41"},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "reminders@mail.duespark.test",
        "BouncedAt": "2026-11-25T10:05:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Overdue: invoice",
        "Content": "Return-Path:<>\nReceived: ...",
        **extra,
    }


def delivery(at="2026-11-25T10:01:45-05:00"):
    return {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "outbound",
        "MessageID": POSTMARK_ID,
        "Recipient": "john@globex.test",
        "Tag": "firm",
        "DeliveredAt": at,
        "Details": "smtp;250 2.0.0 OK 1480624905 l186si10190883ite.73 - gsmtp",
        "Metadata": {"reminder_id": "41"},
    }


def spam_complaint():
    return {
        "RecordType": "SpamComplaint",
        "MessageStream": "outbound",
        "ID": 42,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "Tag": "firm",
        "MessageID": POSTMARK_ID,
        "Metadata": {},
        "ServerID": 1234,
        "Description": "",
        "Details": "Test spam complaint details",
        "Email": "john@globex.test",
        "From": "reminders@mail.duespark.test",
        "BouncedAt": "2026-11-25T11:00:00.0000000Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": False,
        "Subject": "Overdue: invoice",
        "Content": "<Abuse report dump>",
    }


def _postmark(client, payload, auth=(HOOK_USER, HOOK_PASSWORD)):
    return client.post("/api/webhooks/postmark", json=payload, auth=auth)


def test_unauthenticated_or_wrong_postmark_calls_change_nothing(client, session, sent):
    for auth in (None, (HOOK_USER, "wrong"), ("someone", HOOK_PASSWORD)):
        response = _postmark(client, hard_bounce(), auth=auth)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert _count(session, WebhookEvent) == _count(session, Suppression) == _count(session, MessageEvent) == 0
    assert sent[3]["postmark"].status == "sent"


def test_postmark_webhooks_are_refused_when_not_configured(client, app, session, sent):
    app.state.settings = app.state.settings.model_copy(update={"postmark_webhook_password": None})
    assert _postmark(client, hard_bounce()).status_code == 403
    assert _count(session, Suppression) == 0


def test_hard_bounce_suppresses_the_address_everywhere_and_pauses_its_clients(
    client, session, clock, sent, suppressed_events
):
    account, customer, _invoice, messages = sent
    other_account = make_account(session, clock=clock, name="Other")
    same_person = make_client(session, account=other_account, clock=clock, email="john@globex.test")
    response = _postmark(client, hard_bounce())
    assert response.status_code == 200 and response.json() == {"status": "processed"}

    assert is_suppressed(session, account.id, "JOHN@globex.test")
    assert is_suppressed(session, other_account.id, "john@globex.test")
    [row] = session.scalars(select(Suppression)).all()
    assert (row.account_id, row.email, row.reason) == (None, "john@globex.test", "hard_bounce")
    assert "HardBounce" in row.detail
    assert suppressed_events.calls == [([customer.id, same_person.id], "hard_bounce")]
    session.expire_all()
    message = session.get(Message, messages["postmark"].id)
    assert message.status == "bounced" and message.bounced_at.isoformat() == "2026-11-25T10:05:54.907025+00:00"
    [event] = session.scalars(select(MessageEvent)).all()
    assert event.type == "bounced" and event.payload["ID"] == 4323372036854775807

    # Postmark retries: the same event again changes nothing.
    again = _postmark(client, hard_bounce())
    assert again.json() == {"status": "duplicate"}
    assert _count(session, MessageEvent) == 1 and _count(session, Suppression) == 1
    assert len(suppressed_events.calls) == 1


def test_soft_bounce_is_recorded_without_suppressing(client, session, sent):
    soft = hard_bounce(bounce_id=77, Type="SoftBounce", TypeCode=4096, Name="Soft bounce", Inactive=False)
    assert _postmark(client, soft).status_code == 200
    assert _count(session, Suppression) == 0
    assert [e.type for e in session.scalars(select(MessageEvent))] == ["soft_bounced"]
    assert session.get(Message, sent[3]["postmark"].id).status == "sent"


def test_delivery_is_recorded_and_never_hides_a_bounce(client, session, sent):
    message_id = sent[3]["postmark"].id
    assert _postmark(client, delivery()).status_code == 200
    session.expire_all()
    message = session.get(Message, message_id)
    assert message.status == "delivered" and message.delivered_at.isoformat() == "2026-11-25T15:01:45+00:00"
    assert _postmark(client, hard_bounce()).status_code == 200
    # A delivery reported late (a different recipient line, so a new event) must not undo the bounce.
    late = delivery(at="2026-11-25T09:59:00Z") | {"Recipient": "cc@globex.test"}
    assert _postmark(client, late).status_code == 200
    session.expire_all()
    assert session.get(Message, message_id).status == "bounced"
    assert _count(session, MessageEvent) == 3


def test_spam_complaint_suppresses_for_that_account_only(client, session, clock, sent, suppressed_events):
    account, customer, _invoice, messages = sent
    other_account = make_account(session, clock=clock, name="Other")
    assert _postmark(client, spam_complaint()).status_code == 200
    assert is_suppressed(session, account.id, "john@globex.test")
    assert not is_suppressed(session, other_account.id, "john@globex.test")
    assert suppressed_events.calls == [([customer.id], "complaint")]
    session.expire_all()
    assert session.get(Message, messages["postmark"].id).status == "complained"


def test_events_for_unknown_messages_still_suppress(client, session, sent):
    assert _postmark(client, hard_bounce(email="stranger@x.test") | {"MessageID": "not-ours"}).status_code == 200
    assert is_suppressed(session, sent[0].id, "stranger@x.test")
    assert _count(session, MessageEvent) == 0


def test_not_json_is_refused(client, session):
    response = client.post("/api/webhooks/postmark", content=b"[1, 2]", auth=(HOOK_USER, HOOK_PASSWORD))
    assert response.status_code == 422
    assert _count(session, WebhookEvent) == 0


# --- SES through SNS ----------------------------------------------------------------------------


@pytest.fixture
def signer(app):
    key, certificate = self_signed("sns.amazonaws.com", not_before=TEST_NOW - timedelta(days=1))
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return certificate.public_bytes(Encoding.PEM)

    app.dependency_overrides[sns.get_certificate_store] = lambda: sns.CertificateStore(fetch=fetch)
    yield key, fetched
    app.dependency_overrides.clear()


def _sign(key, envelope: dict, version: str = "1") -> dict:
    envelope = {**envelope, "SignatureVersion": version, "SigningCertURL": CERT_URL}
    algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()  # noqa: S303 - SNS version 1 is SHA1
    signature = key.sign(sns.string_to_sign(envelope), padding.PKCS1v15(), algorithm)
    return {**envelope, "Signature": base64.b64encode(signature).decode()}


def _notification(event: dict, message_id: str = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324") -> dict:
    return {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": TOPIC,
        "Subject": "Amazon SES Email Event Notification",
        "Message": json.dumps(event),
        "Timestamp": "2026-11-25T10:06:00.000Z",
        "UnsubscribeURL": f"https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={TOPIC}:1",
    }


def _mail():
    return {
        "timestamp": "2026-11-25T10:00:00.000Z",
        "source": "Ada Lovelace <reminders@mail.duespark.test>",
        "sourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/mail.duespark.test",
        "sendingAccountId": "123456789012",
        "messageId": SES_ID,
        "destination": ["john@globex.test"],
        "headersTruncated": False,
        "tags": {"kind": ["firm"], "reminder_id": ["41"]},
    }


def ses_bounce(bounce_type="Permanent"):
    return {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": "john@globex.test",
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
            "timestamp": "2026-11-25T10:05:02.669Z",
            "feedbackId": "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
            "reportingMTA": "dsn; mta.globex.test",
        },
        "mail": _mail(),
    }


def ses_complaint():
    return {
        "eventType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": "john@globex.test"}],
            "timestamp": "2026-11-25T11:00:00.000Z",
            "feedbackId": "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000001",
            "userAgent": "Mozilla/5.0",
            "complaintFeedbackType": "abuse",
            "arrivalDate": "2026-11-25T10:59:00.000Z",
        },
        "mail": _mail(),
    }


def ses_delivery():
    return {
        "eventType": "Delivery",
        "mail": _mail(),
        "delivery": {
            "timestamp": "2026-11-25T10:00:03.000Z",
            "processingTimeMillis": 3000,
            "recipients": ["john@globex.test"],
            "smtpResponse": "250 2.6.0 Message received",
            "reportingMTA": "a8-70.smtp-out.amazonses.com",
        },
    }


def _ses(client, envelope):
    return client.post(
        "/api/webhooks/ses",
        content=json.dumps(envelope),
        headers={"Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": envelope.get("Type", "")},
    )


@pytest.mark.parametrize("version", ["1", "2"])
def test_ses_hard_bounce_with_valid_signature_suppresses(client, session, signer, sent, version, suppressed_events):
    key, fetched = signer
    _account, customer, _invoice, messages = sent
    response = _ses(client, _sign(key, _notification(ses_bounce()), version))
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "processed"}
    assert fetched == [CERT_URL]
    [row] = session.scalars(select(Suppression)).all()
    assert (row.account_id, row.email, row.reason) == (None, "john@globex.test", "hard_bounce")
    assert suppressed_events.calls == [([customer.id], "hard_bounce")]
    session.expire_all()
    assert session.get(Message, messages["ses"].id).status == "bounced"
    assert session.get(Message, messages["postmark"].id).status == "sent"
    [stored] = session.scalars(select(WebhookEvent)).all()
    assert (stored.source, stored.type, stored.processed_at is not None) == ("ses", "Bounce", True)
    assert _ses(client, _sign(key, _notification(ses_bounce()), version)).json() == {"status": "duplicate"}


def test_ses_transient_bounce_complaint_and_delivery(client, session, signer, sent):
    key, _ = signer
    account, _customer, _invoice, messages = sent
    assert _ses(client, _sign(key, _notification(ses_delivery(), "m-1"))).status_code == 200
    assert _ses(client, _sign(key, _notification(ses_bounce("Transient"), "m-2"))).status_code == 200
    assert _count(session, Suppression) == 0
    assert _ses(client, _sign(key, _notification(ses_complaint(), "m-3"))).status_code == 200
    [row] = session.scalars(select(Suppression)).all()
    assert (row.account_id, row.reason) == (account.id, "complaint")
    session.expire_all()
    message = session.get(Message, messages["ses"].id)
    assert message.status == "complained" and message.delivered_at is not None
    types = [e.type for e in session.scalars(select(MessageEvent).order_by(MessageEvent.id))]
    assert types == ["delivered", "soft_bounced", "complained"]


def _tampered(key):
    signed = _sign(key, _notification(ses_bounce()))
    return {**signed, "Message": json.dumps(ses_bounce() | {"mail": _mail() | {"messageId": "other"}})}


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(_tampered, id="message-changed-after-signing"),
        pytest.param(lambda key: {**_sign(key, _notification(ses_bounce())), "Signature": "AAAA"}, id="bad-signature"),
        pytest.param(lambda key: _sign(self_signed("x")[0], _notification(ses_bounce())), id="other-key"),
        pytest.param(
            lambda key: _sign(key, {**_notification(ses_bounce()), "TopicArn": TOPIC + "-other"}), id="other-topic"
        ),
        pytest.param(lambda key: {**_sign(key, _notification(ses_bounce())), "SignatureVersion": "3"}, id="version"),
        pytest.param(
            lambda key: {**_sign(key, _notification(ses_bounce())), "Type": "SubscriptionConfirmation"}, id="type"
        ),
    ],
)
def test_forged_sns_messages_change_nothing(client, session, signer, sent, forge):
    key, _ = signer
    response = _ses(client, forge(key))
    assert response.status_code == 403
    assert _count(session, WebhookEvent) == _count(session, Suppression) == _count(session, MessageEvent) == 0


@pytest.mark.parametrize(
    "url",
    [
        "https://sns.eu-west-1.amazonaws.com.evil.test/cert.pem",
        "https://evil.test/sns.eu-west-1.amazonaws.com/cert.pem",
        "http://sns.eu-west-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com/cert.pem",
        "https://user@sns.eu-west-1.amazonaws.com/cert.pem",
        "https://sns.eu-west-1.amazonaws.com/cert.txt",
    ],
)
def test_certificates_are_only_fetched_from_the_topics_sns_host(client, session, signer, sent, url):
    key, fetched = signer
    envelope = _sign(key, _notification(ses_bounce()))
    assert _ses(client, {**envelope, "SigningCertURL": url}).status_code == 403
    assert fetched == []
    assert _count(session, Suppression) == 0


def test_expired_signing_certificate_is_refused(client, app, session, sent):
    key, certificate = self_signed("sns.amazonaws.com", not_before=TEST_NOW - timedelta(days=60), days=30)
    store = sns.CertificateStore(fetch=lambda url: certificate.public_bytes(Encoding.PEM))
    app.dependency_overrides[sns.get_certificate_store] = lambda: store
    try:
        assert _ses(client, _sign(key, _notification(ses_bounce()))).status_code == 403
    finally:
        app.dependency_overrides.clear()
    assert _count(session, Suppression) == 0


def test_subscription_confirmation_visits_the_subscribe_url(client, session, signer):
    key, _ = signer
    subscribe_url = (
        "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn="
        f"{TOPIC}&Token=2336412f37fb687f5d51e6e2425dacbba"
    )
    envelope = _sign(
        key,
        {
            "Type": "SubscriptionConfirmation",
            "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
            "Token": "2336412f37fb687f5d51e6e2425dacbba",
            "TopicArn": TOPIC,
            "Message": f"You have chosen to subscribe to the topic {TOPIC}.\nTo confirm the subscription, visit the "
            "SubscribeURL included in this message.",
            "SubscribeURL": subscribe_url,
            "Timestamp": "2026-11-25T10:00:00.000Z",
        },
        version="2",
    )
    with respx.mock:
        route = respx.get(subscribe_url).mock(return_value=httpx.Response(200, text="<ConfirmSubscriptionResponse/>"))
        response = _ses(client, envelope)
    assert response.status_code == 200 and route.called
    [stored] = session.scalars(select(WebhookEvent)).all()
    assert stored.type == "SubscriptionConfirmation"


def test_ses_webhook_refuses_everything_without_configured_topics(client, app, session, signer, sent):
    key, _ = signer
    app.state.settings = app.state.settings.model_copy(update={"ses_sns_topic_arns": []})
    assert _ses(client, _sign(key, _notification(ses_bounce()))).status_code == 403


def test_messages_of_an_invoice_are_listed_with_their_events(client, session, clock):
    user = register(client)
    created = client.post("/api/clients", headers=user["headers"], json={"name": "G", "email": "john@globex.com"})
    invoice = client.post(
        "/api/invoices",
        headers=user["headers"],
        json={
            "client_id": created.json()["id"],
            "number": "A-1",
            "amount": "10.00",
            "issue_date": "2026-11-01",
            "due_date": "2026-11-20",
        },
    ).json()
    account_id = client.get("/api/me", headers=user["headers"]).json()["account"]["id"]
    record_message(
        session,
        account_id=account_id,
        client_id=created.json()["id"],
        invoice_id=invoice["id"],
        reminder_id=5,
        kind="reminder",
        template_key="firm",
        to_email="john@globex.com",
        subject="Overdue",
        provider="postmark",
        provider_message_id=POSTMARK_ID,
        status="sent",
        is_test=False,
        sent_at=clock.now(),
    )
    assert _postmark(client, delivery() | {"Recipient": "john@globex.com"}).status_code == 200
    listed = client.get(f"/api/invoices/{invoice['id']}/messages", headers=user["headers"])
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert (item["status"], item["provider"], item["reminder_id"], item["template_key"]) == (
        "delivered",
        "postmark",
        5,
        "firm",
    )
    assert [e["type"] for e in item["events"]] == ["delivered"]
    other = register(client)
    assert client.get(f"/api/invoices/{invoice['id']}/messages", headers=other["headers"]).status_code == 404


def test_store_webhook_event_inserts_once(session, clock):
    first = store_webhook_event(session, source="stripe", external_id="evt_1", type="x", payload={"a": 1}, clock=clock)
    again = store_webhook_event(session, source="stripe", external_id="evt_1", type="x", payload={"a": 2}, clock=clock)
    other_source = store_webhook_event(session, source="ses", external_id="evt_1", type="x", payload={}, clock=clock)
    assert first is not None and first.payload == {"a": 1} and first.received_at == clock.now()
    assert again is None and other_source is not None


def test_suppressions_are_listed_and_the_accounts_own_can_be_lifted(client, session, clock):
    user = register(client)
    account_id = client.get("/api/me", headers=user["headers"]).json()["account"]["id"]
    client.post("/api/clients", headers=user["headers"], json={"name": "A", "email": "Bounced@Globex.com"})
    client.post("/api/clients", headers=user["headers"], json={"name": "B", "email": "angry@globex.com"})
    suppress(session, account_id=None, email="bounced@globex.com", reason="hard_bounce", clock=clock)
    suppress(session, account_id=None, email="someone-else@x.test", reason="hard_bounce", clock=clock)
    suppress(session, account_id=account_id, email="angry@globex.com", reason="complaint", clock=clock)
    other = register(client)
    other_account = client.get("/api/me", headers=other["headers"]).json()["account"]["id"]
    suppress(session, account_id=other_account, email="theirs@globex.com", reason="complaint", clock=clock)
    session.flush()

    items = client.get("/api/suppressions", headers=user["headers"]).json()["items"]
    assert {(i["email"], i["reason"], i["scope"]) for i in items} == {
        ("bounced@globex.com", "hard_bounce", "global"),
        ("angry@globex.com", "complaint", "account"),
    }
    by_email = {i["email"]: i["id"] for i in items}
    assert (
        client.delete(f"/api/suppressions/{by_email['bounced@globex.com']}", headers=user["headers"]).status_code == 404
    )
    theirs = client.get("/api/suppressions", headers=other["headers"]).json()["items"][0]["id"]
    assert client.delete(f"/api/suppressions/{theirs}", headers=user["headers"]).status_code == 404
    assert (
        client.delete(f"/api/suppressions/{by_email['angry@globex.com']}", headers=user["headers"]).status_code == 204
    )
    assert not is_suppressed(session, account_id, "angry@globex.com")
    assert is_suppressed(session, account_id, "bounced@globex.com")
