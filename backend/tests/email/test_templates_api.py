"""GET/PUT/DELETE /api/templates and POST /api/reminders/preview."""

from __future__ import annotations

import pytest

from duespark.email.compose import compose_reminder
from duespark.models import Account, Client, Invoice
from tests.helpers import register

OWN_FIRM = """Hi {{ client_name }},

{{ invoice_number }} ({{ amount_due }}) is {{ days_overdue }} days late.

[Pay here]({{ payment_link }})
"""


@pytest.fixture
def user(client):
    return register(client, company_name="Ada Design")


def _invoice(client, user, *, locale=None, due="2026-11-20", amount="1250.00", currency="EUR"):
    customer = client.post(
        "/api/clients",
        headers=user["headers"],
        json={"name": "Jordan Miller", "email": "jordan@globex.com", "locale": locale},
    ).json()
    invoice = client.post(
        "/api/invoices",
        headers=user["headers"],
        json={
            "client_id": customer["id"],
            "number": "2026-017",
            "amount": amount,
            "currency": currency,
            "issue_date": "2026-11-01",
            "due_date": due,
        },
    )
    assert invoice.status_code == 201, invoice.text
    return invoice.json()


def test_catalog_lists_keys_languages_and_variables(client, user):
    body = client.get("/api/templates", headers=user["headers"]).json()
    assert [k["key"] for k in body["keys"]] == [
        "friendly",
        "due_today",
        "firm",
        "urgent",
        "final",
        "thank_you",
        "promise_missed",
    ]
    assert set(body["default_locales"]) == {"en", "de", "fr", "es"}
    assert all(set(k["default_locales"]) == {"en", "de", "fr", "es"} for k in body["keys"])
    names = {v["name"] for v in body["variables"]}
    assert {"client_name", "amount_due", "due_date", "days_overdue", "payment_link", "unsubscribe_link"} <= names
    assert "promised_date" in names
    promise_missed = next(k for k in body["keys"] if k["key"] == "promise_missed")
    assert "promised_date" in promise_missed["variables"]
    assert body["max_template_bytes"] == 50 * 1024
    assert client.get("/api/templates").status_code == 401


def test_read_a_default_in_a_language_and_fall_back(client, user):
    german = client.get("/api/templates/firm?locale=de_DE", headers=user["headers"]).json()
    assert german["locale"] == "de" and german["is_default"] is True and german["updated_at"] is None
    assert german["subject"].startswith("Zahlungserinnerung")
    dutch = client.get("/api/templates/firm?locale=nl", headers=user["headers"]).json()
    assert dutch["locale"] == "en"
    assert client.get("/api/templates/verify_email", headers=user["headers"]).status_code == 404
    assert client.get("/api/templates/nope", headers=user["headers"]).status_code == 404
    bad_locale = client.get("/api/templates/firm?locale=x!", headers=user["headers"])
    assert bad_locale.status_code == 422 and bad_locale.json()["detail"][0]["field"] == "locale"


def test_override_is_used_for_previews_and_sending_then_reset(client, user, session, settings, clock):
    saved = client.put(
        "/api/templates/firm?locale=en",
        headers=user["headers"],
        json={"subject": "Late: {{ invoice_number }}", "body": OWN_FIRM},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["is_default"] is False and saved.json()["locale"] == "en"
    catalog = client.get("/api/templates", headers=user["headers"]).json()
    firm = next(k for k in catalog["keys"] if k["key"] == "firm")
    assert [c["locale"] for c in firm["custom_locales"]] == ["en"]

    invoice = _invoice(client, user)
    preview = client.post(
        "/api/reminders/preview", headers=user["headers"], json={"template_key": "firm", "invoice_id": invoice["id"]}
    ).json()
    assert preview["subject"] == "Late: 2026-017"
    assert preview["is_default_template"] is False
    assert "2026-017 (€1,250.00) is 5 days late." in preview["text"]

    # The dispatcher's call, with a session, sends exactly what the preview showed.
    db_invoice = session.get(Invoice, invoice["id"])
    email = compose_reminder(
        account=session.get(Account, db_invoice.account_id),
        client=session.get(Client, db_invoice.client_id),
        invoice=db_invoice,
        template_key="firm",
        reminder_id=None,
        settings=settings,
        clock=clock,
        session=session,
    )
    assert (email.subject, email.text) == (preview["subject"], preview["text"])
    assert email.html.replace(email.headers["Message-ID"], "") == preview["html"].replace(
        preview["headers"]["Message-ID"], ""
    )

    # Clients in another language still get the default in theirs.
    german = client.get("/api/templates/firm?locale=de", headers=user["headers"]).json()
    assert german["is_default"] is True

    assert client.delete("/api/templates/firm?locale=en", headers=user["headers"]).status_code == 204
    assert client.get("/api/templates/firm?locale=en", headers=user["headers"]).json()["is_default"] is True
    assert client.delete("/api/templates/firm?locale=en", headers=user["headers"]).status_code == 404


def test_a_user_can_add_a_language(client, user):
    body = "Beste {{ client_name }},\n\nFactuur {{ invoice_number }} van {{ amount_due }} staat nog open.\n"
    saved = client.put(
        "/api/templates/firm?locale=nl", headers=user["headers"], json={"subject": "Herinnering", "body": body}
    )
    assert saved.status_code == 200
    invoice = _invoice(client, user, locale="nl_NL")
    preview = client.post(
        "/api/reminders/preview", headers=user["headers"], json={"template_key": "firm", "invoice_id": invoice["id"]}
    ).json()
    assert preview["locale"] == "nl"
    assert "Factuur 2026-017 van €\xa01.250,00 staat nog open." in preview["text"]


@pytest.mark.parametrize(
    ("subject", "body", "field", "message"),
    [
        ("Hi", "Hello {{ client_name }},\n\n{{ password }}\n", "body", "line 3: unknown variable 'password'"),
        ("Hi", "Hello\n{% if days_overdue %}\nlate\n", "body", "line 3: Unexpected end of template"),
        ("Hi {{ nope }}", "Body", "subject", "line 1: unknown variable 'nope'"),
        ("Hi", "x\n{{ client_name.__class__.__init__.__globals__ }}", "body", "line 2: "),
        ("Hi", "x\n" * (26 * 1024), "body", "line 25601: the template is larger than 50 KB"),
    ],
)
def test_bad_templates_are_refused_with_field_and_line(client, user, subject, body, field, message):
    response = client.put("/api/templates/urgent", headers=user["headers"], json={"subject": subject, "body": body})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == field
    assert error["message"].startswith(message)
    assert client.get("/api/templates/urgent", headers=user["headers"]).json()["is_default"] is True


def test_overrides_belong_to_their_account(client, user):
    client.put("/api/templates/friendly", headers=user["headers"], json={"subject": "Mine", "body": "Mine"})
    other = register(client)
    theirs = client.get("/api/templates/friendly", headers=other["headers"]).json()
    assert theirs["is_default"] is True and theirs["subject"] != "Mine"
    assert client.delete("/api/templates/friendly", headers=other["headers"]).status_code == 404


def test_preview_a_sample_in_any_language_and_an_unsaved_draft(client, user):
    sample = client.post(
        "/api/reminders/preview", headers=user["headers"], json={"template_key": "final", "locale": "es"}
    ).json()
    assert sample["locale"] == "es" and sample["subject"].startswith("Último aviso: factura INV-1042")
    assert "Jordan Miller" in sample["text"] and "/pay/" in sample["html"]
    assert sample["from"] == "Ada Design <reminders@duespark.test>"
    assert sample["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    draft = client.post(
        "/api/reminders/preview",
        headers=user["headers"],
        json={"template_key": "friendly", "body": "Dear {{ client_company }}, {{ amount_due }} please."},
    ).json()
    assert draft["text"].startswith("Dear Globex Ltd, €1,250.00 please.")
    assert draft["subject"].startswith("Friendly reminder")  # the saved subject, since none was given

    broken = client.post(
        "/api/reminders/preview", headers=user["headers"], json={"template_key": "friendly", "body": "{{ x }}"}
    )
    assert broken.status_code == 422 and broken.json()["detail"][0]["message"].startswith("line 1:")


def test_preview_needs_an_invoice_of_the_account(client, user):
    invoice = _invoice(client, user)
    other = register(client)
    response = client.post(
        "/api/reminders/preview", headers=other["headers"], json={"template_key": "firm", "invoice_id": invoice["id"]}
    )
    assert response.status_code == 404
    unknown_key = client.post("/api/reminders/preview", headers=user["headers"], json={"template_key": "nope"})
    assert unknown_key.status_code == 404


def test_preview_formats_jpy_for_a_german_client(client, user):
    invoice = _invoice(client, user, locale="de_DE", amount="125000", currency="JPY")
    preview = client.post(
        "/api/reminders/preview", headers=user["headers"], json={"template_key": "firm", "invoice_id": invoice["id"]}
    ).json()
    assert "125.000\xa0¥" in preview["text"] and "seit 5 Tagen überfällig" in preview["text"]
