from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

import structlog

from duespark.email.message import OutgoingEmail
from duespark.email.providers.base import SendResult

log = structlog.get_logger(__name__)


def to_mime(message: OutgoingEmail, message_id: str) -> EmailMessage:
    """The RFC 5322 message: multipart/alternative when there is an HTML part."""
    mime = EmailMessage()
    mime["From"] = formataddr((message.from_name or "", message.from_email))
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Message-ID"] = message_id
    if message.reply_to:
        mime["Reply-To"] = message.reply_to
    for name, value in message.headers.items():
        if name.lower() != "message-id":  # set above; a second one makes the message invalid
            mime[name] = value
    mime.set_content(message.text)
    if message.html:
        mime.add_alternative(message.html, subtype="html")
    return mime


def message_id_for(from_email: str) -> str:
    domain = from_email.rsplit("@", 1)[-1] or "duespark.local"
    return f"<{uuid.uuid4().hex}@{domain}>"


class FileProvider:
    """Development delivery: each message becomes an .eml file a person can open."""

    name = "file"

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox

    def send(self, message: OutgoingEmail) -> SendResult:
        self.outbox.mkdir(parents=True, exist_ok=True)
        message_id = message.headers.get("Message-ID") or message_id_for(message.from_email)
        mime = to_mime(message, message_id)
        path = self.outbox / f"{message_id.strip('<>').split('@')[0]}.eml"
        path.write_bytes(bytes(mime))
        log.info("email.written", to=message.to, subject=message.subject, path=str(path))
        return SendResult(provider_message_id=message_id)
