from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from duespark.email.message import OutgoingEmail


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str


class SendError(Exception):
    """A provider refused or failed a message."""


class TransientSendError(SendError):
    """Try again later: timeouts, 5xx, rate limits, a provider account that needs fixing."""


class PermanentSendError(SendError):
    """Never retry: invalid or suppressed address, rejected content."""


class EmailProvider(Protocol):
    name: str

    def send(self, message: OutgoingEmail) -> SendResult: ...

    def send_batch(self, messages: Sequence[OutgoingEmail]) -> list[SendResult | SendError]:
        """One outcome per message, in order; a failure of one message never hides the others."""
        ...


class SendsOneByOne:
    """`send_batch` for providers without a batch API: one `send` per message."""

    def send(self, message: OutgoingEmail) -> SendResult:
        raise NotImplementedError

    def send_batch(self, messages: Sequence[OutgoingEmail]) -> list[SendResult | SendError]:
        outcomes: list[SendResult | SendError] = []
        for message in messages:
            try:
                outcomes.append(self.send(message))
            except SendError as exc:
                outcomes.append(exc)
        return outcomes
