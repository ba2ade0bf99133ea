from __future__ import annotations

import re
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from duespark.email.message import OutgoingEmail
from duespark.email.mime import to_mime
from duespark.email.providers.base import PermanentSendError, SendResult, SendsOneByOne, TransientSendError
from duespark.settings import Settings

# SES v2 errors that mean "this message will never go"; throttling, paused sending, an unverified
# sender domain or a missing configuration set are account states the operator fixes.
PERMANENT_ERRORS = frozenset({"MessageRejected", "BadRequestException", "InvalidParameterValue"})
_TAG_VALUE = re.compile(r"[^A-Za-z0-9_\-.@]")


def _tag(name: str, value: str) -> dict[str, str]:
    return {"Name": name, "Value": _TAG_VALUE.sub("_", value)[:256] or "_"}


class SesProvider(SendsOneByOne):
    """AWS SES v2 SendEmail with the raw MIME message, so List-Unsubscribe and every header go as built."""

    name = "ses"

    def __init__(self, *, region: str, configuration_set: str | None = None, client: Any = None) -> None:
        self.configuration_set = configuration_set
        self.client = client or boto3.client("sesv2", region_name=region)

    @classmethod
    def from_settings(cls, settings: Settings) -> SesProvider:
        return cls(region=settings.ses_region, configuration_set=settings.ses_configuration_set)

    def request(self, message: OutgoingEmail) -> dict[str, Any]:
        tags = [_tag("kind", message.tag or "email")]
        tags.extend(_tag(key, value) for key, value in sorted(message.metadata.items()))
        request: dict[str, Any] = {
            "FromEmailAddress": message.from_email,
            "Destination": {"ToAddresses": [message.to]},
            "Content": {"Raw": {"Data": bytes(to_mime(message))}},
            "EmailTags": tags,
        }
        if message.reply_to:
            request["ReplyToAddresses"] = [message.reply_to]
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        return request

    def send(self, message: OutgoingEmail) -> SendResult:
        try:
            response = self.client.send_email(**self.request(message))
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            text = f"SES {code}: {exc.response.get('Error', {}).get('Message', '')}"
            if code in PERMANENT_ERRORS:
                raise PermanentSendError(text) from exc
            raise TransientSendError(text) from exc
        except BotoCoreError as exc:
            raise TransientSendError(f"SES unreachable: {exc}") from exc
        return SendResult(provider_message_id=response["MessageId"])
