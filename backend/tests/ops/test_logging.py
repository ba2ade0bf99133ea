from __future__ import annotations

import json

import pytest
import sentry_sdk
from fastapi.testclient import TestClient
from sentry_sdk.transport import Transport

from duespark.app import create_app
from duespark.ops.logging import (
    REDACTED,
    bind_request_context,
    configure_logging,
    current_request_id,
    get_logger,
    redact,
)
from duespark.ops.sentry import init_sentry, scrub_event
from tests.conftest import make_test_settings


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_redact_hides_secrets_by_key_and_by_shape():
    record = {
        "password": "hunter2-hunter2",
        "headers": {"Authorization": "Bearer abc.def.ghi", "Cookie": "duespark_refresh=xyz", "Accept": "text/html"},
        "stripe_webhook_secret": "whsec_abcdefghijkl",
        "api_key": "k-123",
        "html": "<p>Dear client, please pay</p>",
        "text": "Dear client",
        "note": "token dsp_abcdefghijklmnopqrstuvwx used; auth was Bearer eyJhbGciOi.eyJzdWIiOiIx.c2ln",
        "url": "postgresql://duespark:s3cret@db:5432/duespark",
        "stripe": "key sk_live_abcdefgh1234 in a sentence",
        "invoice_id": 42,
        "step_key": "due+7",
        "to_email_domain": "example.com",
    }
    clean = redact(record)
    for key in ("password", "stripe_webhook_secret", "api_key", "html", "text"):
        assert clean[key] == REDACTED, key
    assert clean["headers"] == {"Authorization": REDACTED, "Cookie": REDACTED, "Accept": "text/html"}
    assert "dsp_" not in clean["note"] and "eyJ" not in clean["note"]
    assert clean["url"] == f"postgresql://{REDACTED}@db:5432/duespark"
    assert "sk_live" not in clean["stripe"]
    assert clean["invoice_id"] == 42
    assert clean["step_key"] == "due+7"
    assert clean["to_email_domain"] == "example.com"


def test_json_logs_carry_request_id_and_no_secrets(tmp_path, database_url, capsys):
    app = create_app(make_test_settings(tmp_path, database_url, log_json=True))
    log = get_logger("test")

    @app.get("/api/echo-log")
    def echo_log() -> dict[str, str | None]:
        log.info("inside handler", password="hunter2-hunter2", invoice_id=7)
        return {"request_id": current_request_id()}

    client = TestClient(app)
    capsys.readouterr()
    response = client.get("/api/echo-log", headers={"X-Request-ID": "req-abc.123", "Authorization": "Bearer s3cr3t"})
    assert response.headers["X-Request-ID"] == "req-abc.123"
    assert response.json() == {"request_id": "req-abc.123"}
    output = capsys.readouterr().err
    assert "hunter2" not in output and "s3cr3t" not in output
    lines = _json_lines(output)
    inside = next(line for line in lines if line["event"] == "inside handler")
    assert inside["request_id"] == "req-abc.123"
    assert inside["password"] == REDACTED
    assert inside["invoice_id"] == 7
    assert inside["level"] == "info" and inside["timestamp"].endswith("Z")
    access = next(line for line in lines if line["event"] == "request")
    assert access | {"duration_ms": 0} == access | {
        "request_id": "req-abc.123",
        "route": "/api/echo-log",
        "method": "GET",
        "status": 200,
        "duration_ms": 0,
    }


def test_request_ids_are_generated_when_absent_or_unsafe(client):
    generated = client.get("/health").headers["X-Request-ID"]
    assert len(generated) == 32
    hostile = client.get("/health", headers={"X-Request-ID": 'x" injected=1\n{"level":"fake"}'}).headers
    assert hostile["X-Request-ID"] != generated and len(hostile["X-Request-ID"]) == 32


def test_raw_paths_with_tokens_are_not_logged(tmp_path, database_url, capsys):
    app = create_app(make_test_settings(tmp_path, database_url, log_json=True))

    @app.get("/pay/{token}")
    def pay(token: str) -> dict[str, bool]:
        return {"ok": True}

    client = TestClient(app)
    capsys.readouterr()
    client.get("/pay/very-secret-pay-token?utm=x")
    output = capsys.readouterr().err
    assert "very-secret-pay-token" not in output
    assert _json_lines(output)[-1]["route"] == "/pay/{token}"


def test_worker_binds_request_context_for_its_records(tmp_path, capsys):
    configure_logging(make_test_settings(tmp_path, "sqlite://", log_json=True))
    log = get_logger("duespark.worker")
    with bind_request_context(request_id="req-from-api", invoice_id=12, reminder_id=None):
        assert current_request_id() == "req-from-api"
        log.info("reminder sent", provider="postmark")
    log.info("tick done")
    first, second = _json_lines(capsys.readouterr().err)
    assert first["request_id"] == "req-from-api" and first["invoice_id"] == 12
    assert "reminder_id" not in first
    assert "request_id" not in second and "invoice_id" not in second


def test_stdlib_loggers_go_through_the_same_redaction(tmp_path, capsys):
    import logging

    configure_logging(make_test_settings(tmp_path, "sqlite://", log_json=True))
    logging.getLogger("uvicorn.error").warning("client sent Authorization: Bearer abcdefghijk")
    (line,) = _json_lines(capsys.readouterr().err)
    assert line["logger"] == "uvicorn.error"
    assert "abcdefghijk" not in line["event"]


def test_console_logs_in_development(tmp_path, capsys):
    configure_logging(make_test_settings(tmp_path, "sqlite://", env="development", log_json=None))
    get_logger("dev").info("hello", token="dsp_abcdefghijklmnopqrst")
    output = capsys.readouterr().err
    assert "hello" in output and not output.lstrip().startswith("{")
    assert "dsp_abcdefghijklmnopqrst" not in output


def test_scrub_event_removes_bodies_cookies_and_secrets():
    event = {
        "request": {
            "url": "https://app.example/api/auth/login",
            "headers": {"Authorization": "Bearer abc", "User-Agent": "curl"},
            "cookies": {"duespark_refresh": "r"},
            "data": {"password": "hunter2"},
            "query_string": "token=abc",
        },
        "user": {"id": "7", "email": "ada@example.com", "ip_address": "203.0.113.9"},
        "extra": {"stripe_secret_key": "sk_test_abcdefghijk"},
        "exception": {"values": [{"value": "failed with Bearer eyJabcdefg.eyJhijklmn.sig"}]},
    }
    clean = scrub_event(event)
    assert clean["request"] == {
        "url": "https://app.example/api/auth/login",
        "headers": {"Authorization": REDACTED, "User-Agent": "curl"},
    }
    assert clean["user"] == {"id": "7"}
    assert clean["extra"]["stripe_secret_key"] == REDACTED
    assert "eyJ" not in clean["exception"]["values"][0]["value"]


class _CapturingTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events: list[dict] = []

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type == "event":
                self.events.append(item.payload.json)


def test_sentry_only_with_a_dsn_and_events_are_scrubbed(tmp_path):
    assert init_sentry(make_test_settings(tmp_path, "sqlite://"), component="api") is False
    transport = _CapturingTransport()
    settings = make_test_settings(tmp_path, "sqlite://", sentry_dsn="https://public@sentry.invalid/1")
    try:
        assert init_sentry(settings, component="worker", transport=transport) is True
        with sentry_sdk.new_scope() as scope:
            scope.set_extra("api_token", "dsp_abcdefghijklmnopqrstuvwx")
            try:
                raise RuntimeError("provider said: invalid key sk_live_abcdefgh1234")
            except RuntimeError as exc:
                sentry_sdk.capture_exception(exc)
        sentry_sdk.flush()
    finally:
        sentry_sdk.init(dsn=None)
    (event,) = transport.events
    assert event["tags"]["component"] == "worker"
    assert event["extra"]["api_token"] == REDACTED
    assert "sk_live" not in json.dumps(event)


@pytest.fixture(autouse=True)
def _restore_logging(tmp_path):
    yield
    configure_logging(make_test_settings(tmp_path, "sqlite://", log_json=False))
