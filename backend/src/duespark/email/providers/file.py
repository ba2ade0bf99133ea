from __future__ import annotations

from pathlib import Path

import structlog

from duespark.email.message import OutgoingEmail
from duespark.email.mime import to_mime
from duespark.email.providers.base import SendResult, SendsOneByOne

log = structlog.get_logger(__name__)


class FileProvider(SendsOneByOne):
    """Development delivery: each message becomes an .eml file a person can open."""

    name = "file"

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox

    def send(self, message: OutgoingEmail) -> SendResult:
        self.outbox.mkdir(parents=True, exist_ok=True)
        mime = to_mime(message)
        message_id = str(mime["Message-ID"])
        path = self.outbox / f"{message_id.strip('<>').split('@')[0]}.eml"
        path.write_bytes(bytes(mime))
        log.info("email.written", to=message.to, subject=message.subject, path=str(path))
        return SendResult(provider_message_id=message_id)
