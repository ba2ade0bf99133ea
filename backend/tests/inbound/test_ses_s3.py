"""SES receiving's S3 action (mails over 150 KB): the raw mail is read from the configured bucket, against
moto's S3, with SNS signatures made as the SNS tests make them."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from duespark.models import WebhookEvent
from tests.conftest import make_test_settings
from tests.inbound import mails
from tests.inbound.conftest import HOOK_PASSWORD, HOOK_USER, INBOUND_DOMAIN, INBOUND_TOPIC
from tests.inbound.test_inbound_api import _replies, _signed, ses_received, signer  # noqa: F401

BUCKET = "duespark-inbound-mail"
REGION = "eu-west-1"


@pytest.fixture
def settings(tmp_path, database_url):
    return make_test_settings(
        tmp_path,
        database_url,
        inbound_domain=INBOUND_DOMAIN,
        inbound_webhook_username=HOOK_USER,
        inbound_webhook_password=HOOK_PASSWORD,
        inbound_sns_topic_arns=[INBOUND_TOPIC],
        inbound_attachment_keep_bytes=1000,
        inbound_s3_bucket=BUCKET,
        inbound_s3_region=REGION,
        inbound_max_bytes=300_000,
    )


@pytest.fixture
def s3(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        for bucket in (BUCKET, "attacker-bucket"):
            client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield client


def stored_in_s3(owner, *, bucket=BUCKET, key="inbound/o3vrnil0e2ic28trm7dfhrc2v0clambfhvoq1vg1") -> dict:
    """The notification of an S3 action: the same shape, an S3 action and no content
    (docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html)."""
    envelope = ses_received(owner, b"")
    notification = json.loads(envelope["Message"])
    del notification["content"]
    notification["receipt"]["action"] = {
        "type": "S3",
        "topicArn": INBOUND_TOPIC,
        "bucketName": bucket,
        "objectKeyPrefix": "inbound",
        "objectKey": key,
    }
    return {**envelope, "Message": json.dumps(notification)}


def big_mail(owner) -> bytes:
    """A reply with a 200 KB attachment: over SNS's 150 KB, so SES stores it in S3."""
    raw = mails.apple_mail("fr", to=owner.address)
    assert len(raw) < 150_000
    boundary_line = next(line for line in raw.split(b"\r\n") if line.startswith(b"--") and not line.endswith(b"--"))
    padding = (
        boundary_line + b"\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; "
        b'filename="scan.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n' + (b"QUFB" * 19 + b"\r\n") * 2700
    )
    closing = boundary_line + b"--"
    return raw.replace(closing, padding + closing)


def test_a_large_mail_stored_by_the_s3_action_is_fetched_and_filed(client, session, owner, signer, s3):  # noqa: F811
    raw = big_mail(owner)
    assert 150_000 < len(raw) < 300_000
    s3.put_object(Bucket=BUCKET, Key="inbound/o3vrnil0e2ic28trm7dfhrc2v0clambfhvoq1vg1", Body=raw)
    envelope = _signed(signer, stored_in_s3(owner))
    response = client.post("/api/inbound/ses", content=json.dumps(envelope))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "filed"
    [row] = _replies(session)
    assert (row.source, row.text) == ("ses_inbound", mails.REPLY["fr"])
    assert [a["filename"] for a in row.attachments] == ["remittance-4411.pdf", "scan.bin"]
    # SNS delivers again: the inbox makes it a no-op.
    again = client.post("/api/inbound/ses", content=json.dumps(envelope))
    assert again.json()["status"] == "duplicate"
    assert len(_replies(session)) == 1


def test_a_bucket_named_by_the_payload_is_never_read(client, session, owner, signer, s3):  # noqa: F811
    s3.put_object(Bucket="attacker-bucket", Key="inbound/x", Body=mails.gmail("en", to=owner.address))
    envelope = _signed(signer, stored_in_s3(owner, bucket="attacker-bucket", key="inbound/x"))
    response = client.post("/api/inbound/ses", content=json.dumps(envelope))
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "receipt.action.bucketName", "message": "Not the configured inbound bucket"}
    ]
    assert _replies(session) == []


def test_a_missing_object_is_422_naming_the_key(client, session, owner, signer, s3):  # noqa: F811
    envelope = _signed(signer, stored_in_s3(owner, key="inbound/gone"))
    response = client.post("/api/inbound/ses", content=json.dumps(envelope))
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "receipt.action.objectKey", "message": "No such object in the inbound bucket"}
    ]
    assert _replies(session) == []
    # Not stored in the inbox: a later delivery, once the object is there, is filed.
    assert session.query(WebhookEvent).filter_by(source="ses_inbound").count() == 0


def test_a_stored_mail_over_the_limit_is_413(client, session, owner, signer, s3):  # noqa: F811
    s3.put_object(Bucket=BUCKET, Key="inbound/huge", Body=mails.gmail("en", to=owner.address) + b"x" * 300_001)
    envelope = _signed(signer, stored_in_s3(owner, key="inbound/huge"))
    response = client.post("/api/inbound/ses", content=json.dumps(envelope))
    assert response.status_code == 413
    assert response.json() == {
        "error": "PayloadTooLarge",
        "detail": "The stored mail is larger than 300000 bytes (DUESPARK_INBOUND_MAX_BYTES)",
    }
    assert _replies(session) == []


def test_without_a_configured_bucket_the_s3_action_is_refused(app, client, session, owner, signer, s3):  # noqa: F811
    app.state.settings.inbound_s3_bucket = None
    s3.put_object(Bucket=BUCKET, Key="inbound/a", Body=mails.gmail("en", to=owner.address))
    envelope = _signed(signer, stored_in_s3(owner, key="inbound/a"))
    response = client.post("/api/inbound/ses", content=json.dumps(envelope))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "receipt.action.bucketName"
    assert _replies(session) == []


def test_a_forged_s3_notification_fetches_nothing(client, session, owner, signer, s3, monkeypatch):  # noqa: F811
    fetched = []
    monkeypatch.setattr("duespark.inbound.s3.InboundStore.fetch", lambda self, action: fetched.append(action))
    envelope = _signed(signer, stored_in_s3(owner))
    forged = {**envelope, "Message": envelope["Message"].replace("inbound/o3v", "inbound/x3v")}
    assert client.post("/api/inbound/ses", content=json.dumps(forged)).status_code == 403
    assert fetched == []


def test_s3_unreachable_is_502_so_sns_retries(client, session, owner, signer, s3):  # noqa: F811
    s3.delete_bucket(Bucket=BUCKET)  # NoSuchBucket: not the object's fault
    envelope = _signed(signer, stored_in_s3(owner))
    response = client.post("/api/inbound/ses", content=json.dumps(envelope))
    assert response.status_code == 502
    assert response.json()["error"] == "UpstreamFailed"
