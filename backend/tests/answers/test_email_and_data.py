"""The "promise missed" email is editable like the others and previewable; promises are counted in the metrics;
answers are part of the account's data export and go with the account."""

from __future__ import annotations

import io
import json
import zipfile

from prometheus_client import REGISTRY
from sqlalchemy import func, select

from duespark.models import ClientAnswer
from tests.answers.support import answer, api_invoice, pay_token
from tests.helpers import register


def test_the_promise_missed_template_is_editable_with_its_date_and_previews_in_german(client):
    user = register(client)
    german = client.get("/api/templates/promise_missed?locale=de", headers=user["headers"]).json()
    assert german["subject"].startswith("Rechnung {{ invoice_number }}: Die für den {{ promised_date }}")
    preview = client.post(
        "/api/reminders/preview", headers=user["headers"], json={"template_key": "promise_missed", "locale": "de"}
    )
    assert preview.status_code == 200, preview.text
    # The sample promise is three days before today (25 November 2026), written out in German.
    assert "22. November 2026" in preview.json()["subject"]
    saved = client.put(
        "/api/templates/promise_missed",
        headers=user["headers"],
        json={"locale": "en", "subject": "About {{ invoice_number }}", "body": "You said {{ promised_date }}."},
    )
    assert saved.status_code == 200, saved.text
    unknown = client.put(
        "/api/templates/promise_missed",
        headers=user["headers"],
        json={"locale": "en", "subject": "x", "body": "{{ promised_day }}"},
    )
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["field"] == "body"


def _promises(outcome: str) -> float:
    return REGISTRY.get_sample_value("duespark_promises_total", {"outcome": outcome}) or 0.0


def test_promises_are_counted_by_outcome(client, settings):
    user = register(client)
    before = {o: _promises(o) for o in ("made", "kept", "canceled")}
    first = api_invoice(client, user["headers"])
    answer(client, pay_token(settings, first["id"]), "promise", promised_date="2026-12-01")
    answer(client, pay_token(settings, first["id"]), "promise", promised_date="2026-12-01")  # the same promise
    client.post(f"/api/invoices/{first['id']}/payments", headers=user["headers"], json={"amount": "1250.00"})
    second = api_invoice(client, user["headers"], number="INV-2")
    answer(client, pay_token(settings, second["id"]), "promise", promised_date="2026-12-02")
    promise = next(a for a in client.get("/api/answers?status=open", headers=user["headers"]).json()["items"])
    client.post(f"/api/answers/{promise['id']}/cancel", headers=user["headers"])
    assert {o: _promises(o) - before[o] for o in before} == {"made": 2, "kept": 1, "canceled": 1}
    record = client.get(f"/api/clients/{first['client_id']}/promises", headers=user["headers"]).json()
    assert (record["kept"], record["missed"], record["open"]) == (1, 0, 0)


def test_answers_are_exported_and_deleted_with_the_account(client, session, settings):
    user = register(client)
    invoice = api_invoice(client, user["headers"])
    answer(client, pay_token(settings, invoice["id"]), "dispute", message='=HYPERLINK("http://evil")')
    export = client.get("/api/me/export", headers=user["headers"])
    archive = zipfile.ZipFile(io.BytesIO(export.content))
    [row] = json.loads(archive.read("json/client_answers.json"))
    assert (row["kind"], row["status"], row["message"]) == ("dispute", "open", '=HYPERLINK("http://evil")')
    assert archive.read("csv/client_answers.csv").decode().count("'=HYPERLINK") == 1
    deleted = client.post("/api/me/delete", json={"password": user["password"]}, headers=user["headers"])
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["rows_deleted"]["client_answers"] == 1
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(ClientAnswer)) == 0
