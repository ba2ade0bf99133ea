from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from duespark.app import create_app
from duespark.ops import metrics
from tests.conftest import make_test_settings
from tests.helpers import register
from tests.ops.data import beat

SRC = Path(__file__).resolve().parents[2] / "src"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client: TestClient, **headers: str) -> dict[str, list]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {family.name: family.samples for family in text_string_to_metric_families(response.text)}


@pytest.fixture
def metrics_client(tmp_path, database_url, clock):
    settings = make_test_settings(tmp_path, database_url, metrics_token="scrape-token-0123456789")
    return TestClient(create_app(settings, clock))


def test_http_requests_are_counted_by_route_template(client):
    user = register(client)
    labels = {"method": "GET", "route": "/api/invoices/{invoice_id}", "status": "404"}
    before = sample("duespark_http_requests_total", **labels)
    before_count = sample("duespark_http_request_duration_seconds_count", method="GET", route=labels["route"])
    client.get("/api/invoices/999999", headers=user["headers"])
    client.get("/api/invoices/888888", headers=user["headers"])
    assert sample("duespark_http_requests_total", **labels) == before + 2
    assert sample("duespark_http_request_duration_seconds_count", method="GET", route=labels["route"]) == (
        before_count + 2
    )
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    before_unmatched = sample("duespark_http_requests_total", **unmatched)
    client.get("/api/no-such-thing/12345")
    assert sample("duespark_http_requests_total", **unmatched) == before_unmatched + 1


def test_domain_helpers_feed_the_named_metrics():
    sent = {"event": "sent", "tone": "friendly", "provider": "postmark"}
    before = sample("duespark_reminders_total", **sent)
    metrics.record_reminder_event("sent", "friendly", "postmark")
    assert sample("duespark_reminders_total", **sent) == before + 1
    with pytest.raises(ValueError, match="unknown reminder event"):
        metrics.record_reminder_event("exploded", "firm", "ses")

    before_send = sample("duespark_email_send_seconds_count", provider="ses")
    metrics.observe_send(0.3, provider="ses")
    assert sample("duespark_email_send_seconds_count", provider="ses") == before_send + 1

    bounce = {"provider": "ses", "event": "bounced"}
    before_bounce = sample("duespark_email_delivery_events_total", **bounce)
    metrics.record_delivery_event("bounced", "ses")
    assert sample("duespark_email_delivery_events_total", **bounce) == before_bounce + 1

    hook = {"source": "stripe", "outcome": "failed"}
    before_hook = sample("duespark_webhook_events_total", **hook)
    metrics.record_webhook("stripe", "failed")
    assert sample("duespark_webhook_events_total", **hook) == before_hook + 1


def test_track_job_counts_success_failure_and_duration():
    ok = {"job": "plan", "outcome": "success"}
    failed = {"job": "plan", "outcome": "failure"}
    before_ok, before_failed = (
        sample("duespark_scheduler_job_runs_total", **ok),
        sample("duespark_scheduler_job_runs_total", **failed),
    )
    before_count = sample("duespark_scheduler_job_seconds_count", job="plan")
    with metrics.track_job("plan"):
        pass
    with pytest.raises(RuntimeError), metrics.track_job("plan"):
        raise RuntimeError("database went away")
    assert sample("duespark_scheduler_job_runs_total", **ok) == before_ok + 1
    assert sample("duespark_scheduler_job_runs_total", **failed) == before_failed + 1
    assert sample("duespark_scheduler_job_seconds_count", job="plan") == before_count + 2


def test_scrape_time_gauges_call_their_callbacks(metrics_client):
    ages = iter([42.5, 7.0])
    metrics.register_dispatch_lag(lambda: next(ages))
    families = scrape(metrics_client, Authorization="Bearer scrape-token-0123456789")
    assert families["duespark_dispatch_lag_seconds"][0].value == 42.5
    assert families["duespark_build_info"][0].labels["version"]
    assert (
        scrape(metrics_client, Authorization="Bearer scrape-token-0123456789")["duespark_dispatch_lag_seconds"][0].value
        == 7.0
    )

    def broken() -> float:
        raise RuntimeError("no database")

    metrics.register_dispatch_lag(broken)
    assert "duespark_dispatch_lag_seconds" not in scrape(metrics_client, Authorization="Bearer scrape-token-0123456789")


def test_worker_heartbeat_age_is_exported(tmp_path, clock, committed_url, committed_engine):
    client = TestClient(create_app(make_test_settings(tmp_path, committed_url, metrics_token="t" * 24), clock))
    assert "duespark_worker_heartbeat_age_seconds" not in scrape(client, Authorization="Bearer " + "t" * 24)
    beat(committed_engine, clock, seconds_ago=95)
    families = scrape(client, Authorization="Bearer " + "t" * 24)
    assert families["duespark_worker_heartbeat_age_seconds"][0].value == 95.0


def test_metrics_need_the_token_or_an_allowed_network(tmp_path, database_url, clock):
    settings = make_test_settings(tmp_path, database_url, metrics_token="scrape-token-0123456789")
    client = TestClient(create_app(settings, clock))
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-token-0123456789"}).status_code == 200

    # Without a token, a scrape from an allowed network (the proxy-resolved client address) is served.
    open_settings = make_test_settings(
        tmp_path, database_url, trusted_proxies=["127.0.0.1"], metrics_allowed_networks=["10.0.0.0/8"]
    )
    app = create_app(open_settings, clock)
    local = TestClient(app, client=("127.0.0.1", 5000))
    assert local.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"}).status_code == 200
    assert local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 401


def test_multiprocess_mode_sums_across_processes(tmp_path):
    directory = tmp_path / "prom"
    metrics.prepare_multiprocess_dir(directory)
    env = {**os.environ, "PYTHONPATH": str(SRC), metrics.MULTIPROC_ENV: str(directory)}
    record = textwrap.dedent(
        """
        from duespark.ops import metrics
        for _ in range(3):
            metrics.record_reminder_event("sent", "firm", "smtp")
        metrics.observe_http("GET", "/api/invoices", 200, 0.01)
        """
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", record], env=env, check=True, timeout=60)
    render = "from duespark.ops import metrics; import sys; sys.stdout.write(metrics.render_latest()[0].decode())"
    output = subprocess.run(
        [sys.executable, "-c", render], env=env, check=True, timeout=60, capture_output=True, text=True
    ).stdout
    families = {f.name: f.samples for f in text_string_to_metric_families(output)}
    (sent,) = [s for s in families["duespark_reminders"] if s.name.endswith("_total")]
    assert sent.labels == {"event": "sent", "tone": "firm", "provider": "smtp"}
    assert sent.value == 6
    requests = [s for s in families["duespark_http_requests"] if s.name.endswith("_total")]
    assert [s.value for s in requests] == [2]
    assert "duespark_build_info" in families


def test_worker_metrics_server_serves_this_process(tmp_path):
    import socket

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    metrics.record_webhook("postmark", "processed")
    server, thread = metrics.start_metrics_server(port)
    try:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    finally:
        server.shutdown()
        thread.join(timeout=5)
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    key = ("duespark_webhook_events_total", (("outcome", "processed"), ("source", "postmark")))
    assert samples[key] == sample("duespark_webhook_events_total", source="postmark", outcome="processed") >= 1


def test_unhandled_errors_are_counted_and_logged_as_500(tmp_path, database_url, clock, capsys):
    import json

    app = create_app(make_test_settings(tmp_path, database_url, log_json=True), clock)

    @app.get("/api/explode")
    def explode() -> None:
        card_holder = "Ada's secret local value"  # locals never reach the logs
        raise RuntimeError(f"boom with Bearer abcdefghijkl for {len(card_holder)}")

    labels = {"method": "GET", "route": "/api/explode", "status": "500"}
    before = sample("duespark_http_requests_total", **labels)
    capsys.readouterr()
    response = TestClient(app, raise_server_exceptions=False).get("/api/explode")
    assert response.status_code == 500
    assert sample("duespark_http_requests_total", **labels) == before + 1
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    failed = next(line for line in lines if line["event"] == "request failed")
    assert failed["status"] == 500 and failed["level"] == "error"
    assert "abcdefghijkl" not in json.dumps(failed)
    assert "secret local value" not in json.dumps(failed)
    assert failed["exception"][0]["exc_type"] == "RuntimeError"
