"""Money in audit entries: `changes` keeps minor units, `money` adds the decimal string and currency (issue #20)."""

from __future__ import annotations

from duespark.audit.schemas import AuditEntryOut
from tests.audit.test_audit_api import _client_and_invoice, _entries
from tests.helpers import register


def test_created_edited_and_paid_entries_carry_their_money(client):
    user = register(client)
    headers = user["headers"]
    _, invoice_id = _client_and_invoice(client, headers, amount="1250.00")
    edited = client.patch(f"/api/invoices/{invoice_id}", json={"amount": "1300.50"}, headers=headers)
    assert edited.status_code == 200, edited.text
    paid = client.post(
        f"/api/invoices/{invoice_id}/payments",
        json={"amount": "300.00"},
        headers=headers,
    )
    assert paid.status_code == 201, paid.text
    entries = {e["action"]: e for e in _entries(client, headers, entity_id=invoice_id)}
    created = entries["invoice.created"]
    assert (created["changes"]["amount_minor"], created["changes"]["currency"]) == (125000, "EUR")
    assert created["money"] == {
        "amount_minor": {"value": {"amount": "1250.00", "currency": "EUR"}, "before": None, "after": None}
    }
    # The edit names no currency: the invoice's is used.
    change = entries["invoice.edited"]
    assert change["changes"] == {"amount_minor": {"before": 125000, "after": 130050}}
    assert change["money"] == {
        "amount_minor": {
            "value": None,
            "before": {"amount": "1250.00", "currency": "EUR"},
            "after": {"amount": "1300.50", "currency": "EUR"},
        }
    }
    payment = entries["payment.recorded"]
    assert payment["changes"]["amount_minor"] == 30000
    assert payment["money"]["amount_minor"]["value"] == {"amount": "300.00", "currency": "EUR"}


def test_currencies_without_minor_units_and_entries_without_money(client):
    user = register(client)
    headers = user["headers"]
    created = client.post("/api/clients", json={"name": "Nintendo", "email": "ap@n.example.com"}, headers=headers)
    invoice = client.post(
        "/api/invoices",
        json={
            "client_id": created.json()["id"],
            "number": "JP-1",
            "amount": "5000",
            "currency": "JPY",
            "issue_date": "2026-11-01",
            "due_date": "2026-12-01",
        },
        headers=headers,
    )
    assert invoice.status_code == 201, invoice.text
    [entry] = _entries(client, headers, action="invoice.created")
    assert entry["money"]["amount_minor"]["value"] == {"amount": "5000", "currency": "JPY"}
    client.patch(f"/api/invoices/{invoice.json()['id']}", json={"description": "Consulting"}, headers=headers)
    [edit] = _entries(client, headers, action="invoice.edited")
    assert edit["money"] == {}


def test_a_currency_edit_formats_each_side_in_its_own_currency(session):
    from duespark.audit.money import add_money

    entry = AuditEntryOut(
        id=1,
        at="2026-11-25T10:00:00Z",
        actor_kind="user",
        actor_id=1,
        actor_label="a@example.com",
        action="invoice.edited",
        entity_type="invoice",
        entity_id=None,
        changes={
            "amount_minor": {"before": 125000, "after": 5000},
            "currency": {"before": "EUR", "after": "JPY"},
            "note_minor": "not a number",
        },
        ip=None,
    )
    add_money(session, account_id=1, entries=[entry])
    assert {k: v.model_dump() for k, v in entry.money.items()} == {
        "amount_minor": {
            "value": None,
            "before": {"amount": "1250.00", "currency": "EUR"},
            "after": {"amount": "5000", "currency": "JPY"},
        }
    }
