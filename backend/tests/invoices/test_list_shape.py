"""The invoice list's page is picked from invoices alone (an index serves its order), then joined to
the clients: a bad row estimate can no longer make PostgreSQL join and sort every matching invoice
before cutting the page. Same order and total; ties are broken by id in the sort's direction (an index
read backwards serves a descending page without a sort)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from tests.helpers import register


@pytest.fixture
def h(client):
    return register(client, default_currency="EUR")["headers"]


@pytest.fixture
def statements(connection):
    seen: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        seen.append(" ".join(statement.split()))

    event.listen(connection, "before_cursor_execute", record)
    yield seen
    event.remove(connection, "before_cursor_execute", record)


def _seed(client, h) -> None:
    clients = [
        client.post("/api/clients", headers=h, json={"name": name}).json()["id"] for name in ("Acme", "Globex", "Zed")
    ]
    # Seven invoices, three sharing a due date (ties broken by id), two not yet due.
    dues = ["2026-10-01", "2026-11-01", "2026-11-01", "2026-11-01", "2026-11-20", "2026-12-20", "2027-01-05"]
    for index, due in enumerate(dues):
        body = {
            "client_id": clients[index % 3],
            "number": f"INV-{index:03d}",
            "amount": "10.00",
            "issue_date": "2026-09-01",
            "due_date": due,
        }
        assert client.post("/api/invoices", headers=h, json=body).status_code == 201


def _page(client, h, **params) -> dict:
    response = client.get("/api/invoices", headers=h, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_pages_keep_order_ties_total_and_client_names(client, h):
    _seed(client, h)
    first = _page(client, h, status="overdue", sort="-due_date", page_size=2, page=1)
    second = _page(client, h, status="overdue", sort="-due_date", page_size=2, page=2)
    third = _page(client, h, status="overdue", sort="-due_date", page_size=2, page=3)
    assert [first["total"], second["total"], third["total"]] == [5, 5, 5]
    numbers = [i["number"] for page in (first, second, third) for i in page["items"]]
    # Descending due date, equal due dates in descending id order (latest created first).
    assert numbers == ["INV-004", "INV-003", "INV-002", "INV-001", "INV-000"]
    assert [i["client_name"] for i in first["items"]] == ["Globex", "Acme"]
    assert {i["status"] for page in (first, second, third) for i in page["items"]} == {"overdue"}
    ascending = _page(client, h, sort="due_date", page_size=50)
    assert [i["number"] for i in ascending["items"]] == [f"INV-{n:03d}" for n in range(7)]
    assert ascending["total"] == 7
    assert _page(client, h, status="overdue", page_size=2, page=4)["items"] == []
    found = _page(client, h, q="inv-00", sort="-number", page_size=3)
    assert [i["number"] for i in found["items"]] == ["INV-006", "INV-005", "INV-004"]
    assert found["total"] == 7


def test_page_ids_are_chosen_from_invoices_alone_then_joined(client, h, statements):
    _seed(client, h)
    statements.clear()
    _page(client, h, status="overdue", sort="-due_date", page_size=2)
    _page(client, h, q="inv-00", sort="number", page_size=2)
    listed = [s for s in statements if "clients.name FROM invoices" in s]
    assert len(listed) == 2, statements
    for statement in listed:
        # The LIMIT sits in a subquery of invoice ids alone; the clients are joined outside it.
        inner = re.search(r"\(SELECT invoices\.id\b(?:(?!JOIN).)*? LIMIT \S+ OFFSET \S+\) AS", statement)
        assert inner is not None, statement
        assert "clients" not in inner.group(0)
