"""An account with a EUR bank account asking for RF references, clients and open invoices, via the API."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient

from duespark.banktransfer import epc
from tests.helpers import register

URL = "/api/reconciliation"


@dataclass
class Books:
    headers: dict[str, str]
    invoices: dict[str, dict]
    rf_1045: str


def rf_for(number: str) -> str:
    rf = epc.creditor_reference(number)
    assert rf is not None
    return rf


def make_books(http: TestClient) -> Books:
    user = register(http)
    h = user["headers"]
    bank = http.post(
        "/api/bank-accounts",
        headers=h,
        json={"currency": "EUR", "payee_name": "Spark", "iban": "DE89370400440532013000", "structured_reference": True},
    )
    assert bank.status_code == 201, bank.text
    clients = {}
    for name, company in (
        ("Anna", "Acme GmbH"),
        ("Hans", "Müller & Söhne KG"),
        ("Gail", "Globex Corp"),
        ("Ian", "Initech Ltd"),
    ):
        made = http.post("/api/clients", headers=h, json={"name": name, "company": company, "email": f"{name}@x.io"})
        assert made.status_code == 201, made.text
        clients[company] = made.json()["id"]
    invoices = {}
    for number, company, amount in (
        ("INV-1042", "Acme GmbH", "1250.00"),
        ("INV-1043", "Müller & Söhne KG", "900.00"),
        ("INV-1044", "Globex Corp", "400.00"),
        ("INV-1045", "Initech Ltd", "500.00"),
    ):
        made = http.post(
            "/api/invoices",
            headers=h,
            json={
                "client_id": clients[company],
                "number": number,
                "amount": amount,
                "issue_date": "2026-11-01",
                "due_date": "2026-11-30",
            },
        )
        assert made.status_code == 201, made.text
        invoices[number] = made.json()
    return Books(headers=h, invoices=invoices, rf_1045=rf_for("INV-1045"))


def upload(http: TestClient, headers: dict, data: bytes, name: str = "statement.xml", content_type="text/xml"):
    return http.post(f"{URL}/statements", headers=headers, files={"file": (name, data, content_type)})


def entries(http: TestClient, headers: dict, statement_id: int) -> list[dict]:
    response = http.get(f"{URL}/statements/{statement_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["entries"]
