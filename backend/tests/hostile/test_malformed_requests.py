"""Regression tests for the defects the schemathesis run found: each once answered a 500, a 400 the
document did not declare, or a body that did not match the document."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from duespark.models import Payment
from duespark.tenancy import MAX_OBJECT_ID
from tests.helpers import make_account, make_client, make_invoice, register


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


def test_body_limit_and_rate_limit_answers_are_documented_where_they_happen(client, owner):
    response = client.put(
        "/api/templates/friendly", headers=owner["headers"], json={"subject": "Hi", "body": "x" * 1_100_000}
    )
    assert response.status_code == 413
    document = client.get("/api/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch"):
                assert "413" in operation["responses"], f"{method} {path}"
            if operation.get("security"):
                assert "429" in operation["responses"], f"{method} {path}"


def test_unsubscribe_documents_its_invalid_link_page(client):
    document = client.get("/api/openapi.json").json()
    for method in ("get", "post"):
        assert "404" in document["paths"]["/unsubscribe/{token}"][method]["responses"]
    assert client.get("/unsubscribe/forged.token").status_code == 404


def _invoice(client, user, number="INV-1") -> dict:
    customer = client.post("/api/clients", headers=user["headers"], json={"name": "Initech"}).json()
    return client.post(
        "/api/invoices",
        headers=user["headers"],
        json={
            "client_id": customer["id"],
            "number": number,
            "amount": "100.00",
            "issue_date": "2026-11-01",
            "due_date": "2026-11-30",
        },
    ).json()


def test_null_for_a_required_flag_is_a_422_not_a_crash(client, owner):
    invoice = _invoice(client, owner)
    response = client.patch(
        f"/api/invoices/{invoice['id']}", headers=owner["headers"], json={"reminders_excluded": None}
    )
    assert response.status_code == 422
    assert _field_errors(response)[0]["field"] == "reminders_excluded"


def test_payment_references_people_type_may_repeat_and_never_cross_accounts(client, owner):
    """The reference was unique per method across every account: a second "cash" payment was a 500,
    and another account's reference could be probed for."""
    other = register(client)
    mine, theirs = _invoice(client, owner), _invoice(client, other)
    for user, invoice in ((owner, mine), (owner, mine), (other, theirs)):
        response = client.post(
            f"/api/invoices/{invoice['id']}/payments",
            headers=user["headers"],
            json={"amount": "10.00", "reference": "cash", "method": "other"},
        )
        assert response.status_code == 201, response.text
    payments = client.get(f"/api/invoices/{mine['id']}/payments", headers=owner["headers"]).json()["items"]
    assert [p["reference"] for p in payments] == ["cash", "cash"]


def test_stripe_references_stay_unique(session, clock):
    account = make_account(session, clock=clock)
    invoice = make_invoice(session, client=make_client(session, account=account, clock=clock), clock=clock)
    row = {"account_id": account.id, "invoice_id": invoice.id, "amount_minor": 100, "currency": "EUR"}
    row |= {"method": "stripe", "paid_at": clock.now(), "external_reference": "pi_123", "created_at": clock.now()}
    session.execute(insert(Payment), [row])
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(insert(Payment), [row])
    session.execute(insert(Payment), [{**row, "method": "manual"}, {**row, "method": "manual"}])
