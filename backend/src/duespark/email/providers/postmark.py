from __future__ import annotations

import base64
from collections.abc import Sequence
from email.utils import formataddr
from typing import Any

import httpx

from duespark.email.message import OutgoingEmail
from duespark.email.providers.base import PermanentSendError, SendError, SendResult, TransientSendError
from duespark.settings import Settings

API_URL = "https://api.postmarkapp.com"
BATCH_LIMIT = 500  # Postmark's limit per /email/batch call
# Postmark's API error codes that no retry can fix: 300 invalid email request, 406 inactive
# recipient (bounced or complained before), 402/403/409 malformed JSON. Every other code (10 bad
# token, 400/401 sender signature, 405/412/413 account may not send, 429 rate limit, 100
# maintenance) is a state of the Postmark account that passes or that the operator fixes.
PERMANENT_CODES = frozenset({300, 402, 403, 406, 409, 411})


def classify(error_code: int, message: str) -> SendError:
    text = f"Postmark {error_code}: {message}"
    return PermanentSendError(text) if error_code in PERMANENT_CODES else TransientSendError(text)


def _outcome(item: dict[str, Any]) -> SendResult | SendError:
    code = int(item.get("ErrorCode", -1))
    if code == 0 and item.get("MessageID"):
        return SendResult(provider_message_id=str(item["MessageID"]))
    return classify(code, str(item.get("Message", "")))


class PostmarkProvider:
    """Postmark's HTTP API on the transactional stream; one request per message or per batch of 500."""

    name = "postmark"

    def __init__(self, *, server_token: str, message_stream: str, http: httpx.Client | None = None) -> None:
        self.message_stream = message_stream
        self.http = http or httpx.Client(
            base_url=API_URL,
            timeout=httpx.Timeout(20.0, connect=5.0),
            headers={"Accept": "application/json", "X-Postmark-Server-Token": server_token},
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> PostmarkProvider:
        return cls(server_token=settings.postmark_server_token or "", message_stream=settings.postmark_message_stream)

    def payload(self, message: OutgoingEmail) -> dict[str, Any]:
        body: dict[str, Any] = {
            "From": formataddr((message.from_name or "", message.from_email)),
            "To": message.to,
            "Subject": message.subject,
            "TextBody": message.text,
            "MessageStream": self.message_stream,
        }
        if message.html:
            body["HtmlBody"] = message.html
        if message.reply_to:
            body["ReplyTo"] = message.reply_to
        if message.headers:
            body["Headers"] = [{"Name": name, "Value": value} for name, value in message.headers.items()]
        if message.tag:
            body["Tag"] = message.tag
        if message.metadata:
            body["Metadata"] = dict(message.metadata)
        attachments = [
            {
                "Name": a.file_name,
                "Content": base64.b64encode(a.data).decode("ascii"),
                "ContentType": a.content_type,
            }
            for a in message.attachments
        ]
        if message.html and message.inline_images:
            # Postmark builds the multipart/related itself from attachments that carry a ContentID.
            attachments += [
                {
                    "Name": image.filename,
                    "Content": image.data_base64,
                    "ContentType": image.content_type,
                    "ContentID": f"cid:{image.content_id}",
                }
                for image in message.inline_images
            ]
        if attachments:
            body["Attachments"] = attachments
        return body

    def _post(self, path: str, json: Any) -> Any:
        """The parsed body of a 200, or the SendError every message of the request shares."""
        try:
            response = self.http.post(path, json=json)
        except httpx.HTTPError as exc:
            raise TransientSendError(f"Postmark unreachable: {exc.__class__.__name__}: {exc}") from exc
        if response.status_code == 200:
            return response.json()
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code == 422 and isinstance(body, dict) and "ErrorCode" in body:
            raise classify(int(body["ErrorCode"]), str(body.get("Message", "")))
        detail = body.get("Message", response.text[:200]) if isinstance(body, dict) else response.text[:200]
        # 401 (token), 429 (rate limit), 5xx: nothing wrong with the message itself.
        raise TransientSendError(f"Postmark HTTP {response.status_code}: {detail}")

    def send(self, message: OutgoingEmail) -> SendResult:
        outcome = _outcome(self._post("/email", self.payload(message)))
        if isinstance(outcome, SendError):
            raise outcome
        return outcome

    def send_batch(self, messages: Sequence[OutgoingEmail]) -> list[SendResult | SendError]:
        outcomes: list[SendResult | SendError] = []
        for start in range(0, len(messages), BATCH_LIMIT):
            chunk = messages[start : start + BATCH_LIMIT]
            try:
                results = self._post("/email/batch", [self.payload(m) for m in chunk])
            except SendError as exc:
                outcomes.extend(exc for _ in chunk)
                continue
            if not isinstance(results, list) or len(results) != len(chunk):
                failure = TransientSendError("Postmark answered the batch with an unexpected body")
                outcomes.extend(failure for _ in chunk)
                continue
            outcomes.extend(_outcome(item) for item in results)
        return outcomes
