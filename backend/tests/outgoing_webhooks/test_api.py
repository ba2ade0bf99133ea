"""The webhooks API: CRUD, the secret shown once, the delivery log, resend and test; hostile input."""

from __future__ import annotations

import pytest

from duespark.outgoing_webhooks.delivery import Deliverer
from duespark.outgoing_webhooks.events import EVENT_DATA, EVENT_TYPES
from tests.helpers import register


@pytest.fixture
def user(client):
    return register(client)


def create(client, user, receiver, **extra):
    body = {"url": receiver.url(), "event_types": ["invoice.created", "invoice.paid"], "description": "Books", **extra}
    return client.post("/api/webhooks/endpoints", json=body, headers=user["headers"])


def test_crud_and_the_secret_shown_once(client, user, receiver):
    created = create(client, user, receiver)
    assert created.status_code == 201, created.text
    endpoint = created.json()
    assert endpoint["secret"].startswith("whsec_") and endpoint["enabled"] is True
    assert endpoint["event_types"] == ["invoice.created", "invoice.paid"]
    listed = client.get("/api/webhooks/endpoints", headers=user["headers"]).json()
    assert [e["id"] for e in listed] == [endpoint["id"]]
    assert "secret" not in listed[0] and "secret_encrypted" not in listed[0]
    assert (
        endpoint["secret"] not in client.get(f"/api/webhooks/endpoints/{endpoint['id']}", headers=user["headers"]).text
    )

    patched = client.patch(
        f"/api/webhooks/endpoints/{endpoint['id']}",
        json={"enabled": False, "event_types": ["client.created"]},
        headers=user["headers"],
    ).json()
    assert patched["enabled"] is False and patched["disabled_reason"] == "Disabled by a user"
    assert patched["event_types"] == ["client.created"]
    enabled = client.patch(f"/api/webhooks/endpoints/{endpoint['id']}", json={"enabled": True}, headers=user["headers"])
    assert enabled.json()["enabled"] is True and enabled.json()["disabled_reason"] is None

    rotated = client.post(f"/api/webhooks/endpoints/{endpoint['id']}/rotate-secret", headers=user["headers"]).json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != endpoint["secret"]
    assert rotated["previous_secret_expires_at"] is not None

    types = client.get("/api/webhooks/event-types", headers=user["headers"]).json()
    paid = {
        "type": "invoice.paid",
        "description": "An invoice was paid in full",
        "data_fields": list(EVENT_DATA["invoice.paid"]),
    }
    assert paid in types and len(types) == len(EVENT_TYPES)
    assert {
        "type": "late_fee.waived",
        "description": "A late fee or interest charge was taken off an invoice",
        "data_fields": list(EVENT_DATA["late_fee.waived"]),
    } in types

    assert client.delete(f"/api/webhooks/endpoints/{endpoint['id']}", headers=user["headers"]).status_code == 204
    assert client.get("/api/webhooks/endpoints", headers=user["headers"]).json() == []


def test_test_event_delivery_log_and_resend(client, app, user, receiver, session_factory, settings, clock):
    endpoint = create(client, user, receiver).json()
    base = f"/api/webhooks/endpoints/{endpoint['id']}"
    queued = client.post(f"{base}/test", headers=user["headers"])
    assert queued.status_code == 202 and queued.json()["status"] == "pending"
    assert receiver.requests == []  # the request only queued it
    Deliverer(session_factory=session_factory, settings=settings, clock=clock).run()
    log = client.get(f"{base}/deliveries", headers=user["headers"]).json()
    [row] = log["items"]
    assert (row["event_type"], row["status"], row["last_response_code"], row["attempts"]) == (
        "webhook.test",
        "delivered",
        200,
        1,
    )
    assert row["last_duration_ms"] is not None and '"type":"webhook.test"' in row["body"]
    assert client.get(f"{base}/deliveries?status=failed", headers=user["headers"]).json()["total"] == 0
    resent = client.post(f"{base}/deliveries/{row['id']}/resend", headers=user["headers"])
    assert resent.status_code == 200 and resent.json()["status"] == "pending"
    Deliverer(session_factory=session_factory, settings=settings, clock=clock).run()
    assert [r.headers["webhook-id"] for r in receiver.requests] == [row["event_id"]] * 2


def test_other_accounts_endpoints_and_deliveries_are_not_found(
    client, user, receiver, session_factory, settings, clock
):
    mine = create(client, user, receiver).json()
    client.post(f"/api/webhooks/endpoints/{mine['id']}/test", headers=user["headers"])
    [delivery] = client.get(f"/api/webhooks/endpoints/{mine['id']}/deliveries", headers=user["headers"]).json()["items"]
    other = register(client)
    theirs = create(client, other, receiver).json()
    h = other["headers"]
    base = f"/api/webhooks/endpoints/{mine['id']}"
    for method, path, body in [
        ("GET", base, None),
        ("PATCH", base, {"description": "mine now"}),
        ("DELETE", base, None),
        ("POST", f"{base}/rotate-secret", None),
        ("POST", f"{base}/test", None),
        ("GET", f"{base}/deliveries", None),
        ("POST", f"{base}/deliveries/{delivery['id']}/resend", None),
        # Their own endpoint with my delivery's id.
        ("POST", f"/api/webhooks/endpoints/{theirs['id']}/deliveries/{delivery['id']}/resend", None),
        ("GET", "/api/webhooks/endpoints/99999999", None),
        ("GET", f"/api/webhooks/endpoints/{2**63}", None),
    ]:
        answer = client.request(method, path, json=body, headers=h)
        assert answer.status_code in (404, 422), (method, path, answer.status_code)
        assert mine["url"] not in answer.text and "whsec_" not in answer.text
    assert [e["id"] for e in client.get("/api/webhooks/endpoints", headers=h).json()] == [theirs["id"]]
    assert client.get(base, headers=user["headers"]).json()["description"] == "Books"
    assert client.get("/api/webhooks/endpoints", headers={}).status_code == 401


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/hook",
        "http://[::1]/hook",
        "http://localhost/hook",
        "http://2130706433/hook",
        "http://0177.0.0.1/hook",
        "file:///etc/passwd",
        "javascript:alert(1)",
    ],
)
def test_ssrf_targets_are_refused_on_create_and_update(client, app, user, receiver, settings, url):
    app.state.settings = settings.model_copy(update={"webhooks_allow_private_targets": False})
    answer = client.post(
        "/api/webhooks/endpoints", json={"url": url, "event_types": ["invoice.paid"]}, headers=user["headers"]
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "url"
    app.state.settings = settings
    endpoint = create(client, user, receiver).json()
    app.state.settings = settings.model_copy(update={"webhooks_allow_private_targets": False})
    patched = client.patch(f"/api/webhooks/endpoints/{endpoint['id']}", json={"url": url}, headers=user["headers"])
    assert patched.status_code == 422 and patched.json()["detail"][0]["field"] == "url"


def test_malformed_and_oversized_bodies(client, user, receiver):
    h = user["headers"]
    cases = [
        ({"url": receiver.url(), "event_types": []}, "event_types"),
        ({"url": receiver.url(), "event_types": ["invoice.exploded"]}, "event_types"),
        ({"url": receiver.url()}, "event_types"),
        ({"url": receiver.url() + "/" + "a" * 2001, "event_types": ["invoice.paid"]}, "url"),
        ({"url": receiver.url(), "event_types": ["invoice.paid"], "description": "x" * 201}, "description"),
        ({"url": receiver.url(), "event_types": ["invoice.paid"], "description": "two\nlines"}, "description"),
        ({"url": 5, "event_types": ["invoice.paid"]}, "url"),
    ]
    for body, field in cases:
        answer = client.post("/api/webhooks/endpoints", json=body, headers=h)
        assert answer.status_code == 422, body
        assert field in answer.text
    broken = client.post(
        "/api/webhooks/endpoints", content=b"{not json", headers={**h, "content-type": "application/json"}
    )
    assert broken.status_code == 422
    huge = client.post(
        "/api/webhooks/endpoints",
        content=b'{"url":"' + b"a" * 2_000_000 + b'"}',
        headers={**h, "content-type": "application/json"},
    )
    assert huge.status_code == 413
    endpoint = create(client, user, receiver).json()
    nulls = client.patch(f"/api/webhooks/endpoints/{endpoint['id']}", json={"url": None}, headers=h)
    assert nulls.status_code == 422 and "url" in nulls.text


def test_a_script_in_the_description_is_stored_as_text(client, user, receiver):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    endpoint = create(client, user, receiver, description=script)
    assert endpoint.status_code == 201
    answer = client.get(f"/api/webhooks/endpoints/{endpoint.json()['id']}", headers=user["headers"])
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["description"] == script  # JSON, never HTML: the web app renders it as text


def test_at_most_ten_endpoints(client, user, receiver):
    for _ in range(10):
        assert create(client, user, receiver).status_code == 201
    assert create(client, user, receiver).status_code == 409


def test_the_api_is_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/webhooks/endpoints",
        "/api/webhooks/endpoints/{endpoint_id}",
        "/api/webhooks/endpoints/{endpoint_id}/rotate-secret",
        "/api/webhooks/endpoints/{endpoint_id}/deliveries",
        "/api/webhooks/endpoints/{endpoint_id}/deliveries/{delivery_id}/resend",
        "/api/webhooks/endpoints/{endpoint_id}/test",
        "/api/webhooks/event-types",
    ):
        assert path in paths
