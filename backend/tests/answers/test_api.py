"""The user's side of clients' answers: list them, decide on them, Needs attention, settings; on both databases."""

from __future__ import annotations

from sqlalchemy import select

from duespark.models import ClientAnswer, Invoice, Payment
from tests.answers.support import answer, api_invoice, pay_token
from tests.helpers import register


def _held(session, invoice_id):
    session.expire_all()
    invoice = session.get(Invoice, invoice_id)
    return invoice.hold_kind, invoice.hold_until


def test_a_dispute_stops_chasing_until_the_user_resolves_it(client, session, settings):
    user = register(client)
    invoice = api_invoice(client, user["headers"])
    token = pay_token(settings, invoice["id"])
    posted = answer(client, token, "dispute", message="Hours on 12 Nov were billed twice", disputed_amount="120,50")
    assert posted.status_code == 303
    assert _held(session, invoice["id"]) == ("dispute", None)

    attention = client.get("/api/attention", headers=user["headers"]).json()
    sections = {s["key"]: s for s in attention["sections"]}
    assert list(sections) == ["open_disputes", "paid_claims", "promises_due", "promises_missed"]
    assert attention["count"] == 1 and sections["open_disputes"]["count"] == 1
    item = sections["open_disputes"]["items"][0]
    assert (item["message"], item["disputed_amount"], item["invoice_number"]) == (
        "Hours on 12 Nov were billed twice",
        "120.50",
        "INV-1",
    )
    assert attention["disputed"] == [{"currency": "EUR", "amount": "1250.00"}] and attention["promised"] == []

    resolved = client.post(f"/api/answers/{item['id']}/resolve", headers=user["headers"], json={"note": "Credit note"})
    assert resolved.status_code == 200, resolved.text
    assert (resolved.json()["status"], resolved.json()["resolution_note"]) == ("resolved", "Credit note")
    assert _held(session, invoice["id"]) == (None, None)
    # Resolving twice is the same answer; a different decision on it is a conflict, another kind's action a 404.
    again = client.post(f"/api/answers/{item['id']}/resolve", headers=user["headers"], json={})
    assert again.status_code == 200 and again.json()["resolution_note"] == "Credit note"
    assert client.post(f"/api/answers/{item['id']}/confirm", headers=user["headers"]).status_code == 404
    assert client.get("/api/attention", headers=user["headers"]).json()["count"] == 0


def test_confirming_a_paid_claim_records_the_payment_once_with_the_clients_reference(client, session, settings):
    user = register(client)
    invoice = api_invoice(client, user["headers"])
    token = pay_token(settings, invoice["id"])
    assert answer(client, token, "paid_claim", paid_on="2026-11-23", reference="SEPA 4471").status_code == 303
    # Held for the account's check days (5) from today.
    assert _held(session, invoice["id"]) == ("paid_claim", __import__("datetime").date(2026, 11, 30))
    [claim] = client.get(f"/api/invoices/{invoice['id']}/answers", headers=user["headers"]).json()["items"]
    assert (claim["kind"], claim["paid_on"], claim["reference"]) == ("paid_claim", "2026-11-23", "SEPA 4471")

    for _ in range(2):
        confirmed = client.post(f"/api/answers/{claim['id']}/confirm", headers=user["headers"])
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["status"] == "confirmed"
    session.expire_all()
    payments = session.scalars(select(Payment).where(Payment.invoice_id == invoice["id"])).all()
    assert [(p.amount_minor, p.external_reference, p.paid_at.date().isoformat()) for p in payments] == [
        (125_000, "SEPA 4471", "2026-11-23")
    ]
    assert session.get(Invoice, invoice["id"]).status == "paid"
    assert client.post(f"/api/answers/{claim['id']}/reject", headers=user["headers"], json={}).status_code == 409


def test_rejecting_a_paid_claim_resumes_chasing(client, session, settings):
    user = register(client)
    invoice = api_invoice(client, user["headers"])
    answer(client, pay_token(settings, invoice["id"]), "paid_claim", paid_on="2026-11-24")
    [claim] = client.get("/api/answers?status=open", headers=user["headers"]).json()["items"]
    rejected = client.post(f"/api/answers/{claim['id']}/reject", headers=user["headers"], json={"note": "Not received"})
    assert rejected.json()["status"] == "rejected"
    assert _held(session, invoice["id"]) == (None, None)
    assert session.scalars(select(Payment)).all() == []


def test_the_user_extends_or_cancels_a_promise(client, session, settings):
    from datetime import date

    user = register(client)
    invoice = api_invoice(client, user["headers"])
    answer(client, pay_token(settings, invoice["id"]), "promise", promised_date="2026-11-30")
    # Hold until the day after date + 2 grace days.
    assert _held(session, invoice["id"]) == ("promise", date(2026, 12, 3))
    [promise] = client.get("/api/answers", headers=user["headers"]).json()["items"]
    due = client.get("/api/attention", headers=user["headers"]).json()["sections"][2]
    assert due["key"] == "promises_due" and [i["id"] for i in due["items"]] == [promise["id"]]

    earlier = client.post(
        f"/api/answers/{promise['id']}/extend", headers=user["headers"], json={"promised_date": "2026-11-29"}
    )
    assert earlier.status_code == 422 and earlier.json()["detail"][0]["field"] == "promised_date"
    extended = client.post(
        f"/api/answers/{promise['id']}/extend", headers=user["headers"], json={"promised_date": "2026-12-15"}
    )
    assert extended.status_code == 200 and extended.json()["promised_date"] == "2026-12-15"
    assert _held(session, invoice["id"]) == ("promise", date(2026, 12, 18))
    canceled = client.post(f"/api/answers/{promise['id']}/cancel", headers=user["headers"])
    assert canceled.json()["status"] == "canceled"
    assert _held(session, invoice["id"]) == (None, None)
    record = client.get(f"/api/clients/{invoice['client_id']}/promises", headers=user["headers"]).json()
    assert (record["kept"], record["missed"], record["open"]) == (0, 0, 0)


def test_resolving_a_dispute_keeps_a_promise_that_is_still_open(client, session, settings):
    from datetime import date

    user = register(client)
    invoice = api_invoice(client, user["headers"])
    token = pay_token(settings, invoice["id"])
    answer(client, token, "promise", promised_date="2026-12-05")
    answer(client, token, "dispute", message="Which PO is this for?")
    assert _held(session, invoice["id"]) == ("dispute", None)
    dispute = next(
        a for a in client.get("/api/answers", headers=user["headers"]).json()["items"] if a["kind"] == "dispute"
    )
    client.post(f"/api/answers/{dispute['id']}/resolve", headers=user["headers"], json={})
    assert _held(session, invoice["id"]) == ("promise", date(2026, 12, 8))


def test_answer_settings_are_the_accounts_and_bounded(client, session, settings):
    from datetime import date

    user = register(client)
    assert client.get("/api/answer-settings", headers=user["headers"]).json() == {
        "promise_limit_days": 30,
        "promise_grace_days": 2,
        "paid_claim_hold_days": 5,
    }
    bad = client.put("/api/answer-settings", headers=user["headers"], json={"promise_limit_days": 5000})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "promise_limit_days"
    ok = client.put(
        "/api/answer-settings", headers=user["headers"], json={"promise_limit_days": 10, "promise_grace_days": 0}
    )
    assert ok.json() == {"promise_limit_days": 10, "promise_grace_days": 0, "paid_claim_hold_days": 5}
    invoice = api_invoice(client, user["headers"])
    token = pay_token(settings, invoice["id"])
    assert answer(client, token, "promise", promised_date="2026-12-06").status_code == 422
    assert answer(client, token, "promise", promised_date="2026-12-05").status_code == 303
    assert _held(session, invoice["id"]) == ("promise", date(2026, 12, 6))


def test_another_account_sees_and_decides_nothing(client, session, settings):
    owner = register(client)
    invoice = api_invoice(client, owner["headers"])
    answer(client, pay_token(settings, invoice["id"]), "dispute", message="Wrong rate")
    [dispute] = client.get("/api/answers", headers=owner["headers"]).json()["items"]
    other = register(client)
    assert client.get("/api/answers", headers=other["headers"]).json() == {"items": []}
    assert client.get("/api/attention", headers=other["headers"]).json()["count"] == 0
    assert client.get(f"/api/invoices/{invoice['id']}/answers", headers=other["headers"]).status_code == 404
    for action, body in (("resolve", {}), ("confirm", None), ("reject", {}), ("cancel", None)):
        response = client.post(f"/api/answers/{dispute['id']}/{action}", headers=other["headers"], json=body)
        assert response.status_code == 404, (action, response.text)
    assert client.get(f"/api/clients/{invoice['client_id']}/promises", headers=other["headers"]).status_code == 404
    assert client.get("/api/answers").status_code == 401
    session.expire_all()
    assert session.scalars(select(ClientAnswer.status)).all() == ["open"]
