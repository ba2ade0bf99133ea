"""Every endpoint that takes an object id answers 404 for another account's object, and never its data."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from duespark.email.service import suppress
from duespark.invoices import adjustments
from duespark.invoices.adjustments import LateFee
from duespark.models import InvoiceAdjustment, Notice, Suppression
from duespark.notices import service as notices
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
    fee = LateFee(account_id, invoice["id"], "d+7", 7, "fixed", 100, invoice["currency"], 1000)
    assert adjustments.record(session.connection(), fee, reminder_id=None, now=clock.now())
    session.commit()
    suppression_id = session.scalar(select(Suppression.id).where(Suppression.account_id == account_id))
    adjustment_id = session.scalar(select(InvoiceAdjustment.id).where(InvoiceAdjustment.account_id == account_id))
    notices.record(session, account_id=account_id, kind="checkout_failed", message="SECRET-1 failed", clock=clock)
    session.commit()
    notice_id = session.scalar(select(Notice.id).where(Notice.account_id == account_id))
    timeline = client.get(f"/api/invoices/{invoice['id']}/reminders", headers=h).json()
    ids = {
        "reminder_id": timeline["items"][0]["id"],
        "client_id": client_obj["id"],
        "invoice_id": invoice["id"],
        "token_id": token["id"],
        "suppression_id": suppression_id,
        "adjustment_id": adjustment_id,
        "notice_id": notice_id,
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
    assert invoice["fees"] == "1.00"
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


def _invoice_body(client_id: int, number: str = "X-1") -> dict:
    return {
        "client_id": client_id,
        "number": number,
        "amount": "1.00",
        "issue_date": "2026-11-01",
        "due_date": "2026-11-30",
    }


def test_ids_in_query_strings_and_bodies_are_scoped(client, two_accounts):
    owner, intruder, ids = two_accounts
    h = intruder["headers"]
    own_client = client.post("/api/clients", headers=h, json={"name": "Mine"}).json()["id"]
    own_invoice = client.post("/api/invoices", headers=h, json=_invoice_body(own_client)).json()["id"]
    # Moving one's own invoice to another account's client is refused like an unknown client.
    moved = client.patch(f"/api/invoices/{own_invoice}", headers=h, json={"client_id": ids["client_id"]})
    assert moved.status_code == 422 and moved.json()["detail"][0]["field"] == "client_id"
    assert client.get(f"/api/invoices/{own_invoice}", headers=h).json()["client_id"] == own_client
    # A preview of another account's invoice renders nothing of it.
    preview = client.post(
        "/api/reminders/preview", headers=h, json={"template_key": "firm", "invoice_id": ids["invoice_id"]}
    )
    assert preview.status_code == 404
    assert "SECRET" not in preview.text and "Secret" not in preview.text
    # List filters: another account's client id, every status, a search for the other account's number.
    for params in (
        {"client_id": ids["client_id"]},
        {"q": "SECRET"},
        {"status": ["open", "overdue", "draft", "paid", "void", "partially_paid"]},
        {"due_from": "2000-01-01", "due_to": "2100-01-01"},
    ):
        items = client.get("/api/invoices", headers=h, params=params).json()["items"]
        assert all(item["id"] == own_invoice for item in items), params
    assert client.get("/api/clients", headers=h, params={"q": "Secret"}).json()["total"] == 0
    assert client.get("/api/suppressions", headers=h).json()["items"] == []
    # The owner's objects are untouched.
    owner_invoice = client.get(f"/api/invoices/{ids['invoice_id']}", headers=owner["headers"]).json()
    assert owner_invoice["client_id"] == ids["client_id"]


def _path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_public_links_are_bound_to_their_object_and_purpose(client, session, two_accounts):
    owner, intruder, ids = two_accounts
    pay_url = client.get(f"/api/invoices/{ids['invoice_id']}/payment-link", headers=owner["headers"]).json()
    pay, portal = _path_of(pay_url["payment_url"]), _path_of(pay_url["client_portal_url"])
    pay_token, portal_token = pay.rsplit("/", 1)[1], portal.rsplit("/", 1)[1]
    assert client.get(pay).status_code == 200
    assert client.get(portal).status_code == 200
    # The intruder's own links are valid, but name only the intruder's objects.
    own_client = client.post("/api/clients", headers=intruder["headers"], json={"name": "Mine"}).json()["id"]
    own_invoice = client.post("/api/invoices", headers=intruder["headers"], json=_invoice_body(own_client)).json()
    recorded = client.post(
        f"/api/invoices/{own_invoice['id']}/payments", headers=intruder["headers"], json={"amount": "1.00"}
    )
    assert recorded.status_code == 201
    payment_id = client.get(f"/api/invoices/{own_invoice['id']}/payments", headers=intruder["headers"]).json()["items"][
        0
    ]["id"]
    # The owner's portal token with the intruder's payment: not a receipt of this client.
    assert client.get(f"/c/{portal_token}/receipts/{payment_id}").status_code == 404
    # Tokens of one purpose are refused for another; altered and forged tokens are refused.
    value, mac = pay_token.split(".")
    forged = [
        f"/pay/{portal_token}",
        f"/c/{pay_token}",
        f"/unsubscribe/{pay_token}",
        f"/pay/{value}.{mac[:-2]}AA",
        f"/pay/{value}",
        "/pay/MQ.AAAAAAAAAAAAAAAAAAAAAA",
        "/c/MQ.AAAAAAAAAAAAAAAAAAAAAA",
        "/unsubscribe/MQ.AAAAAAAAAAAAAAAAAAAAAA",
        f"/pay/{'A' * 5000}.{mac}",
        f"/c/{portal_token}/receipts/%C2%B2",  # "²" passes str.isdigit(); int() refused it: a 500
        f"/c/{portal_token}/receipts/{'9' * 30}",  # beyond 64 bits: a 500 on SQLite
        f"/c/{portal_token}/receipts/-1",
    ]
    for path in forged:
        response = client.get(path)
        assert response.status_code == 404, f"{path}: {response.status_code}"
        assert "SECRET" not in response.text and "Secret Client" not in response.text
    assert client.post(f"/unsubscribe/{portal_token}").status_code == 404
    session.expire_all()
    owner_client = client.get(f"/api/clients/{ids['client_id']}", headers=owner["headers"]).json()
    assert owner_client["unsubscribed_at"] is None
