from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from duespark.email.message import OutgoingEmail


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str


class SendError(Exception):
    """A provider refused or failed a message."""


class TransientSendError(SendError):
    """Try again later: timeouts, 5xx, rate limits."""


class PermanentSendError(SendError):
    """Never retry: invalid or suppressed address, rejected content."""


class EmailProvider(Protocol):
    name: str

    def send(self, message: OutgoingEmail) -> SendResult: ...
