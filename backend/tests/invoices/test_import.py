from __future__ import annotations

import pytest

from duespark.invoices import events
from tests.helpers import register

GOOD = """number,client_email,client_name,amount,currency,issue_date,due_date,description
INV-100,ap@globex.com,Globex,1250.00,EUR,2026-11-01,2026-11-30,Website
INV-101,ap@globex.com,Globex,99.90,,2026-11-02,2026-12-02,Hosting
INV-102,,Initech,5000,JPY,2026-11-03,2026-12-03,=HYPERLINK("http://evil")
"""


@pytest.fixture
def user(client):
    return register(client)


def _upload(client, user, body: str | bytes, *, dry_run: bool):
    data = body.encode() if isinstance(body, str) else body
    return client.post(
        "/api/invoices/import",
        headers=user["headers"],
        params={"dry_run": str(dry_run).lower()},
        files={"file": ("invoices.csv", data, "text/csv")},
    )


def _count(client, user):
    return client.get("/api/invoices", headers=user["headers"]).json()["total"]


def test_dry_run_then_import(client, user):
    seen = []
    listener = lambda session, change, ids, clock: seen.append((change, len(ids)))  # noqa: E731
    events.subscribe(listener)
    try:
        preview = _upload(client, user, GOOD, dry_run=True)
        assert preview.status_code == 200
        assert preview.json() == {
            "dry_run": True,
            "total_rows": 3,
            "valid_rows": 3,
            "created": 0,
            "clients_to_create": ["Globex", "Initech"],
            "errors": [],
            "options": {
                "start_from_today": True,
                "dont_chase_older": True,
                "older_than_days": 90,
                "invoices_started_later": 0,
                "steps_skipped": 0,
                "not_chased_old": 0,
                "not_chased_no_step_left": 0,
            },
            # None of them is due before 30 November: nothing goes out now.
            "first_wave": {
                "at": None,
                "today": True,
                "test_mode": True,
                "emails": 0,
                "clients": 0,
                "invoices": 0,
                "statements": 0,
                "singles": 0,
                "tones": {},
                "skipped_steps": 0,
                "held": 0,
                "held_reason": None,
                "previews": [],
                "more": 0,
            },
        }
        assert _count(client, user) == 0
        result = _upload(client, user, GOOD, dry_run=False)
        assert result.status_code == 200
        assert result.json()["created"] == 3
    finally:
        events._listeners.remove(listener)
    # The dry run imports in a savepoint it rolls back (to preview what goes out), so listeners run
    # there too and their writes are undone with it; the real import publishes once more.
    assert seen == [("created", 3), ("created", 3)]
    invoices = client.get("/api/invoices", headers=user["headers"], params={"sort": "number"}).json()["items"]
    assert [(i["number"], i["amount"], i["currency"], i["client_name"]) for i in invoices] == [
        ("INV-100", "1250.00", "EUR", "Globex"),
        ("INV-101", "99.90", "EUR", "Globex"),
        ("INV-102", "5000", "JPY", "Initech"),
    ]
    # The formula is kept as text; exports neutralise it.
    assert invoices[2]["description"].startswith("=HYPERLINK")
    clients = client.get("/api/clients", headers=user["headers"]).json()
    assert clients["total"] == 2
    again = _upload(client, user, GOOD, dry_run=True).json()
    assert [e["message"] for e in again["errors"]] == [
        "invoice 'INV-100' already exists",
        "invoice 'INV-101' already exists",
        "invoice 'INV-102' already exists",
    ]


def test_existing_client_is_matched_by_email(client, user):
    existing = client.post(
        "/api/clients", headers=user["headers"], json={"name": "Globex Corp", "email": "AP@globex.com"}
    ).json()
    _upload(client, user, GOOD, dry_run=False)
    invoices = client.get("/api/invoices", headers=user["headers"], params={"client_id": existing["id"]}).json()
    assert invoices["total"] == 2


def test_every_bad_row_reported_and_nothing_written(client, user):
    body = (
        "number;client_name;amount;due_date;issue_date;currency\n"
        "A-1;Globex;1.100,50;2026-12-01;;EUR\n"
        "A-2;Globex;-5;2026-12-01;;\n"
        ";Globex;10;2026-12-01;;\n"
        "A-4;;10;2026-12-01;;\n"
        "A-5;Globex;10;12/01/2026;;\n"
        "A-6;Globex;10;2026-12-01;2026-12-05;\n"
        "A-7;Globex;10;2026-12-01;;EURO\n"
        "A-8;Globex;10;2026-12-01;;\n"
        "A-8;Globex;10;2026-12-01;;\n"
    )
    report = _upload(client, user, body, dry_run=True).json()
    assert report["total_rows"] == 9
    assert report["valid_rows"] == 2
    assert [(e["line"], e["field"]) for e in report["errors"]] == [
        (3, "amount"),
        (4, "number"),
        (5, "client_name"),
        (6, "due_date"),
        (7, "due_date"),
        (8, "currency"),
        (10, "number"),
    ]
    assert "also on line 9" in report["errors"][-1]["message"]
    real = _upload(client, user, body, dry_run=False)
    assert real.status_code == 422
    assert real.json()["error"] == "ImportRejected"
    assert len(real.json()["detail"]["errors"]) == 7
    assert _count(client, user) == 0
    assert client.get("/api/clients", headers=user["headers"]).json()["total"] == 0
    fixed = "\n".join(line for n, line in enumerate(body.splitlines(), 1) if n in (1, 2, 9)) + "\n"
    assert _upload(client, user, fixed, dry_run=False).json()["created"] == 2
    amounts = [i["amount"] for i in client.get("/api/invoices", headers=user["headers"]).json()["items"]]
    assert sorted(amounts) == ["10.00", "1100.50"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"number,amount\nA,1\n", "Missing column"),
        ("number,client_name,amount,due_date\nA,Caf\u00e9,1,2026-12-01\n".encode("latin-1"), "not UTF-8"),
        (b"number,client_name,amount,due_date\n", "no invoice rows"),
    ],
)
def test_file_level_errors(client, user, body, message):
    response = _upload(client, user, body, dry_run=False)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "file"
    assert message in response.json()["detail"][0]["message"]


def test_utf8_bom_and_extra_cells(client, user):
    body = "\ufeffNumber,Client Name,Amount,Due Date\nA-1,Café Zürich,10.00,2026-12-01\nA-2,X,1,2026-12-01,extra\n"
    report = _upload(client, user, body.encode(), dry_run=True).json()
    assert report["valid_rows"] == 1
    assert report["clients_to_create"] == ["Café Zürich"]
    assert report["errors"][0]["line"] == 3


def test_line_breaks_in_names_are_refused_on_their_row(client, user):
    """A quoted cell can hold a line break; in a client's name it would break every email header."""
    body = (
        "number,client_name,client_company,amount,due_date\n"
        'B-1,"Globex\r\nBcc: victim@example.com",,10,2026-12-01\n'
        'B-2,Initech,"Initech\nLtd",10,2026-12-01\n'
        "B-3,Hooli,,10,2026-12-01\n"
    )
    report = _upload(client, user, body, dry_run=True).json()
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(2, "client_name"), (4, "client_company")]
    assert "found CR" in report["errors"][0]["message"] and "found LF" in report["errors"][1]["message"]
    assert _upload(client, user, body, dry_run=False).status_code == 422
    assert _count(client, user) == 0
