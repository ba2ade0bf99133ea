"""Helpers for the answers tests: the app over a committed database, and the client's pay link."""

from __future__ import annotations

from fastapi.testclient import TestClient

from duespark.app import create_app
from duespark.payments import links


def app_client(settings, clock, db) -> TestClient:
    app = create_app(settings, clock)
    app.state.engine.dispose()
    app.state.session_factory = db.factory
    return TestClient(app)


def pay_token(settings, invoice_id: int) -> str:
    return links.invoice_pay_token(settings, invoice_id)


def answer(http: TestClient, token: str, kind: str, **fields: str):
    return http.post(f"/pay/{token}/answers/{kind}", data=fields, follow_redirects=False)


def api_invoice(http: TestClient, headers: dict, *, number: str = "INV-1", amount: str = "1250.00") -> dict:
    """A client and an open, overdue invoice made through the API (TEST_NOW is 25 November 2026)."""
    client = http.post("/api/clients", headers=headers, json={"name": "Globex", "email": "ap@globex.example.com"})
    assert client.status_code == 201, client.text
    invoice = http.post(
        "/api/invoices",
        headers=headers,
        json={
            "client_id": client.json()["id"],
            "number": number,
            "amount": amount,
            "currency": "EUR",
            "issue_date": "2026-11-01",
            "due_date": "2026-11-20",
        },
    )
    assert invoice.status_code == 201, invoice.text
    return invoice.json()
