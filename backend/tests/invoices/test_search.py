"""The invoice list's search (`?q=`): number, description, client name or company, in any case,
with % and _ taken literally; the same answers on SQLite and PostgreSQL (trigram indexes)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from duespark.invoices import service
from duespark.models import Invoice
from tests.helpers import register


@pytest.fixture
def h(client):
    return register(client)["headers"]


def _client(client, h, name: str, company: str | None = None) -> int:
    return client.post("/api/clients", headers=h, json={"name": name, "company": company}).json()["id"]


def _invoice(client, h, client_id: int, number: str, description: str | None = None) -> None:
    body = {
        "client_id": client_id,
        "number": number,
        "amount": "10.00",
        "issue_date": "2026-11-01",
        "due_date": "2026-12-01",
        "description": description,
    }
    assert client.post("/api/invoices", headers=h, json=body).status_code == 201


def _found(client, h, q: str) -> list[str]:
    response = client.get("/api/invoices", headers=h, params={"q": q, "sort": "number"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return [item["number"] for item in body["items"]]


@pytest.fixture
def invoices(client, h):
    acme = _client(client, h, "Acme Ltd", company="ACME Holdings")
    zoe = _client(client, h, "Zoë Müller")
    _invoice(client, h, acme, "INV-100", description="Logo design")
    _invoice(client, h, acme, "INV-1001", description="100% discount_code applied")
    _invoice(client, h, zoe, "2026_07", description="Website")
    _invoice(client, h, zoe, "2026-07", description="Back\\slash")


def test_number_description_client_name_and_company_in_any_case(client, h, invoices):
    assert _found(client, h, "inv-100") == ["INV-100", "INV-1001"]
    assert _found(client, h, "LOGO") == ["INV-100"]
    assert _found(client, h, "holdings") == ["INV-100", "INV-1001"]
    assert _found(client, h, "acme ltd") == ["INV-100", "INV-1001"]
    assert _found(client, h, "Müller") == ["2026-07", "2026_07"]
    assert _found(client, h, "nothing like it") == []


def test_percent_underscore_and_backslash_are_plain_characters(client, h, invoices):
    assert _found(client, h, "100%") == ["INV-1001"]
    assert _found(client, h, "%") == ["INV-1001"]
    assert _found(client, h, "_") == ["2026_07", "INV-1001"]
    assert _found(client, h, "2026_") == ["2026_07"]
    assert _found(client, h, "\\") == ["2026-07"]


def test_another_accounts_clients_are_not_searched(client, h, invoices):
    other = register(client)["headers"]
    _invoice(client, other, _client(client, other, "Acme Ltd"), "OTHER-1")
    assert _found(client, h, "acme") == ["INV-100", "INV-1001"]
    assert _found(client, other, "acme") == ["OTHER-1"]


def test_many_matching_clients_are_matched_by_subquery(client, h, invoices, monkeypatch):
    monkeypatch.setattr(service, "MAX_LISTED_CLIENTS", 1)
    assert _found(client, h, "l") == ["2026-07", "2026_07", "INV-100", "INV-1001"]
    assert _found(client, h, "zoë") == ["2026-07", "2026_07"]


def test_postgresql_answers_the_search_from_indexes(client, h, invoices, session):
    """Every branch of the search is one an index serves: with a few thousand invoices PostgreSQL reads
    the trigram indexes and (account_id, client_id) instead of testing every row of the account."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")
    invoice = session.execute(select(Invoice.account_id, Invoice.client_id).where(Invoice.number == "2026_07")).one()
    session.execute(
        text(
            "INSERT INTO invoices (account_id, client_id, number, amount_minor, amount_paid_minor, currency,"
            " issue_date, due_date, status, reminders_excluded, reminders_paused, created_at, updated_at)"
            " SELECT :account, :client, 'BULK-' || g, 1000, 0, 'EUR', DATE '2026-01-01', DATE '2026-02-01',"
            " 'open', false, false, now(), now() FROM generate_series(1, 5000) g"
        ),
        {"account": invoice.account_id, "client": invoice.client_id},
    )
    # What autovacuum would do: new entries move from the GIN indexes' pending lists into the indexes.
    for index in ("ix_invoices_number_trgm", "ix_invoices_description_trgm"):
        session.execute(text("SELECT gin_clean_pending_list(CAST(:index AS regclass))"), {"index": index})
    session.execute(text("ANALYZE invoices"))
    query = select(Invoice.id).where(
        Invoice.account_id == invoice.account_id, service._search(session, invoice.account_id, "acme")
    )
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = "\n".join(session.connection().exec_driver_sql(f"EXPLAIN {compiled}").scalars())
    for index in ("ix_invoices_number_trgm", "ix_invoices_description_trgm", "ix_invoices_account_client"):
        assert index in plan, plan


def test_the_search_follows_edits_imports_and_deletes(client, h, invoices, session):
    listed = client.get("/api/invoices", headers=h, params={"q": "INV-1001"}).json()["items"]
    edited = client.patch(
        f"/api/invoices/{listed[0]['id']}", headers=h, json={"number": "ACME-77", "description": "Brand book"}
    )
    assert edited.status_code == 200, edited.text
    assert _found(client, h, "INV-1001") == []
    assert _found(client, h, "discount") == []
    assert _found(client, h, "acme-7") == ["ACME-77"]
    assert _found(client, h, "brand BOOK") == ["ACME-77"]

    csv = "number,client_name,amount,due_date,description\nIMP-555,New Client,12.00,2026-12-20,Quarterly retainer\n"
    imported = client.post(
        "/api/invoices/import", headers=h, params={"dry_run": "false"}, files={"file": ("i.csv", csv, "text/csv")}
    )
    assert imported.status_code == 200, imported.text
    assert _found(client, h, "retainer") == ["IMP-555"]

    # As an account's erasure does (its reminders go by cascade).
    session.execute(text("DELETE FROM invoices WHERE number = 'IMP-555'"))
    session.commit()
    assert _found(client, h, "retainer") == []
    if session.get_bind().dialect.name == "sqlite":
        # The index itself, not joined to the invoices (which would hide entries the triggers left behind).
        def indexed(text_: str) -> int:
            match = text("SELECT count(*) FROM invoices_search WHERE invoices_search MATCH :phrase")
            return session.scalar(match, {"phrase": f'"{text_}"'})

        assert (indexed("retainer"), indexed("INV-1001"), indexed("discount"), indexed("ACME-77")) == (0, 0, 0, 1)


def test_two_characters_are_searched_too(client, h, invoices):
    # Shorter than a trigram: SQLite tests every invoice, as for "%" and "_".
    assert _found(client, h, "07") == ["2026-07", "2026_07"]
    assert _found(client, h, "gn") == ["INV-100"]


def test_sqlite_answers_the_search_from_its_trigram_index(client, h, invoices, session):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the FTS5 index is SQLite's")
    account_id = session.scalar(select(Invoice.account_id).where(Invoice.number == "2026_07"))
    query = (
        select(func.count())
        .select_from(Invoice)
        .where(Invoice.account_id == account_id, service._search(session, account_id, "logo"))
    )
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = " ".join(row[3] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
    assert "SCAN invoices_search VIRTUAL TABLE INDEX" in plan, plan
