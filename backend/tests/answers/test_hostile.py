"""Hostile input on the client's answers: dates years ahead, a thousand posts from one link, scripts in the
text, a link for another invoice or account, forged and retired signatures, oversized bodies."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from duespark.models import ClientAnswer
from duespark.payments import links
from duespark.signing import sign_token
from tests.answers.support import answer, api_invoice, pay_token
from tests.conftest import make_test_settings
from tests.helpers import register

SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def _count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(ClientAnswer))


def test_a_promise_years_ahead_is_refused_naming_the_field(client, session, settings):
    user = register(client)
    token = pay_token(settings, api_invoice(client, user["headers"])["id"])
    # The pay page leads to the answers; the answers page opens the refused form beside its message.
    assert f'href="/pay/{token}/answers" data-action="answers"' in client.get(f"/pay/{token}").text
    for when in ("2031-01-01", "2026-12-26", "2026-11-24", "yesterday", "", "2026-02-30", "9" * 200):
        response = answer(client, token, "promise", promised_date=when)
        assert response.status_code == 422, when
        assert 'data-field="promised_date"' in response.text and '<details id="promise" open>' in response.text
        assert "Please choose a date from today to December 25, 2026." in response.text
    assert answer(client, token, "promise").status_code == 422  # no date at all
    assert _count(session) == 0


def test_a_thousand_promises_from_one_link_make_one(client, session, settings):
    user = register(client)
    token = pay_token(settings, api_invoice(client, user["headers"])["id"])
    answers = {answer(client, token, "promise", promised_date="2026-12-01").status_code for _ in range(1000)}
    assert answers == {303}
    # A different date later is still the first promise: the client's word does not move by itself.
    answer(client, token, "promise", promised_date="2026-12-20")
    session.expire_all()
    assert session.scalars(select(ClientAnswer.promised_date)).all() == [__import__("datetime").date(2026, 12, 1)]


@pytest.fixture
def limited_client(tmp_path, database_url, clock, session_factory, redis_url):
    from fastapi.testclient import TestClient

    from duespark.app import create_app

    limited = make_test_settings(
        tmp_path,
        database_url,
        rate_limit_enabled=True,
        redis_url=redis_url,
        # Unique per run: the counters live in the shared Redis, where an earlier run's would still count.
        rate_limit_prefix=f"answers-{uuid.uuid4().hex}",
        rate_limit_public_link="2000/minute",
    )
    app = create_app(limited, clock)
    app.state.engine.dispose()
    app.state.session_factory = session_factory
    with TestClient(app) as http:
        yield http, limited


def test_posting_from_one_link_is_rate_limited(limited_client, session):
    http, limited = limited_client
    user = register(http)
    token = pay_token(limited, api_invoice(http, user["headers"])["id"])
    codes = [answer(http, token, "promise", promised_date="2026-12-01").status_code for _ in range(40)]
    assert codes[:10] == [303] * 10 and set(codes[10:]) == {429}
    assert _count(session) == 1
    # The limit is per link: another invoice's link still answers.
    other = pay_token(limited, api_invoice(http, user["headers"], number="INV-2")["id"])
    assert answer(http, other, "dispute", message="Why?").status_code == 303


def test_scripts_in_the_clients_text_are_stored_as_typed_and_shown_escaped(client, session, settings):
    user = register(client)
    invoice = api_invoice(client, user["headers"])
    token = pay_token(settings, invoice["id"])
    refused = answer(client, token, "dispute", message=SCRIPT, disputed_amount=SCRIPT)
    assert refused.status_code == 422 and 'data-field="disputed_amount"' in refused.text
    assert "<script>" not in refused.text and "onerror=alert(1)>" not in refused.text
    assert "&lt;script&gt;" in refused.text
    assert answer(client, token, "dispute", message=SCRIPT).status_code == 303
    page = client.get(f"/pay/{token}/answers")
    assert "<script>" not in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    [item] = client.get("/api/answers", headers=user["headers"]).json()["items"]
    assert item["message"] == SCRIPT  # JSON carries the text; the web app renders it as text
    long = answer(
        client,
        pay_token(settings, api_invoice(client, user["headers"], number="INV-2")["id"]),
        "dispute",
        message="x" * 2001,
    )
    assert long.status_code == 422 and 'data-field="message"' in long.text


def test_the_link_decides_the_invoice_and_nothing_in_the_form_can(client, session, settings):
    owner = register(client)
    mine = api_invoice(client, owner["headers"])
    other_owner = register(client)
    theirs = api_invoice(client, other_owner["headers"], number="THEIRS-1")
    token = pay_token(settings, mine["id"])
    response = client.post(
        f"/pay/{token}/answers/dispute",
        data={"message": "hi", "invoice_id": str(theirs["id"]), "account_id": "1", "kind": "paid_claim"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.expire_all()
    rows = session.execute(select(ClientAnswer.invoice_id, ClientAnswer.kind)).all()
    assert rows == [(mine["id"], "dispute")]
    assert client.get("/api/answers", headers=other_owner["headers"]).json()["items"] == []


@pytest.mark.parametrize("kind", ["promise", "dispute", "paid_claim"])
def test_forged_altered_and_retired_links_answer_404_and_store_nothing(client, session, settings, kind):
    user = register(client)
    invoice = api_invoice(client, user["headers"])
    token = pay_token(settings, invoice["id"])
    value, mac = token.split(".")
    retired = make_test_settings(
        settings.data_dir.parent, settings.database_url, secret_keys=["a-retired-key-" + "x" * 40]
    )
    forged = [
        f"{value}.{mac[:-2]}AA",
        f"{links.invoice_pay_token(settings, invoice['id'] + 1).split('.')[0]}.{mac}",
        links.client_portal_url(settings, invoice["id"]).rsplit("/", 1)[1],  # signed, for another purpose
        sign_token(settings, "pay-reminder:1", invoice["id"]),
        links.invoice_pay_token(retired, invoice["id"]),  # signed by a key no longer configured
        "x" * 600,
    ]
    fields = {"promised_date": "2026-12-01", "message": "m", "paid_on": "2026-11-24"}
    for bad in forged:
        assert client.post(f"/pay/{bad}/answers/{kind}", data=fields, follow_redirects=False).status_code == 404, bad
        assert client.get(f"/pay/{bad}/answers").status_code == 404
    assert client.post(f"/pay/{token}/answers/refund", data=fields).status_code == 404
    assert _count(session) == 0


def test_oversized_and_malformed_bodies_are_refused(client, session, settings):
    user = register(client)
    token = pay_token(settings, api_invoice(client, user["headers"])["id"])
    big = client.post(f"/pay/{token}/answers/dispute", data={"message": "x" * 20_000}, follow_redirects=False)
    assert big.status_code == 413
    many = "&".join(f"f{i}=1" for i in range(50))
    crowded = client.post(
        f"/pay/{token}/answers/dispute",
        content=many,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert crowded.status_code == 413
    binary = client.post(
        f"/pay/{token}/answers/dispute",
        content=b"message=\xff\xfe\x00ok",
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert binary.status_code == 303
    session.expire_all()
    assert session.scalars(select(ClientAnswer.message)).one() == "\ufffd\ufffdok"


def test_a_paid_or_void_invoice_takes_no_answers(client, session, settings):
    user = register(client)
    invoice = api_invoice(client, user["headers"])
    client.post(f"/api/invoices/{invoice['id']}/payments", headers=user["headers"], json={"amount": "1250.00"})
    token = pay_token(settings, invoice["id"])
    response = answer(client, token, "promise", promised_date="2026-12-01")
    assert response.status_code == 200 and "was paid on" in response.text
    assert _count(session) == 0
