"""Import, proposals, confirm, reject, re-assign and bulk confirm through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from duespark.models import AuditEntry, ClientAnswer, Payment, WebhookDelivery, WebhookEndpoint
from tests.reconciliation.samples import day_statement
from tests.reconciliation.support import URL, entries, make_books, upload


def _proposals(rows):
    return [
        (
            r["amount"],
            r["status"],
            r["skip_reason"],
            r["proposal"] and (r["proposal"]["invoice_number"], r["proposal"]["confidence"], r["proposal"]["level"]),
            r["proposal"]["explanation"] if r["proposal"] else r["match_note"],
        )
        for r in rows
    ]


def test_camt_import_proposes_each_payment_with_its_reasons(client):
    books = make_books(client)
    response = upload(client, books.headers, day_statement(rf=books.rf_1045))
    assert response.status_code == 201, response.text
    statement = response.json()["statement"]
    assert response.json()["duplicate"] is False
    assert (statement["format"], statement["entries_in_file"], statement["entries_new"]) == ("camt053", 7, 7)
    assert (statement["open"], statement["skipped"], statement["confirmed"]) == (5, 2, 0)
    rows = entries(client, books.headers, statement["id"])
    assert _proposals(rows) == [
        (
            "1250.00",
            "open",
            None,
            ("INV-1042", 100, "strong"),
            "reference INV-1042 in the remittance text; amount equals the balance; "
            "payer 'ACME GMBH' matches client 'Acme GmbH'",
        ),
        (
            "300.00",
            "open",
            None,
            ("INV-1043", 70, "medium"),
            "reference INV-1043 in the remittance text; partial payment: 300.00 of the balance 900.00 EUR; "
            "payer 'Müller & Söhne KG' matches client 'Müller & Söhne KG'",
        ),
        ("450.00", "open", None, None, "no open EUR invoice matches: no reference, amount or payer found"),
        (
            "150.00",
            "open",
            None,
            ("INV-1044", 70, "medium"),
            "reference INV-1044 in the remittance text; partial payment: 150.00 of the balance 400.00 EUR; "
            "payer 'Globex Corp' matches client 'Globex Corp'",
        ),
        ("1250.00", "skipped", "reversal of an earlier booking, not a payment", None, None),
        ("89.90", "skipped", "debit: money going out, not a payment from a client", None, None),
        (
            "500.00",
            "open",
            None,
            ("INV-1045", 100, "strong"),
            f"reference {books.rf_1045} (INV-1045) in the creditor reference; amount equals the balance; "
            "payer 'Initech Ltd' matches client 'Initech Ltd'",
        ),
    ]


def test_the_same_file_again_adds_nothing(client):
    books = make_books(client)
    first = upload(client, books.headers, day_statement(rf=books.rf_1045)).json()["statement"]
    again = upload(client, books.headers, day_statement(rf=books.rf_1045), name="renamed.xml")
    assert again.status_code == 200
    assert again.json()["duplicate"] is True and again.json()["statement"]["id"] == first["id"]
    # The same bookings in another version's file (other bytes): a new statement, no new entries.
    other = upload(client, books.headers, day_statement(version=8, rf=books.rf_1045), name="v8.xml")
    assert other.status_code == 201
    assert (other.json()["statement"]["entries_in_file"], other.json()["statement"]["entries_new"]) == (7, 0)
    listed = client.get(f"{URL}/statements", headers=books.headers).json()["items"]
    assert [(s["file_name"], s["entries_new"]) for s in listed] == [("v8.xml", 0), ("statement.xml", 7)]


def test_confirm_records_one_payment_through_the_payments_service(client, session, clock):
    books = make_books(client)
    account_id = client.get("/api/me", headers=books.headers).json()["account"]["id"]
    session.add(
        WebhookEndpoint(
            account_id=account_id,
            url="https://hooks.example.com/x",
            event_types=["payment.recorded"],
            secret_encrypted="x",
            created_at=clock.now(),
            updated_at=clock.now(),
        )
    )
    session.commit()
    statement = upload(client, books.headers, day_statement(rf=books.rf_1045)).json()["statement"]
    acme = entries(client, books.headers, statement["id"])[0]
    done = client.post(f"{URL}/entries/{acme['id']}/confirm", headers=books.headers)
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["invoice_number"], body["applied_amount"], body["unapplied_amount"]) == (
        "confirmed",
        "INV-1042",
        "1250.00",
        "0.00",
    )
    assert body["confidence"] == 100 and body["explanation"].startswith("reference INV-1042")
    # A repeat (a double click, a retry) changes nothing.
    assert client.post(f"{URL}/entries/{acme['id']}/confirm", headers=books.headers).status_code == 200
    invoice = client.get(f"/api/invoices/{books.invoices['INV-1042']['id']}", headers=books.headers).json()
    assert (invoice["status"], invoice["amount_paid"]) == ("paid", "1250.00")
    payments = client.get(f"/api/invoices/{invoice['id']}/payments", headers=books.headers).json()["items"]
    assert [(p["amount"], p["method"], p["reference"], p["paid_at"]) for p in payments] == [
        ("1250.00", "manual", "BANK-0001", "2026-11-20T12:00:00Z")
    ]
    assert payments[0]["note"] == (
        "Bank statement statement.xml, booked 2026-11-20: from ACME GMBH — Rechnung INV-1042 vielen Dank"
    )
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.account_id == account_id).order_by(AuditEntry.id)
    ).all()
    assert actions[-3:] == ["bank_statement.imported", "payment.recorded", "statement_entry.confirmed"]
    events = session.scalars(select(WebhookDelivery.event_type).where(WebhookDelivery.account_id == account_id)).all()
    assert events == ["payment.recorded"]
    # Confirmed elsewhere: the entry cannot go to another invoice now.
    moved = client.post(
        f"{URL}/entries/{acme['id']}/confirm",
        headers=books.headers,
        json={"invoice_id": books.invoices["INV-1044"]["id"]},
    )
    assert moved.status_code == 409
    assert moved.json()["detail"] == "This entry is already confirmed as a payment of another invoice"


def test_overpayment_is_capped_at_the_balance(client):
    books = make_books(client)
    statement = upload(client, books.headers, day_statement(rf=books.rf_1045)).json()["statement"]
    rows = entries(client, books.headers, statement["id"])
    acme_amount_to_small_invoice = client.post(
        f"{URL}/entries/{rows[0]['id']}/confirm",
        headers=books.headers,
        json={"invoice_id": books.invoices["INV-1044"]["id"]},
    ).json()
    assert (
        acme_amount_to_small_invoice["applied_amount"],
        acme_amount_to_small_invoice["unapplied_amount"],
        acme_amount_to_small_invoice["explanation"],
    ) == (
        "400.00",
        "850.00",
        "assigned by hand; amount is more than the balance 400.00 EUR: 850.00 EUR would stay unapplied",
    )
    invoice = client.get(f"/api/invoices/{books.invoices['INV-1044']['id']}", headers=books.headers).json()
    assert (invoice["status"], invoice["amount_paid"], invoice["balance"]) == ("paid", "400.00", "0.00")
    # That invoice is paid: the Globex part payment proposed for it now finds nothing owed.
    globex = rows[3]
    refused = client.post(
        f"{URL}/entries/{globex['id']}/confirm",
        headers=books.headers,
        json={"invoice_id": books.invoices["INV-1044"]["id"]},
    )
    assert refused.status_code == 409 and refused.json()["detail"] == "INV-1044 is paid: nothing is owed on it"


def test_reject_reassign_skipped_and_unproposed(client):
    books = make_books(client)
    statement = upload(client, books.headers, day_statement(rf=books.rf_1045)).json()["statement"]
    rows = entries(client, books.headers, statement["id"])
    rent, reversal = rows[2], rows[4]
    no_proposal = client.post(f"{URL}/entries/{rent['id']}/confirm", headers=books.headers)
    assert no_proposal.status_code == 422
    assert no_proposal.json()["detail"] == [
        {
            "field": "invoice_id",
            "message": "No invoice is proposed (no open EUR invoice matches: no reference, amount or payer found); "
            "choose one",
        }
    ]
    rejected = client.post(f"{URL}/entries/{rent['id']}/reject", headers=books.headers)
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert client.post(f"{URL}/entries/{rent['id']}/reject", headers=books.headers).status_code == 200
    # Re-assigned by hand after all: 450.00 of INV-1043's 900.00.
    reassigned = client.post(
        f"{URL}/entries/{rent['id']}/confirm",
        headers=books.headers,
        json={"invoice_id": books.invoices["INV-1043"]["id"]},
    ).json()
    assert (reassigned["status"], reassigned["invoice_number"], reassigned["applied_amount"]) == (
        "confirmed",
        "INV-1043",
        "450.00",
    )
    assert client.post(f"{URL}/entries/{rent['id']}/reject", headers=books.headers).status_code == 409
    skipped = client.post(f"{URL}/entries/{reversal['id']}/confirm", headers=books.headers)
    assert skipped.status_code == 409
    assert skipped.json()["detail"] == "This entry is not a payment: reversal of an earlier booking, not a payment"


def test_bulk_confirm_of_strong_matches_and_a_failure_that_leaves_the_rest(client):
    books = make_books(client)
    statement = upload(client, books.headers, day_statement(rf=books.rf_1045)).json()["statement"]
    rows = entries(client, books.headers, statement["id"])
    strong = [r["id"] for r in rows if r["proposal"] and r["proposal"]["level"] == "strong"]
    items = [{"entry_id": i} for i in strong] + [{"entry_id": rows[5]["id"]}, {"entry_id": rows[2]["id"]}]
    response = client.post(f"{URL}/confirm", headers=books.headers, json={"items": items})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["confirmed"], body["failed"]) == (2, 2)
    assert {(r["entry_id"], r["ok"], r["error"]) for r in body["results"]} == {
        (strong[0], True, None),
        (strong[1], True, None),
        (rows[5]["id"], False, "This entry is not a payment: debit: money going out, not a payment from a client"),
        (
            rows[2]["id"],
            False,
            "invoice_id: No invoice is proposed (no open EUR invoice matches: no reference, amount or payer "
            "found); choose one",
        ),
    }
    after = client.get(f"{URL}/statements/{statement['id']}", headers=books.headers).json()["statement"]
    assert (after["confirmed"], after["open"]) == (2, 3)
    for number in ("INV-1042", "INV-1045"):
        invoice = client.get(f"/api/invoices/{books.invoices[number]['id']}", headers=books.headers).json()
        assert invoice["status"] == "paid"
    assert client.post(f"{URL}/confirm", headers=books.headers, json={"items": []}).status_code == 422


def test_confirm_closes_the_clients_already_paid_claim(client, session, settings):
    from tests.answers.support import answer, pay_token

    books = make_books(client)
    invoice = books.invoices["INV-1043"]
    posted = answer(client, pay_token(settings, invoice["id"]), "paid_claim", paid_on="2026-11-19", reference="x")
    assert posted.status_code == 303
    statement = upload(client, books.headers, day_statement(rf=books.rf_1045)).json()["statement"]
    muller = entries(client, books.headers, statement["id"])[1]
    assert client.post(f"{URL}/entries/{muller['id']}/confirm", headers=books.headers).status_code == 200
    session.expire_all()
    claim = session.scalars(select(ClientAnswer).where(ClientAnswer.invoice_id == invoice["id"])).one()
    assert (claim.status, claim.resolution_note) == ("confirmed", "Matched to a bank statement payment of 300.00 EUR")
    after = client.get(f"/api/invoices/{invoice['id']}", headers=books.headers).json()
    assert (after["status"], after["balance"]) == ("partially_paid", "600.00")
    payments = session.scalars(select(Payment.amount_minor).where(Payment.invoice_id == invoice["id"])).all()
    assert payments == [30_000]
