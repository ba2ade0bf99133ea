from __future__ import annotations

from datetime import date, timedelta

import pytest

from duespark.invoices import events
from duespark.invoices.events import InvoiceChange
from tests.helpers import register

TODAY = date(2026, 11, 25)


@pytest.fixture
def user(client):
    return register(client, default_currency="EUR")


@pytest.fixture
def client_id(client, user):
    response = client.post("/api/clients", headers=user["headers"], json={"name": "Globex", "email": "ap@globex.com"})
    return response.json()["id"]


def _invoice(client, user, client_id, **fields):
    payload = {
        "client_id": client_id,
        "number": "INV-1",
        "amount": "1250.00",
        "issue_date": str(TODAY),
        "due_date": str(TODAY + timedelta(days=14)),
        **fields,
    }
    return client.post("/api/invoices", headers=user["headers"], json=payload)


@pytest.fixture
def published():
    seen: list[tuple[InvoiceChange, list[int]]] = []

    def listener(session, change, invoice_ids, clock):
        seen.append((change, list(invoice_ids)))

    events.subscribe(listener)
    yield seen
    events._listeners.remove(listener)


def test_create_and_get(client, user, client_id, published):
    response = _invoice(client, user, client_id, description="Website")
    assert response.status_code == 201
    body = response.json()
    assert body["amount"] == "1250.00"
    assert body["currency"] == "EUR"  # the account's default
    assert body["amount_paid"] == "0.00"
    assert body["balance"] == "1250.00"
    assert body["status"] == "open"
    assert body["client_name"] == "Globex"
    assert published == [(InvoiceChange.created, [body["id"]])]
    assert client.get(f"/api/invoices/{body['id']}", headers=user["headers"]).json() == body


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"amount": "-10.00"}, "amount", "negative"),
        ({"amount": "0"}, "amount", "greater than zero"),
        ({"amount": "10.001"}, "amount", "decimal places"),
        ({"amount": "ten"}, "amount", "not a number"),
        ({"amount": 10.5}, "amount", "decimal string"),
        ({"amount": "100.5", "currency": "JPY"}, "amount", "no minor unit"),
        ({"currency": "ZZZ"}, "currency", "ISO 4217"),
        ({"due_date": "2026-01-01"}, "due_date", "before issue_date"),
        ({"due_date": "tomorrow"}, "due_date", "date"),
        ({"number": ""}, "number", "at least 1"),
        ({"client_id": 999999}, "client_id", "No such client"),
    ],
)
def test_create_refuses_bad_input(client, user, client_id, fields, field, fragment):
    fields = dict(fields)
    response = _invoice(client, user, fields.pop("client_id", client_id), **fields)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail[0]["field"] == field, detail
    assert fragment.lower() in detail[0]["message"].lower()
    assert client.get("/api/invoices", headers=user["headers"]).json()["total"] == 0


def test_number_unique_per_account(client, user, client_id):
    assert _invoice(client, user, client_id).status_code == 201
    again = _invoice(client, user, client_id)
    assert again.status_code == 409
    assert again.json()["detail"][0]["field"] == "number"
    other = register(client)
    other_client = client.post("/api/clients", headers=other["headers"], json={"name": "Other"}).json()["id"]
    assert _invoice(client, other, other_client).status_code == 201


def test_jpy_and_currency_formats(client, user, client_id):
    body = _invoice(client, user, client_id, amount="5000", currency="jpy").json()
    assert (body["amount"], body["currency"], body["balance"]) == ("5000", "JPY", "5000")


def test_partial_then_full_payment(client, user, client_id, published):
    invoice = _invoice(client, user, client_id).json()
    url = f"/api/invoices/{invoice['id']}/payments"
    partial = client.post(url, headers=user["headers"], json={"amount": "250.00", "reference": "wire 1"})
    assert partial.status_code == 201
    assert partial.json()["status"] == "partially_paid"
    assert partial.json()["balance"] == "1000.00"
    too_much = client.post(url, headers=user["headers"], json={"amount": "1000.01"})
    assert too_much.status_code == 422
    assert too_much.json()["detail"][0]["field"] == "amount"
    future = client.post(url, headers=user["headers"], json={"amount": "1.00", "paid_at": "2027-01-01T00:00:00Z"})
    assert future.status_code == 422
    naive = client.post(url, headers=user["headers"], json={"amount": "1.00", "paid_at": "2026-11-01T00:00:00"})
    assert naive.status_code == 422
    rest = client.post(url, headers=user["headers"], json={"amount": "1000.00"})
    assert rest.json()["status"] == "paid"
    assert rest.json()["balance"] == "0.00"
    assert rest.json()["paid_at"] is not None
    assert client.post(url, headers=user["headers"], json={"amount": "1.00"}).status_code == 409
    payments = client.get(url, headers=user["headers"]).json()["items"]
    assert [p["amount"] for p in payments] == ["250.00", "1000.00"]
    assert [change for change, _ in published] == [
        InvoiceChange.created,
        InvoiceChange.payment_recorded,
        InvoiceChange.paid,
    ]


def test_void(client, user, client_id, published):
    invoice = _invoice(client, user, client_id).json()
    voided = client.post(f"/api/invoices/{invoice['id']}/void", headers=user["headers"])
    assert voided.status_code == 200
    assert voided.json()["status"] == "void"
    assert voided.json()["voided_at"] is not None
    pay = client.post(f"/api/invoices/{invoice['id']}/payments", headers=user["headers"], json={"amount": "1.00"})
    assert pay.status_code == 409
    assert published[-1][0] == InvoiceChange.voided
    paid = _invoice(client, user, client_id, number="INV-2").json()
    client.post(f"/api/invoices/{paid['id']}/payments", headers=user["headers"], json={"amount": "1250.00"})
    assert client.post(f"/api/invoices/{paid['id']}/void", headers=user["headers"]).status_code == 409
    partly = _invoice(client, user, client_id, number="INV-3").json()
    client.post(f"/api/invoices/{partly['id']}/payments", headers=user["headers"], json={"amount": "250.00"})
    refused = client.post(f"/api/invoices/{partly['id']}/void", headers=user["headers"])
    assert refused.status_code == 409
    assert "refund the payments first" in refused.json()["detail"]
    assert client.get(f"/api/invoices/{partly['id']}", headers=user["headers"]).json()["status"] == "partially_paid"


def test_update_rules(client, user, client_id, published):
    invoice = _invoice(client, user, client_id).json()
    url = f"/api/invoices/{invoice['id']}"
    moved = client.patch(url, headers=user["headers"], json={"due_date": "2026-12-31", "amount": "1500"})
    assert moved.status_code == 200
    assert (moved.json()["due_date"], moved.json()["amount"]) == ("2026-12-31", "1500.00")
    assert published[-1] == (InvoiceChange.updated, [invoice["id"]])
    client.post(f"{url}/payments", headers=user["headers"], json={"amount": "600.00"})
    below = client.patch(url, headers=user["headers"], json={"amount": "500.00"})
    assert below.status_code == 422
    currency = client.patch(url, headers=user["headers"], json={"currency": "USD"})
    assert currency.status_code == 422
    lowered = client.patch(url, headers=user["headers"], json={"amount": "600.00"})
    assert lowered.json()["status"] == "paid"
    locked = client.patch(url, headers=user["headers"], json={"amount": "700.00"})
    assert locked.status_code == 409
    described = client.patch(url, headers=user["headers"], json={"description": "Thanks"})
    assert described.status_code == 200
    empty = client.patch(url, headers=user["headers"], json={"description": "x", "due_date": None})
    assert empty.status_code in (409, 422)


def test_draft_then_open(client, user, client_id):
    draft = _invoice(client, user, client_id, status="draft").json()
    assert draft["status"] == "draft"
    opened = client.patch(f"/api/invoices/{draft['id']}", headers=user["headers"], json={"status": "open"}).json()
    assert opened["status"] == "open"
    back = client.patch(f"/api/invoices/{draft['id']}", headers=user["headers"], json={"status": "draft"})
    assert back.status_code == 422


def test_list_filters_and_derived_overdue(client, user, client_id):
    h = user["headers"]
    second_client = client.post("/api/clients", headers=h, json={"name": "Initech"}).json()["id"]
    _invoice(client, user, client_id, number="A-1", issue_date="2026-10-01", due_date="2026-11-01")  # overdue
    _invoice(client, user, client_id, number="A-2", due_date="2026-12-20")  # open
    _invoice(client, user, second_client, number="B-1", issue_date="2026-10-01", due_date="2026-11-24")  # overdue
    paid = _invoice(client, user, client_id, number="A-3", amount="10.00").json()
    client.post(f"/api/invoices/{paid['id']}/payments", headers=h, json={"amount": "10.00"})
    _invoice(client, user, second_client, number="B-2", due_date="2026-11-25", description="Logo design")  # due today

    def numbers(**params):
        response = client.get("/api/invoices", headers=h, params=params)
        assert response.status_code == 200, response.text
        return [i["number"] for i in response.json()["items"]]

    assert numbers(status="overdue") == ["A-1", "B-1"]
    assert numbers(status="open") == ["B-2", "A-2"]
    assert numbers(status="paid") == ["A-3"]
    assert sorted(numbers(status=["overdue", "paid"])) == ["A-1", "A-3", "B-1"]
    assert numbers(client_id=second_client) == ["B-1", "B-2"]
    assert numbers(due_from="2026-11-20", due_to="2026-11-30") == ["B-1", "B-2"]
    assert numbers(q="logo") == ["B-2"]
    assert numbers(q="initech") == ["B-1", "B-2"]
    assert numbers(sort="-number")[:2] == ["B-2", "B-1"]
    listed = client.get("/api/invoices", headers=h, params={"status": "overdue"}).json()
    assert {i["status"] for i in listed["items"]} == {"overdue"}
    assert client.get("/api/invoices", headers=h, params={"status": "late"}).status_code == 422
    assert client.get("/api/invoices", headers=h, params={"due_from": "soon"}).status_code == 422


def test_overdue_uses_account_timezone(client, clock):
    # 10:00 UTC on Nov 25 is already Nov 26 in Kiritimati (UTC+14).
    user = register(client, timezone="Pacific/Kiritimati")
    cid = client.post("/api/clients", headers=user["headers"], json={"name": "Far East"}).json()["id"]
    body = _invoice(client, user, cid, issue_date="2026-11-01", due_date="2026-11-25").json()
    assert body["status"] == "overdue"


def test_partially_paid_filter_includes_overdue_partial_payments(client, user, client_id):
    h = user["headers"]
    late = _invoice(client, user, client_id, number="P-LATE", issue_date="2026-10-01", due_date="2026-11-01").json()
    client.post(f"/api/invoices/{late['id']}/payments", headers=h, json={"amount": "250.00"})
    soon = _invoice(client, user, client_id, number="P-SOON", due_date="2026-12-20").json()
    client.post(f"/api/invoices/{soon['id']}/payments", headers=h, json={"amount": "1000.00"})
    _invoice(client, user, client_id, number="UNPAID", issue_date="2026-10-01", due_date="2026-11-01")

    response = client.get("/api/invoices", headers=h, params={"status": "partially_paid"})
    assert response.status_code == 200, response.text
    items = {i["number"]: i for i in response.json()["items"]}
    assert sorted(items) == ["P-LATE", "P-SOON"]
    # The overdue one keeps its effective status; it is listed because of the payment.
    assert items["P-LATE"]["status"] == "overdue"
    assert (items["P-LATE"]["amount_paid"], items["P-LATE"]["amount"]) == ("250.00", "1250.00")
    assert items["P-SOON"]["status"] == "partially_paid"
    overdue = client.get("/api/invoices", headers=h, params={"status": "overdue"}).json()["items"]
    assert sorted(i["number"] for i in overdue) == ["P-LATE", "UNPAID"]
