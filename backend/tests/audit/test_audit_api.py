"""The audit trail through the API: entries for the changes that matter, in the change's transaction,
exact before/after, filters, tenancy, and no route that edits or deletes an entry."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from duespark.audit import service as audit
from duespark.models import Account, AuditEntry
from tests.helpers import auth, register


def _client_and_invoice(client, headers, *, number="INV-1", amount="100.00"):
    created = client.post("/api/clients", json={"name": "Globex", "email": "ap@globex.example.com"}, headers=headers)
    assert created.status_code == 201, created.text
    invoice = client.post(
        "/api/invoices",
        json={
            "client_id": created.json()["id"],
            "number": number,
            "amount": amount,
            "issue_date": "2026-11-01",
            "due_date": "2026-12-01",
        },
        headers=headers,
    )
    assert invoice.status_code == 201, invoice.text
    return created.json()["id"], invoice.json()["id"]


def _entries(client, headers, **params) -> list[dict]:
    response = client.get("/api/audit", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_invoice_created_and_edited_with_exact_before_and_after(client):
    user = register(client)
    client_id, invoice_id = _client_and_invoice(client, user["headers"])
    edited = client.patch(
        f"/api/invoices/{invoice_id}",
        json={"amount": "120.50", "due_date": "2026-12-15", "description": "Design work"},
        headers=user["headers"],
    )
    assert edited.status_code == 200, edited.text

    entries = _entries(client, user["headers"], entity_type="invoice", entity_id=invoice_id)
    assert [e["action"] for e in entries] == ["invoice.edited", "invoice.created"]
    edit, created = entries
    assert edit["changes"] == {
        "amount_minor": {"before": 10000, "after": 12050},
        "due_date": {"before": "2026-12-01", "after": "2026-12-15"},
        "description": {"before": None, "after": "Design work"},
    }
    assert edit["actor_kind"] == "user" and edit["actor_label"] == user["email"]
    assert created["changes"]["amount_minor"] == 10000 and created["changes"]["client_id"] == client_id
    assert edit["ip"] is None  # the account does not record addresses


def test_an_edit_that_changes_nothing_and_a_refused_edit_leave_no_entry(client):
    user = register(client)
    _, invoice_id = _client_and_invoice(client, user["headers"])
    same = client.patch(f"/api/invoices/{invoice_id}", json={"amount": "100.00"}, headers=user["headers"])
    assert same.status_code == 200
    refused = client.patch(
        f"/api/invoices/{invoice_id}", json={"amount": "50.00", "due_date": "2020-01-01"}, headers=user["headers"]
    )
    assert refused.status_code == 422
    assert [e["action"] for e in _entries(client, user["headers"])] == ["invoice.created"]


def test_money_status_and_settings_changes_are_recorded(client):
    user = register(client)
    h = user["headers"]
    client_id, invoice_id = _client_and_invoice(client, h)
    assert client.post(f"/api/invoices/{invoice_id}/payments", json={"amount": "40.00"}, headers=h).status_code == 201
    _, other_id = _client_and_invoice(client, h, number="INV-2")
    assert client.post(f"/api/invoices/{other_id}/void", headers=h).status_code == 200
    assert client.post(f"/api/clients/{client_id}/pause", json={}, headers=h).status_code == 200
    assert client.post(f"/api/clients/{client_id}/resume", headers=h).status_code == 200
    token = client.post("/api/tokens", json={"name": "<script>alert(1)</script>"}, headers=h).json()
    assert client.delete(f"/api/tokens/{token['id']}", headers=h).status_code == 204
    assert client.patch("/api/account", json={"audit_retention_days": 90}, headers=h).status_code == 200
    assert client.get("/api/me/export", headers=h).status_code == 200

    by_action = {e["action"]: e for e in _entries(client, h, page_size=100)}
    assert by_action["payment.recorded"]["changes"]["amount_minor"] == 4000
    assert by_action["payment.recorded"]["entity_id"] == invoice_id
    assert by_action["invoice.voided"]["changes"] == {"status": {"before": "open", "after": "void"}}
    assert by_action["invoice.voided"]["entity_id"] == other_id
    assert by_action["client.paused"]["entity_id"] == client_id
    assert by_action["client.resumed"]["entity_id"] == client_id
    # Text a user typed comes back as data, never interpreted: the screen escapes it.
    assert by_action["token.created"]["changes"]["name"] == "<script>alert(1)</script>"
    assert by_action["token.revoked"]["entity_id"] == token["id"]
    assert by_action["account.settings_changed"]["changes"] == {"audit_retention_days": {"before": 365, "after": 90}}
    assert by_action["account.export_requested"]["actor_label"] == user["email"]


def test_policy_template_test_mode_and_password_changes_are_recorded(client):
    user = register(client)
    h = user["headers"]
    policy = client.get("/api/reminder-policy", headers=h).json()
    steps = [{"offset_days": s["offset_days"], "template_key": s["template_key"]} for s in policy["steps"]][:2]
    assert client.put("/api/reminder-policy", json={"steps": steps}, headers=h).status_code == 200
    saved = client.put(
        "/api/templates/friendly",
        json={"subject": "Invoice {{ invoice_number }}", "body": "Hello {{ client_name }}"},
        headers=h,
    )
    assert saved.status_code == 200, saved.text
    assert client.post("/api/account/test-mode", headers=h).status_code == 200  # already in test mode: no entry
    changed = client.patch(
        "/api/me", json={"current_password": user["password"], "new_password": "another long passphrase"}, headers=h
    )
    assert changed.status_code == 200
    fresh = client.post("/api/auth/login", json={"email": user["email"], "password": "another long passphrase"})
    h = auth(fresh.json()["access_token"])

    by_action = {e["action"]: e for e in _entries(client, h)}
    assert set(by_action) == {"policy.changed", "template.changed", "user.password_changed"}
    assert "steps" in by_action["policy.changed"]["changes"]
    assert by_action["template.changed"]["changes"]["subject"] == {
        "before": None,
        "after": "Invoice {{ invoice_number }}",
    }


def test_an_api_token_is_named_as_the_actor(client):
    user = register(client)
    raw = client.post("/api/tokens", json={"name": "billing script"}, headers=user["headers"]).json()
    _client_and_invoice(client, auth(raw["token"]))
    created = _entries(client, user["headers"], action="invoice.created")[0]
    assert created["actor_kind"] == "token"
    assert created["actor_id"] == raw["id"]
    assert created["actor_label"] == f"billing script ({user['email']})"


def test_filters_and_paging(client, clock):
    user = register(client)
    h = user["headers"]
    _, first = _client_and_invoice(client, h, number="A-1")
    clock.advance(timedelta(days=2))
    h = auth(
        client.post("/api/auth/login", json={"email": user["email"], "password": user["password"]}).json()[
            "access_token"
        ]
    )
    _, second = _client_and_invoice(client, h, number="A-2")
    client.patch(f"/api/invoices/{second}", json={"description": "x"}, headers=h)

    assert [e["entity_id"] for e in _entries(client, h, action="invoice.created")] == [second, first]
    assert len(_entries(client, h, entity_type="invoice", entity_id=first)) == 1
    later = (clock.now() - timedelta(hours=1)).isoformat()
    assert {e["entity_id"] for e in _entries(client, h, since=later)} == {second}
    assert {e["entity_id"] for e in _entries(client, h, until=later)} == {first}
    assert _entries(client, h, actor_kind="system") == []
    page = client.get("/api/audit", params={"page_size": 2, "page": 2}, headers=h).json()
    assert page["total"] == 3 and len(page["items"]) == 1 and page["items"][0]["entity_id"] == first
    assert client.get("/api/audit", params={"since": "2026-11-01T00:00:00"}, headers=h).status_code == 422
    assert client.get("/api/audit", params={"action": "x" * 65}, headers=h).status_code == 422
    assert client.get("/api/audit", params={"entity_id": 2**64}, headers=h).status_code == 422
    assert client.get("/api/audit", params={"actor_kind": "admin"}, headers=h).status_code == 422


def test_another_accounts_entries_are_never_visible(client):
    alice, mallory = register(client), register(client)
    _, invoice_id = _client_and_invoice(client, alice["headers"])
    assert _entries(client, mallory["headers"]) == []
    assert _entries(client, mallory["headers"], entity_type="invoice", entity_id=invoice_id) == []
    assert client.get("/api/audit").status_code == 401


def test_no_route_edits_or_deletes_an_entry(client, app):
    paths = app.openapi()["paths"]
    methods = {method for path, operations in paths.items() if path.startswith("/api/audit") for method in operations}
    assert methods == {"get"}
    user = register(client)
    _client_and_invoice(client, user["headers"])
    entry_id = _entries(client, user["headers"])[0]["id"]
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        answer = client.request(method, f"/api/audit/{entry_id}", headers=user["headers"])
        assert answer.status_code in (404, 405)
        answer = client.request(method, "/api/audit", headers=user["headers"])
        assert answer.status_code == 405
    assert len(_entries(client, user["headers"])) == 1


def test_ip_is_kept_only_when_the_account_enables_it(client):
    user = register(client)
    h = user["headers"]
    _client_and_invoice(client, h, number="B-1")
    assert client.patch("/api/account", json={"audit_record_ip": True}, headers=h).status_code == 200
    _client_and_invoice(client, h, number="B-2")
    created = _entries(client, h, action="invoice.created")
    assert [e["ip"] for e in created] == ["testclient", None]


def test_the_export_contains_the_trail(client):
    import io
    import json
    import zipfile

    user = register(client)
    _client_and_invoice(client, user["headers"])
    archive = zipfile.ZipFile(io.BytesIO(client.get("/api/me/export", headers=user["headers"]).content))
    rows = json.loads(archive.read("json/audit_entries.json"))
    assert [row["action"] for row in rows] == ["invoice.created"]


def test_prune_keeps_each_accounts_retention(session, clock):
    from tests.helpers import make_account

    short, long = make_account(session, clock=clock), make_account(session, clock=clock)
    short.audit_retention_days = 30
    for account in (short, long):
        for age in (10, 40, 400):
            audit.record(
                session,
                account_id=account.id,
                action="invoice.created",
                entity_type="invoice",
                entity_id=1,
                now=clock.now() - timedelta(days=age),
            )
    assert audit.prune(session, now=clock.now()) == 3
    remaining = dict(session.execute(select(AuditEntry.account_id, func.count()).group_by(AuditEntry.account_id)).all())
    assert remaining == {short.id: 1, long.id: 2}
    assert session.get(Account, short.id) is not None
