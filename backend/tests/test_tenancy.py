"""Every endpoint that takes an object id answers 404 for another account's object, and never its data."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from duespark.email.service import suppress
from duespark.invoices import adjustments
from duespark.invoices.adjustments import LateFee
from duespark.models import (
    BankStatement,
    ClientAnswer,
    InboundMessage,
    InvoiceAdjustment,
    InvoiceDocument,
    Notice,
    StatementEntry,
    Suppression,
    WebhookDelivery,
    WebhookEndpoint,
)
from duespark.notices import service as notices
from tests.helpers import register

# Minimal valid bodies, so the request reaches the ownership check instead of failing validation.
BODIES = {
    ("POST", "/api/invoices/{invoice_id}/payments"): {"amount": "1.00"},
    ("PATCH", "/api/invoices/{invoice_id}"): {"description": "mine now"},
    ("PATCH", "/api/clients/{client_id}"): {"name": "mine now"},
    ("PUT", "/api/clients/{client_id}/reminder-policy"): {"mode": "none"},
    ("PUT", "/api/bank-accounts/{bank_account_id}"): {
        "currency": "EUR",
        "payee_name": "mine now",
        "iban": "DE89370400440532013000",
    },
    ("PATCH", "/api/webhooks/endpoints/{endpoint_id}"): {"description": "mine now"},
    ("POST", "/api/answers/{answer_id}/extend"): {"promised_date": "2026-12-20"},
    ("POST", "/api/replies/{reply_id}/answer"): {"text": "mine now"},
    ("POST", "/api/reconciliation/entries/{entry_id}/confirm"): {},
    ("PATCH", "/api/members/{user_id}"): {"role": "viewer"},
}


def _small_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    return bytes(pdf.output())


# Uploads: a real (tiny) PDF, so the request reaches the ownership check instead of the file checks.
FILES = {
    ("POST", "/api/documents/invoices/{invoice_id}"): lambda: {"file": ("mine.pdf", _small_pdf(), "application/pdf")}
}


# Path parameters that name something other than an object id; each has its own test below.
NOT_OBJECT_IDS = {"key"}
# Positions inside an object whose own id is in the path (a reply's attachment number).
NOT_OBJECT_IDS |= {"index"}
# An accounting provider's name: the connection is the signed-in account's own (tests/accounting/test_api.py
# checks another account's connection answers 404, and its callback refuses another account's state).
NOT_OBJECT_IDS |= {"provider"}


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
    me = client.get("/api/me", headers=h).json()
    account_id = me["account"]["id"]
    invitation = client.post("/api/invitations", headers=h, json={"email": "secret@x.io", "role": "member"}).json()
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
    family_id = client.get("/api/auth/sessions", headers=h).json()["items"][0]["family_id"]
    bank_account = client.post(
        "/api/bank-accounts",
        headers=h,
        json={"currency": "EUR", "payee_name": "Secret Payee", "iban": "DE89370400440532013000"},
    ).json()
    account_id_now, client_id, invoice_id, now = account_id, client_obj["id"], invoice["id"], clock.now()
    answer = ClientAnswer(
        account_id=account_id_now,
        invoice_id=invoice_id,
        client_id=client_id,
        kind="dispute",
        status="open",
        source="pay_page",
        message="SECRET dispute",
        created_at=now,
    )
    reply = InboundMessage(
        account_id=account_id_now,
        client_id=client_id,
        invoice_id=invoice_id,
        source="raw",
        kind="reply",
        matched_by="token",
        from_email="s@x.io",
        subject="SECRET reply",
        text="SECRET text",
        attachments=[{"filename": "SECRET.pdf", "content_type": "application/pdf", "size": 1}],
        raw_size=100,
        dedup_key="secret-reply",
        received_at=now,
    )
    document = InvoiceDocument(
        account_id=account_id_now,
        invoice_id=invoice_id,
        storage_key=f"{account_id_now}/secret.pdf",
        file_name="SECRET.pdf",
        size_bytes=10,
        sha256="0" * 64,
        source="upload",
        created_at=now,
    )
    endpoint = WebhookEndpoint(
        account_id=account_id_now,
        url="https://hooks.example.com/secret",
        description="SECRET endpoint",
        event_types=["invoice.paid"],
        secret_encrypted="SECRET",
        created_at=now,
        updated_at=now,
    )
    session.add_all([answer, reply, document, endpoint])
    session.flush()
    delivery = WebhookDelivery(
        account_id=account_id_now,
        endpoint_id=endpoint.id,
        event_id="msg_secret",
        event_type="invoice.paid",
        body='{"SECRET": true}',
        status="delivered",
        created_at=now,
    )
    session.add(delivery)
    statement = BankStatement(
        account_id=account_id_now,
        file_name="SECRET.xml",
        format="camt053",
        sha256="0" * 64,
        entries_in_file=1,
        entries_new=1,
        created_at=now,
    )
    session.add(statement)
    session.flush()
    entry = StatementEntry(
        account_id=account_id_now,
        statement_id=statement.id,
        entry_key="secret",
        booking_date=now.date(),
        amount_minor=1000,
        currency="EUR",
        payer_name="SECRET payer",
        remittance="SECRET-1",
        status="open",
        created_at=now,
    )
    session.add(entry)
    session.commit()
    ids = {
        "family_id": family_id,
        "reminder_id": timeline["items"][0]["id"],
        "client_id": client_obj["id"],
        "invoice_id": invoice["id"],
        "token_id": token["id"],
        "suppression_id": suppression_id,
        "adjustment_id": adjustment_id,
        "notice_id": notice_id,
        "bank_account_id": bank_account["id"],
        "answer_id": answer.id,
        "reply_id": reply.id,
        "index": 0,
        "document_id": document.id,
        "endpoint_id": endpoint.id,
        "delivery_id": delivery.id,
        "statement_id": statement.id,
        "entry_id": entry.id,
        "user_id": me["id"],
        "invitation_id": invitation["id"],
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
        # The incoming webhooks (Stripe's account token) are verified by signature, not by the signed-in account.
        if path.startswith("/api/webhooks/stripe/") or NOT_OBJECT_IDS & set(params) - {"index"}:
            continue
        missing = [p for p in params if p not in ids]
        assert not missing, f"{method} {path}: add {missing} to the tenancy matrix"
        url = path.format(**ids)
        body = BODIES.get((method, path), {})
        files = FILES[(method, path)]() if (method, path) in FILES else None
        json_body = body if method != "GET" and files is None else None
        response = client.request(method, url, headers=intruder["headers"], json=json_body, files=files)
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
