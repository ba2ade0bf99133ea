from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from duespark.email import events
from duespark.email.message import OutgoingEmail
from duespark.email.providers.base import SendError, SendResult
from duespark.wiring import connect_domains
from tests.conftest import make_test_settings


class RecordingProvider:
    """A provider that keeps what it was given; `outcomes` scripts failures per recipient."""

    name = "recording"

    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []
        self.batches: list[int] = []
        self.outcomes: dict[str, SendError] = {}

    def send(self, message: OutgoingEmail) -> SendResult:
        outcome = self.send_batch([message])[0]
        if isinstance(outcome, SendError):
            raise outcome
        return outcome

    def send_batch(self, messages: Sequence[OutgoingEmail]) -> list[SendResult | SendError]:
        self.batches.append(len(messages))
        results: list[SendResult | SendError] = []
        for message in messages:
            failure = self.outcomes.get(message.to)
            if failure is not None:
                results.append(failure)
                continue
            self.sent.append(message)
            results.append(SendResult(provider_message_id=f"rec-{len(self.sent)}"))
        return results


@pytest.fixture
def provider() -> RecordingProvider:
    return RecordingProvider()


class SignalRecorder:
    def __init__(self) -> None:
        self.calls: list[tuple[list[int], str]] = []

    def __call__(self, session, client_ids, reason, clock) -> None:
        self.calls.append((list(client_ids), reason))


@pytest.fixture
def unsubscribed_events() -> Iterator[SignalRecorder]:
    recorder = SignalRecorder()
    events.on_client_unsubscribed.subscribe(recorder)
    yield recorder
    events.on_client_unsubscribed.unsubscribe(recorder)


@pytest.fixture
def suppressed_events() -> Iterator[SignalRecorder]:
    recorder = SignalRecorder()
    events.on_address_suppressed.subscribe(recorder)
    yield recorder
    events.on_address_suppressed.unsubscribe(recorder)


@pytest.fixture(autouse=True)
def _wired(tmp_path) -> None:
    connect_domains(make_test_settings(tmp_path, "sqlite://"))
