"""Hostile uploads and ids: XXE, billion laughs, HTML as .xml, 20 MB, garbage, formulas, others' ids, GDPR."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select

from duespark.models import BankStatement, StatementEntry
from tests.helpers import register
from tests.reconciliation.samples import day_statement
from tests.reconciliation.support import URL, entries, make_books, upload

XXE = (
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>&x;</Id>'
    b"</Stmt></BkToCstmrStmt></Document>"
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
    )
    + b"]><lolz>&lol9;</lolz>"
)
DTD_REFUSED = "The XML declares a DTD or entities, which a bank statement never does; it was not read"


def _refused(response, message: str) -> None:
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == [{"field": "file", "message": message}]


def test_hostile_files_are_refused_naming_the_file(client, session):
    books = make_books(client)
    h = books.headers
    _refused(upload(client, h, XXE), DTD_REFUSED)
    _refused(upload(client, h, LAUGHS), DTD_REFUSED)
    _refused(
        upload(client, h, b"<html><head><title>Bank</title></head><body>Login</body></html>", name="statement.xml"),
        "Not a CAMT.053 statement (camt.053.001.02 to .08): the file is html",
    )
    _refused(
        upload(client, h, bytes(range(256)) * 40, name="garbage.csv", content_type="text/csv"),
        "Not a CSV export: the file is binary",
    )
    _refused(
        upload(client, h, b"hello;world\nthis;is\nnot;a statement\n", name="x.csv", content_type="text/csv"),
        "Not a bank statement export this service can read: missing columns date, amount (or credit/debit) "
        "(the header row found: 'hello', 'world')",
    )
    _refused(
        upload(client, h, b"Date,Amount\n2026-11-01,12abc\n", name="x.csv", content_type="text/csv"),
        "Line 2: the amount '12abc' is not a number",
    )
    assert session.scalar(select(func.count()).select_from(BankStatement)) == 0
    # No file at all, or a JSON body instead of a form: 422 naming `file`.
    missing = client.post(f"{URL}/statements", headers=h, files={"other": ("x", b"1")})
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "file"


def test_twenty_megabytes_is_413_naming_the_limit(client):
    books = make_books(client)
    big = b"Date,Amount\n" + b"2026-11-01,1.00\n" * (20 * 1024 * 1024 // 16)
    response = upload(client, books.headers, big, name="big.csv", content_type="text/csv")
    assert response.status_code == 413
    assert "a bank statement may be at most 10 MB (DUESPARK_STATEMENT_MAX_BYTES)" in response.json()["detail"]


def test_a_formula_or_script_in_a_payer_name_comes_back_as_the_same_text(client):
    books = make_books(client)
    formula = "=cmd|' /C calc'!A0"
    script = "<script>alert(1)</script>"
    csv_text = f'Date,Payer,Reference,Amount\n2026-11-18,"{formula}",INV-1042,10.00\n2026-11-18,{script},x,5.00\n'
    response = upload(client, books.headers, csv_text.encode(), name="f.csv", content_type="text/csv")
    assert response.status_code == 201, response.text
    rows = entries(client, books.headers, response.json()["statement"]["id"])
    assert [r["payer_name"] for r in rows] == [formula, script]
    # The GDPR export's CSV keeps it text for spreadsheets; the JSON keeps it exact.
    export = client.get("/api/me/export", headers=books.headers)
    archive = zipfile.ZipFile(io.BytesIO(export.content))
    assert [e["payer_name"] for e in json.loads(archive.read("json/statement_entries.json"))] == [formula, script]
    assert f"'{formula}" in archive.read("csv/statement_entries.csv").decode()
    assert len(json.loads(archive.read("json/bank_statements.json"))) == 1


def test_other_accounts_ids_are_404_and_change_nothing(client, session):
    books = make_books(client)
    statement = upload(client, books.headers, day_statement(rf=books.rf_1045)).json()["statement"]
    rows = entries(client, books.headers, statement["id"])
    intruder = register(client)["headers"]
    own_client = client.post("/api/clients", headers=intruder, json={"name": "Mine"}).json()["id"]
    own_invoice = client.post(
        "/api/invoices",
        headers=intruder,
        json={
            "client_id": own_client,
            "number": "INV-1042",
            "amount": "1250.00",
            "issue_date": "2026-11-01",
            "due_date": "2026-11-30",
        },
    ).json()["id"]
    assert client.get(f"{URL}/statements/{statement['id']}", headers=intruder).status_code == 404
    assert client.get(f"{URL}/statements", headers=intruder).json()["items"] == []
    for path in (f"{URL}/entries/{rows[0]['id']}/confirm", f"{URL}/entries/{rows[0]['id']}/reject"):
        answer = client.post(path, headers=intruder)
        assert answer.status_code == 404 and answer.json()["detail"] == "Entry not found"
    bulk = client.post(f"{URL}/confirm", headers=intruder, json={"items": [{"entry_id": rows[0]["id"]}]}).json()
    assert bulk["results"] == [{"entry_id": rows[0]["id"], "ok": False, "error": "Entry not found", "entry": None}]
    # The owner cannot pay the intruder's invoice with their entry: the same 404 as a missing one.
    crossed = client.post(
        f"{URL}/entries/{rows[0]['id']}/confirm", headers=books.headers, json={"invoice_id": own_invoice}
    )
    assert crossed.status_code == 404 and crossed.json()["detail"] == "Invoice not found"
    # The intruder's statement with the same bookings is theirs: entries are unique per account only.
    theirs = upload(client, intruder, day_statement(rf=books.rf_1045)).json()["statement"]
    assert theirs["entries_new"] == 7
    assert client.get(f"{URL}/statements/{theirs['id']}", headers=books.headers).status_code == 404
    assert session.scalar(select(func.count()).select_from(StatementEntry).where(StatementEntry.status == "open")) == 10
    for bad in ("0", "-1", "9" * 30, "abc"):
        assert client.get(f"{URL}/statements/{bad}", headers=books.headers).status_code == 422
    too_many = client.post(f"{URL}/confirm", headers=books.headers, json={"items": [{"entry_id": 1}] * 501})
    assert too_many.status_code == 422 and too_many.json()["detail"][0]["field"] == "items"


def test_statements_go_with_the_account(client, session):
    books = make_books(client)
    upload(client, books.headers, day_statement(rf=books.rf_1045))
    me = client.get("/api/me", headers=books.headers).json()
    account_id = me["account"]["id"]
    erased = client.post("/api/me/delete", headers=books.headers, json={"password": "correct horse battery"})
    assert erased.status_code == 200, erased.text
    assert erased.json()["rows_deleted"]["statement_entries"] == 7
    assert erased.json()["rows_deleted"]["bank_statements"] == 1
    session.expire_all()
    assert (
        session.scalar(select(func.count()).select_from(StatementEntry).where(StatementEntry.account_id == account_id))
        == 0
    )
