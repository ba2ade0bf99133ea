"""Every endpoint that takes an object id answers 404 for another account's object, and never its data."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from duespark.email.service import suppress
from duespark.models import Suppression
from tests.helpers import register

# Minimal valid bodies, so the request reaches the ownership check instead of failing validation.
BODIES = {
    ("POST", "/api/invoices/{invoice_id}/payments"): {"amount": "1.00"},
    ("PATCH", "/api/invoices/{invoice_id}"): {"description": "mine now"},
    ("PATCH", "/api/clients/{client_id}"): {"name": "mine now"},
    ("PUT", "/api/clients/{client_id}/reminder-policy"): {"mode": "none"},
}


# Path parameters that name something other than an object id; each has its own test below.
NOT_OBJECT_IDS = {"key"}


@pytest.fixture
def two_accounts(client, session, clock):
    owner, intruder = register(client), register(client)
    h = owner["headers"]
    client_obj = client.post("/api/clients", headers=h, json={"name": "Secret Client", "email": "s@x.io"}).json()
    invoice = client.post(
        "/api/invoices",
        headers=h,
        json={
            "client_id": client_obj["id"],
            "number": "SECRET-1",
            "amount": "10.00",
            "issue_date": "2026-11-01",
            "due_date": "2026-11-30",
        },
    ).json()
    token = client.post("/api/tokens", headers=h, json={"name": "owner script"}).json()
    account_id = client.get("/api/me", headers=h).json()["account"]["id"]
    suppress(session, account_id=account_id, email="Secret@x.io", reason="complaint", clock=clock)
    session.commit()
    suppression_id = session.scalar(select(Suppression.id).where(Suppression.account_id == account_id))
    timeline = client.get(f"/api/invoices/{invoice['id']}/reminders", headers=h).json()
    ids = {
        "reminder_id": timeline["items"][0]["id"],
        "client_id": client_obj["id"],
        "invoice_id": invoice["id"],
        "token_id": token["id"],
        "suppression_id": suppression_id,
    }
    return owner, intruder, ids


def _id_routes(app):
    for path, operations in app.openapi()["paths"].items():
        if path.startswith("/api/") and "{" in path:
            for method in operations:
                yield method.upper(), path, re.findall(r"{(\w+)}", path)


def test_every_id_endpoint_hides_other_accounts_objects(app, client, two_accounts):
    owner, intruder, ids = two_accounts
    checked = 0
    for method, path, params in _id_routes(app):
        if path.startswith(("/api/webhooks/",)) or NOT_OBJECT_IDS & set(params):
            continue
        missing = [p for p in params if p not in ids]
        assert not missing, f"{method} {path}: add {missing} to the tenancy matrix"
        url = path.format(**ids)
        body = BODIES.get((method, path), {})
        response = client.request(method, url, headers=intruder["headers"], json=body if method != "GET" else None)
        assert response.status_code == 404, f"{method} {url} answered {response.status_code}: {response.text}"
        assert "Secret" not in response.text and "SECRET" not in response.text
        checked += 1
    assert checked >= 9
    # Nothing changed for the owner.
    invoice = client.get(f"/api/invoices/{ids['invoice_id']}", headers=owner["headers"]).json()
    assert (invoice["status"], invoice["description"], invoice["amount_paid"]) == ("open", None, "0.00")
    assert client.get(f"/api/clients/{ids['client_id']}", headers=owner["headers"]).json()["name"] == "Secret Client"
    assert len(client.get("/api/tokens", headers=owner["headers"]).json()["items"]) == 1


def test_lists_and_references_are_scoped(client, two_accounts):
    _, intruder, ids = two_accounts
    h = intruder["headers"]
    assert client.get("/api/clients", headers=h).json()["total"] == 0
    assert client.get("/api/invoices", headers=h).json()["total"] == 0
    assert client.get("/api/invoices", headers=h, params={"client_id": ids["client_id"]}).json()["total"] == 0
    assert client.get("/api/tokens", headers=h).json()["items"] == []
    # Referencing another account's client when creating an invoice is refused like an unknown id.
    response = client.post(
        "/api/invoices",
        headers=h,
        json={
            "client_id": ids["client_id"],
            "number": "X-1",
            "amount": "1.00",
            "issue_date": "2026-11-01",
            "due_date": "2026-11-30",
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "client_id"
    # Invoice numbers are unique per account only: the intruder learns nothing from a clash.
    own_client = client.post("/api/clients", headers=h, json={"name": "Mine"}).json()["id"]
    same_number = client.post(
        "/api/invoices",
        headers=h,
        json={
            "client_id": own_client,
            "number": "SECRET-1",
            "amount": "1.00",
            "issue_date": "2026-11-01",
            "due_date": "2026-11-30",
        },
    )
    assert same_number.status_code == 201


def test_template_overrides_stay_in_their_account(client, two_accounts):
    owner, intruder, _ = two_accounts
    custom = {"subject": "SECRET subject {{ invoice_number }}", "body": "SECRET body for {{ client_name }}"}
    assert client.put("/api/templates/friendly", headers=owner["headers"], json=custom).status_code == 200
    theirs = client.get("/api/templates/friendly", headers=intruder["headers"])
    assert theirs.status_code == 200
    assert "SECRET" not in theirs.text
    # Resetting their own template leaves the owner's override alone.
    client.delete("/api/templates/friendly", headers=intruder["headers"])
    assert "SECRET" in client.get("/api/templates/friendly", headers=owner["headers"]).text
