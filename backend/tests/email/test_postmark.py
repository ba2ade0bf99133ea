"""The Postmark provider through its HTTP API, mocked at the HTTP layer with Postmark's documented shapes."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from duespark.email.message import OutgoingEmail
from duespark.email.providers import build_provider
from duespark.email.providers.base import PermanentSendError, SendResult, TransientSendError
from duespark.email.providers.postmark import PostmarkProvider
from duespark.settings import Settings

API = "https://api.postmarkapp.com"
TOKEN = "server-token-1234"


def _ok(to: str, message_id: str) -> dict:
    return {
        "To": to,
        "SubmittedAt": "2026-11-25T05:00:00.0000000-05:00",
        "MessageID": message_id,
        "ErrorCode": 0,
        "Message": "OK",
    }


INACTIVE = {
    "ErrorCode": 406,
    "Message": "You tried to send to a recipient that has been marked as inactive. Found inactive addresses: "
    "gone@globex.test. Inactive recipients are ones that have generated a hard bounce, a spam complaint, "
    "or a manual suppression.",
}


def _message(to: str = "client@globex.test", reminder_id: str = "41") -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        from_email="reminders@mail.duespark.test",
        from_name="Ada Lovelace",
        subject="Overdue: invoice 2026-017",
        text="Hello,\n\nplease pay.\n",
        html="<p>Hello</p>",
        reply_to="ada@ada.test",
        headers={
            "Message-ID": "<m1@mail.duespark.test>",
            "List-Unsubscribe": "<https://app.test/unsubscribe/t>, <mailto:ada@ada.test?subject=Unsubscribe>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        tag="firm",
        metadata={"reminder_id": reminder_id, "invoice_id": "7"},
    )


@pytest.fixture
def provider() -> PostmarkProvider:
    settings = Settings(env="test", email_provider="postmark", postmark_server_token=TOKEN)
    built = build_provider(settings)
    assert isinstance(built, PostmarkProvider)
    return built


@respx.mock
def test_send_posts_the_documented_request(provider):
    route = respx.post(f"{API}/email").mock(
        return_value=httpx.Response(200, json=_ok("client@globex.test", "b7bc2f4a-e38e-4336-af7d-e6c392c2f817"))
    )
    result = provider.send(_message())
    assert result == SendResult(provider_message_id="b7bc2f4a-e38e-4336-af7d-e6c392c2f817")
    request = route.calls.last.request
    assert request.headers["X-Postmark-Server-Token"] == TOKEN
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.content)
    assert body == {
        "From": "Ada Lovelace <reminders@mail.duespark.test>",
        "To": "client@globex.test",
        "Subject": "Overdue: invoice 2026-017",
        "TextBody": "Hello,\n\nplease pay.\n",
        "HtmlBody": "<p>Hello</p>",
        "ReplyTo": "ada@ada.test",
        "MessageStream": "outbound",
        "Headers": [
            {"Name": "Message-ID", "Value": "<m1@mail.duespark.test>"},
            {
                "Name": "List-Unsubscribe",
                "Value": "<https://app.test/unsubscribe/t>, <mailto:ada@ada.test?subject=Unsubscribe>",
            },
            {"Name": "List-Unsubscribe-Post", "Value": "List-Unsubscribe=One-Click"},
        ],
        "Tag": "firm",
        "Metadata": {"reminder_id": "41", "invoice_id": "7"},
    }


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (422, INACTIVE, PermanentSendError),
        (422, {"ErrorCode": 300, "Message": "Invalid email request: 'To' address is not valid."}, PermanentSendError),
        (422, {"ErrorCode": 400, "Message": "The 'From' address is not a Sender Signature."}, TransientSendError),
        (
            422,
            {"ErrorCode": 405, "Message": "Not allowed to send: account has run out of credits."},
            TransientSendError,
        ),
        (
            401,
            {"ErrorCode": 10, "Message": "No Account or Server API tokens were supplied in the HTTP headers."},
            TransientSendError,
        ),
        (429, {"ErrorCode": 429, "Message": "Rate limit exceeded."}, TransientSendError),
        (500, {"ErrorCode": 500, "Message": "Internal server error."}, TransientSendError),
        (503, None, TransientSendError),
    ],
)
@respx.mock
def test_errors_map_to_permanent_or_transient(provider, status, body, error):
    response = (
        httpx.Response(status, json=body) if body is not None else httpx.Response(status, text="Service Unavailable")
    )
    respx.post(f"{API}/email").mock(return_value=response)
    with pytest.raises(error) as caught:
        provider.send(_message())
    assert type(caught.value) is error
    if body is not None and status == 422:
        assert str(body["ErrorCode"]) in str(caught.value)


@respx.mock
def test_network_failure_and_timeout_are_transient(provider):
    respx.post(f"{API}/email").mock(side_effect=httpx.ConnectError("connection refused"))
    with pytest.raises(TransientSendError, match="unreachable"):
        provider.send(_message())
    respx.post(f"{API}/email").mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(TransientSendError):
        provider.send(_message())


@respx.mock
def test_batch_gives_one_outcome_per_message_in_order(provider):
    route = respx.post(f"{API}/email/batch").mock(
        return_value=httpx.Response(
            200,
            json=[
                _ok("a@globex.test", "0a129aee-e1cd-480d-b08d-4f48548ff48d"),
                INACTIVE,
                {"ErrorCode": 429, "Message": "Rate limit exceeded."},
                _ok("d@globex.test", "9d1b1c4c-12d4-4b27-9b39-4a5b4b4a2f02"),
            ],
        )
    )
    messages = [_message(f"{c}@globex.test", reminder_id=str(i)) for i, c in enumerate("abcd")]
    outcomes = provider.send_batch(messages)
    assert outcomes[0] == SendResult("0a129aee-e1cd-480d-b08d-4f48548ff48d")
    assert isinstance(outcomes[1], PermanentSendError) and "406" in str(outcomes[1])
    assert isinstance(outcomes[2], TransientSendError)
    assert outcomes[3] == SendResult("9d1b1c4c-12d4-4b27-9b39-4a5b4b4a2f02")
    sent = json.loads(route.calls.last.request.content)
    assert [m["To"] for m in sent] == ["a@globex.test", "b@globex.test", "c@globex.test", "d@globex.test"]
    assert [m["Metadata"]["reminder_id"] for m in sent] == ["0", "1", "2", "3"]
    assert all(m["MessageStream"] == "outbound" and m["Tag"] == "firm" for m in sent)


@respx.mock
def test_batch_is_split_at_500_and_a_failed_request_fails_only_its_chunk(provider):
    calls = []

    def answer(request):
        chunk = json.loads(request.content)
        calls.append(len(chunk))
        if len(calls) == 2:
            return httpx.Response(500, json={"ErrorCode": 500, "Message": "Internal server error."})
        return httpx.Response(200, json=[_ok(m["To"], f"id-{len(calls)}-{i}") for i, m in enumerate(chunk)])

    respx.post(f"{API}/email/batch").mock(side_effect=answer)
    outcomes = provider.send_batch([_message(f"r{i}@globex.test") for i in range(1100)])
    assert calls == [500, 500, 100]
    assert all(isinstance(o, SendResult) for o in outcomes[:500] + outcomes[1000:])
    assert all(isinstance(o, TransientSendError) for o in outcomes[500:1000])
