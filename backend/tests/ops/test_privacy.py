from __future__ import annotations

import csv
import io
import json
import zipfile

from sqlalchemy import func, select

from duespark.models import Account, Client, Invoice, Membership, Message, Payment, RefreshToken, User
from duespark.models.enums import Role
from duespark.privacy.service import csv_cell, tenant_tables
from tests.helpers import register


def _fill(client, user) -> dict:
    headers = user["headers"]
    globex = client.post(
        "/api/clients", json={"name": '=HYPERLINK("http://evil")', "email": "ap@globex.example.com"}, headers=headers
    )
    assert globex.status_code == 201, globex.text
    invoice = client.post(
        "/api/invoices",
        json={
            "client_id": globex.json()["id"],
            "number": "INV-1",
            "amount": "1250.00",
            "currency": "EUR",
            "issue_date": "2026-11-01",
            "due_date": "2026-12-01",
            "description": "+cmd|' /C calc'!A0",
        },
        headers=headers,
    )
    assert invoice.status_code == 201, invoice.text
    paid = client.post(
        f"/api/invoices/{invoice.json()['id']}/payments", json={"amount": "250.00", "note": "-1+1"}, headers=headers
    )
    assert paid.status_code == 201, paid.text
    return {"client_id": globex.json()["id"], "invoice_id": invoice.json()["id"]}


def _add_message(session, clock, *, account_id: int, invoice_id: int) -> None:
    session.add(
        Message(
            account_id=account_id,
            invoice_id=invoice_id,
            kind="reminder",
            to_email="ap@globex.example.com",
            subject="Invoice INV-1 is due",
            provider="file",
            status="sent",
            created_at=clock.now(),
        )
    )
    session.flush()


def _open(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith('attachment; filename="duespark-export-')
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_export_contains_everything_the_account_owns_and_nothing_else(client, session, clock):
    user = register(client, email="ada@example.com", company_name="Ada Design")
    ids = _fill(client, user)
    account_id = client.get("/api/me", headers=user["headers"]).json()["account"]["id"]
    _add_message(session, clock, account_id=account_id, invoice_id=ids["invoice_id"])
    other = register(client, email="mallory@example.com")
    _fill(client, other)

    archive = _open(client.get("/api/me/export", headers=user["headers"]))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["account_id"] == account_id
    expected = {
        "accounts": 1,
        "users": 1,
        "clients": 1,
        "invoices": 1,
        "payments": 1,
        # The reminder added above and the verification email queued at sign-up.
        "messages": 2,
        "memberships": 1,
        "api_tokens": 0,
    }
    assert {table: manifest["tables"][table] for table in expected} == expected
    assert set(manifest["tables"]) == {table.name for table in tenant_tables()} | {"accounts", "users"}
    # Every tenant table is in the archive, as JSON and CSV.
    for table in tenant_tables():
        assert f"json/{table.name}.json" in archive.namelist()
        assert f"csv/{table.name}.csv" in archive.namelist()

    users = json.loads(archive.read("json/users.json"))
    assert [u["email"] for u in users] == ["ada@example.com"]
    assert "password_hash" not in users[0]
    refresh = json.loads(archive.read("json/refresh_tokens.json"))
    assert refresh and all("token_hash" not in row for row in refresh)
    invoices = json.loads(archive.read("json/invoices.json"))
    assert invoices[0]["amount_minor"] == 125_000 and invoices[0]["amount_paid_minor"] == 25_000
    assert invoices[0]["due_date"] == "2026-12-01"
    assert "mallory" not in json.dumps([json.loads(archive.read(n)) for n in archive.namelist() if n.endswith(".json")])

    client_rows = list(csv.DictReader(io.StringIO(archive.read("csv/clients.csv").decode())))
    assert client_rows[0]["name"] == '\'=HYPERLINK("http://evil")'
    invoice_rows = list(csv.DictReader(io.StringIO(archive.read("csv/invoices.csv").decode())))
    assert invoice_rows[0]["description"].startswith("'+cmd")
    assert invoice_rows[0]["amount_minor"] == "125000"
    payment_rows = list(csv.DictReader(io.StringIO(archive.read("csv/payments.csv").decode())))
    assert payment_rows[0]["note"] == "'-1+1"


def test_csv_cells_never_start_a_formula():
    assert [csv_cell(v) for v in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx", "plain", None, True, -5, 12)] == [
        "'=1+2",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "plain",
        "",
        "true",
        "-5",
        "12",
    ]


def test_export_requires_sign_in(client):
    assert client.get("/api/me/export").status_code == 401


def _count(session, model, **where) -> int:
    stmt = select(func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return session.scalar(stmt)


def test_delete_me_erases_the_sole_owners_account(client, session, clock):
    user = register(client, email="leaving@example.com")
    ids = _fill(client, user)
    me = client.get("/api/me", headers=user["headers"]).json()
    account_id, user_id = me["account"]["id"], me["id"]
    _add_message(session, clock, account_id=account_id, invoice_id=ids["invoice_id"])
    staying = register(client, email="staying@example.com")
    _fill(client, staying)

    wrong = client.post("/api/me/delete", json={"password": "not my password"}, headers=user["headers"])
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["field"] == "password"
    assert _count(session, User, id=user_id) == 1

    response = client.post("/api/me/delete", json={"password": user["password"]}, headers=user["headers"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["deleted_accounts"] == [account_id] and body["left_accounts"] == []
    assert body["rows_deleted"] | {"refresh_tokens": 1} == body["rows_deleted"]
    session.expire_all()
    for model in (Client, Invoice, Payment, Message, Membership, RefreshToken):
        assert _count(session, model, account_id=account_id) == 0, model
    assert _count(session, Account, id=account_id) == 0
    assert _count(session, User, id=user_id) == 0
    # The access token dies with the user; the other customer is untouched.
    assert client.get("/api/me", headers=user["headers"]).status_code == 401
    assert client.post("/api/auth/refresh", json={"refresh_token": user["refresh_token"]}).status_code == 401
    assert client.get("/api/invoices", headers=staying["headers"]).json()["total"] == 1


def test_delete_me_leaves_a_shared_account_intact(client, session, clock):
    owner = register(client, email="owner@example.com")
    _fill(client, owner)
    account_id = client.get("/api/me", headers=owner["headers"]).json()["account"]["id"]
    member = register(client, email="member@example.com")
    member_me = client.get("/api/me", headers=member["headers"]).json()
    # The member also belongs to the owner's account (teams add such memberships).
    now = clock.now()
    membership = Membership(account_id=account_id, user_id=member_me["id"], role=Role.member)
    session.add(membership)
    membership.created_at = membership.updated_at = now
    session.flush()

    response = client.post("/api/me/delete", json={"password": member["password"]}, headers=member["headers"])
    assert response.status_code == 200
    assert response.json()["deleted_accounts"] == [member_me["account"]["id"]]
    assert response.json()["left_accounts"] == [account_id]
    session.expire_all()
    assert _count(session, Account, id=account_id) == 1
    assert _count(session, Invoice, account_id=account_id) == 1
    assert _count(session, Membership, account_id=account_id) == 1
    assert client.get("/api/invoices", headers=owner["headers"]).json()["total"] == 1
