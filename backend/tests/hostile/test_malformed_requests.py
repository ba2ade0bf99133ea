"""Regression tests for the defects the schemathesis run found: each once answered a 500, a 400 the
document did not declare, or a body that did not match the document."""

from __future__ import annotations

import pytest

from duespark.tenancy import MAX_OBJECT_ID
from tests.helpers import register


@pytest.fixture
def owner(client):
    user = register(client)
    customer = client.post("/api/clients", headers=user["headers"], json={"name": "Globex"}).json()
    user["client_id"] = customer["id"]
    return user


def _field_errors(response) -> list[dict]:
    body = response.json()
    assert body["error"] == "ValidationError"
    return body["detail"]


def test_json_body_that_is_not_utf8_is_a_422_on_the_body(client, owner):
    response = client.post(
        "/api/clients", headers={**owner["headers"], "Content-Type": "application/json"}, content=b'{"name": "\xff"}'
    )
    assert response.status_code == 422
    assert _field_errors(response) == [{"field": "body", "message": "The body is not UTF-8 text"}]


def test_broken_json_names_the_body_not_a_character_offset(client, owner):
    response = client.post(
        "/api/clients", headers={**owner["headers"], "Content-Type": "application/json"}, content=b'{"name": '
    )
    assert response.status_code == 422
    [error] = _field_errors(response)
    assert error["field"] == "body"
    assert error["message"].startswith("The body is not valid JSON")


def test_broken_multipart_is_a_422(client, owner):
    response = client.post(
        "/api/invoices/import",
        headers={**owner["headers"], "Content-Type": "multipart/form-data; boundary=xyz"},
        content=b"--xyz\r\nFalse--xyz--\r\n",
    )
    assert response.status_code == 422
    assert _field_errors(response)[0]["field"] == "body"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/invoices/{big}"),
        ("POST", "/api/invoices/{big}/void"),
        ("GET", "/api/invoices/{big}/messages"),
        ("GET", "/api/clients/{big}"),
        ("DELETE", "/api/tokens/{big}"),
        ("DELETE", "/api/suppressions/{big}"),
        ("GET", "/api/invoices?client_id={big}"),
    ],
)
def test_ids_beyond_64_bits_are_refused_not_a_crash(client, owner, method, path):
    response = client.request(method, path.format(big=MAX_OBJECT_ID + 1), headers=owner["headers"])
    assert response.status_code == 422, response.text
    # The largest id that fits is merely unknown.
    in_range = client.request(method, path.format(big=MAX_OBJECT_ID), headers=owner["headers"])
    assert in_range.status_code in (200, 404), in_range.text


def test_body_ids_beyond_64_bits_are_refused(client, owner):
    invoice = {"number": "1", "amount": "1.00", "issue_date": "2026-11-01", "due_date": "2026-11-30"}
    response = client.post("/api/invoices", headers=owner["headers"], json={**invoice, "client_id": 2**64})
    assert response.status_code == 422
    assert _field_errors(response)[0]["field"] == "client_id"
    preview = client.post(
        "/api/reminders/preview", headers=owner["headers"], json={"template_key": "firm", "invoice_id": 2**64}
    )
    assert preview.status_code == 422
    assert _field_errors(preview)[0]["field"] == "invoice_id"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/clients", {"name": "Nul\u0000Corp"}),
        ("PUT", "/api/templates/friendly", {"subject": "\u0000", "body": "Hello"}),
        ("PATCH", "/api/me", {"name": "A\u0000"}),
        ("GET", "/api/clients?q=%00", None),
        ("GET", "/api/invoices?q=a%00", None),
    ],
)
def test_nul_characters_are_refused_on_both_databases(client, owner, method, path, body):
    """PostgreSQL cannot store U+0000 in text; it used to be a 500 there and stored on SQLite."""
    response = client.request(method, path, headers=owner["headers"], json=body)
    assert response.status_code == 422, response.text
    assert "NUL" in _field_errors(response)[0]["message"]
    assert client.get("/api/clients", headers=owner["headers"]).json()["total"] == 1


def test_every_422_in_the_document_has_the_shape_the_api_sends(client):
    document = client.get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert "ValidationError" not in schemas  # FastAPI's {"loc", "msg", "type"} item, never sent
    body = schemas["HTTPValidationError"]
    assert set(body["required"]) == {"error", "detail"}
    assert body["properties"]["detail"]["items"] == {"$ref": "#/components/schemas/FieldError"}
    assert set(schemas["FieldError"]["required"]) == {"field", "message"}


def test_unsubscribe_documents_its_invalid_link_page(client):
    document = client.get("/api/openapi.json").json()
    for method in ("get", "post"):
        assert "404" in document["paths"]["/unsubscribe/{token}"][method]["responses"]
    assert client.get("/unsubscribe/forged.token").status_code == 404
