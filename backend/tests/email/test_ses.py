"""The SES v2 provider through boto3, against moto's SES."""

from __future__ import annotations

import email
from email import policy

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from duespark.email.message import OutgoingEmail
from duespark.email.providers import build_provider
from duespark.email.providers.base import PermanentSendError, SendResult, TransientSendError
from duespark.email.providers.ses import SesProvider
from duespark.settings import Settings

REGION = "eu-west-1"


@pytest.fixture
def aws(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield boto3.client("sesv2", region_name=REGION)


def _message(to: str = "client@globex.test") -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        from_email="reminders@mail.duespark.test",
        from_name="Ada Lovelace",
        subject="Final notice: invoice 2026-017",
        text="Dear client,\n\nthis is my final reminder.\n",
        html="<p>Dear client,</p>",
        reply_to="ada@ada.test",
        headers={
            "Message-ID": "<final-1@mail.duespark.test>",
            "List-Unsubscribe": "<https://app.test/unsubscribe/t>, <mailto:ada@ada.test?subject=Unsubscribe>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        tag="final",
        metadata={"reminder_id": "12", "invoice_id": "7"},
    )


def test_send_email_with_raw_mime_through_sesv2(aws):
    aws.create_email_identity(EmailIdentity="mail.duespark.test")
    provider = build_provider(Settings(env="test", email_provider="ses", ses_region=REGION))
    assert isinstance(provider, SesProvider)
    result = provider.send(_message())
    assert isinstance(result, SendResult) and result.provider_message_id
    [sent] = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    # moto lists the To header and the Destination both; real SES delivers to the Destination.
    assert set(sent.destinations) == {"client@globex.test"}
    parsed = email.message_from_string(sent.raw_data, policy=policy.default)
    assert parsed["Subject"] == "Final notice: invoice 2026-017"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Message-ID"] == "<final-1@mail.duespark.test>"
    text, html = parsed.get_payload()
    assert "final reminder" in text.get_content() and "<p>Dear client,</p>" in html.get_content()


def test_request_carries_tags_reply_to_and_configuration_set():
    provider = SesProvider(region=REGION, configuration_set="duespark-events", client=object())
    request = provider.request(_message())
    assert request["ConfigurationSetName"] == "duespark-events"
    assert request["ReplyToAddresses"] == ["ada@ada.test"]
    assert request["Destination"] == {"ToAddresses": ["client@globex.test"]}
    assert request["EmailTags"] == [
        {"Name": "kind", "Value": "final"},
        {"Name": "invoice_id", "Value": "7"},
        {"Name": "reminder_id", "Value": "12"},
    ]


def test_unverified_sender_is_rejected_permanently(aws):
    provider = SesProvider(region=REGION)
    with pytest.raises(PermanentSendError, match="MessageRejected"):
        provider.send(_message())


class _Failing:
    def __init__(self, code: str) -> None:
        self.code = code

    def send_email(self, **_kwargs):
        raise ClientError({"Error": {"Code": self.code, "Message": "from SES"}}, "SendEmail")


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("TooManyRequestsException", TransientSendError),
        ("LimitExceededException", TransientSendError),
        ("SendingPausedException", TransientSendError),
        ("AccountSuspendedException", TransientSendError),
        ("MailFromDomainNotVerifiedException", TransientSendError),
        ("MessageRejected", PermanentSendError),
        ("BadRequestException", PermanentSendError),
    ],
)
def test_error_codes_map_to_permanent_or_transient(code, error):
    provider = SesProvider(region=REGION, client=_Failing(code))
    with pytest.raises(error, match=code):
        provider.send(_message())
    [outcome] = provider.send_batch([_message()])
    assert type(outcome) is error
