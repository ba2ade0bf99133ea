from __future__ import annotations

import asyncio
import json

from fastapi.testclient import TestClient

from duespark.app import create_app
from duespark.ops.middleware import BodySizeLimitMiddleware
from tests.conftest import make_test_settings
from tests.helpers import register


def test_security_headers_on_every_response(client):
    for response in (client.get("/health"), client.get("/api/me"), client.get("/nowhere")):
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "style-src 'self' 'unsafe-inline'" in csp and "img-src 'self' data:" in csp
        assert "script-src 'self';" in csp  # no inline scripts for the app
        # Plain http public URL: no HSTS (browsers would pin a site that has no TLS).
        assert "Strict-Transport-Security" not in headers


def test_api_docs_get_a_csp_that_lets_swagger_load(client):
    csp = client.get("/api/docs").headers["Content-Security-Policy"]
    assert "https://cdn.jsdelivr.net" in csp
    assert "frame-ancestors 'none'" in csp


def test_hsts_when_served_over_https(tmp_path, database_url, clock):
    settings = make_test_settings(tmp_path, database_url, public_url="https://app.duespark.example")
    response = TestClient(create_app(settings, clock)).get("/health")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_cors_allows_only_configured_origins(tmp_path, database_url, clock):
    settings = make_test_settings(tmp_path, database_url, cors_origins=["https://app.duespark.example"])
    client = TestClient(create_app(settings, clock))
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    allowed = client.options("/api/auth/login", headers={"Origin": "https://app.duespark.example", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.duespark.example"
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    refused = client.options("/api/auth/login", headers={"Origin": "https://evil.example", **preflight})
    assert "Access-Control-Allow-Origin" not in refused.headers
    simple = client.get("/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in simple.headers


def test_no_cors_headers_without_configured_origins(client):
    response = client.get("/health", headers={"Origin": "https://app.duespark.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_oversized_json_body_is_refused_with_413(tmp_path, database_url, clock, session_factory):
    app = create_app(make_test_settings(tmp_path, database_url, max_body_bytes=10_000), clock)
    app.state.session_factory = session_factory
    client = TestClient(app)
    user = register(client)
    big = {"name": "Globex", "notes": "x" * 20_000}
    response = client.post("/api/clients", json=big, headers=user["headers"])
    assert response.status_code == 413
    assert response.json() == {"error": "PayloadTooLarge", "detail": "The request body is larger than 10000 bytes"}
    small = client.post("/api/clients", json={"name": "Globex"}, headers=user["headers"])
    assert small.status_code == 201


def test_csv_import_has_its_own_larger_limit(tmp_path, database_url, clock, session_factory):
    settings = make_test_settings(tmp_path, database_url, max_body_bytes=10_000, max_import_body_bytes=100_000)
    app = create_app(settings, clock)
    app.state.session_factory = session_factory
    client = TestClient(app)
    user = register(client)
    rows = "".join(f"INV-{n},client{n}@example.com,100.00,2026-12-31\n" for n in range(700))
    csv_body = "number,client_email,amount,due_date\n" + rows
    assert 10_000 < len(csv_body) < 100_000
    response = client.post(
        "/api/invoices/import?dry_run=true", files={"file": ("i.csv", csv_body, "text/csv")}, headers=user["headers"]
    )
    assert response.status_code == 200, response.text
    too_big = client.post(
        "/api/invoices/import", files={"file": ("i.csv", csv_body * 4, "text/csv")}, headers=user["headers"]
    )
    assert too_big.status_code == 413


async def _call(app, chunks: list[bytes], path: str = "/upload") -> tuple[int, bytes, int]:
    """Drive the middleware as a server would, with a chunked body and no Content-Length."""
    messages = [{"type": "http.request", "body": chunk, "more_body": True} for chunk in chunks]
    messages.append({"type": "http.request", "body": b"", "more_body": False})
    sent: list[dict] = []

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": []}
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, len(messages)


async def _echo_length(scope, receive, send):
    total = 0
    while True:
        message = await receive()
        total += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(total).encode()})


def test_streamed_body_is_cut_off_at_the_limit():
    middleware = BodySizeLimitMiddleware(_echo_length, default_limit=1000, path_limits=[("/upload/big", 5000)])
    status, body, unread = asyncio.run(_call(middleware, [b"a" * 600] * 5))
    assert status == 413
    assert json.loads(body)["error"] == "PayloadTooLarge"
    assert unread == 4  # it stopped reading as soon as the limit was crossed
    assert asyncio.run(_call(middleware, [b"a" * 600] * 5, path="/upload/big"))[:2] == (200, b"3000")
    assert asyncio.run(_call(middleware, [b"a" * 500, b"a" * 500]))[:2] == (200, b"1000")
