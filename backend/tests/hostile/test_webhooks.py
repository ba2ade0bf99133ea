"""Hostile webhook deliveries (Stripe, Postmark, SES/SNS): forged, replayed, huge, malformed or oddly typed.

Each is refused (400/401/403/413/422) or acknowledged as a no-op, never a 500, and the database is
unchanged: the inbox, payments, invoices, suppressions and message events are counted before and after.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from duespark.models import Invoice, Message, MessageEvent, Payment, Suppression, WebhookEvent
from tests.conftest import TEST_NOW, make_test_settings
from tests.email.test_webhooks import (
    CERT_URL,
    HOOK_PASSWORD,
    HOOK_USER,
    TOPIC,
    _notification,
    _sign,
    hard_bounce,
    ses_bounce,
    signer,  # noqa: F401 - a fixture
)
from tests.helpers import make_account, make_client, make_invoice
from tests.payments.stripe_fixtures import WEBHOOK_SECRET, body, checkout_session, event, next_id, sign, unix

ONE_MIB = 1024 * 1024
TABLES = (WebhookEvent, Payment, Suppression, MessageEvent)


@pytest.fixture
def settings(tmp_path, database_url):
    return make_test_settings(
        tmp_path,
        database_url,
        stripe_webhook_secret=WEBHOOK_SECRET,
        postmark_webhook_username=HOOK_USER,
        postmark_webhook_password=HOOK_PASSWORD,
        ses_sns_topic_arns=[TOPIC],
    )


@pytest.fixture
def invoice(session, clock) -> Invoice:
    account = make_account(session, clock=clock)
    customer = make_client(session, account=account, clock=clock, email="john@globex.test")
    return make_invoice(session, client=customer, clock=clock, amount_minor=125_000, currency="EUR")


def snapshot(session) -> dict[str, object]:
    """Row counts of everything a webhook can write, and the state of every invoice and message."""
    session.expire_all()
    state: dict[str, object] = {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in TABLES}
    state["invoices"] = session.execute(
        select(Invoice.id, Invoice.status, Invoice.amount_paid_minor).order_by(Invoice.id)
    ).all()
    state["messages"] = session.execute(select(Message.id, Message.status).order_by(Message.id)).all()
    return state


@pytest.fixture
def unchanged(session, invoice) -> Iterator[None]:
    before = snapshot(session)
    yield
    assert snapshot(session) == before


def _stripe(client, raw: bytes, signature: str | None, content_type="application/json", path="/api/webhooks/stripe"):
    headers = {"Content-Type": content_type}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return client.post(path, content=raw, headers=headers)


def _paid_event(invoice: Invoice) -> bytes:
    return body(event("checkout.session.completed", checkout_session(invoice, payment_intent=next_id("pi"))))


# --- Stripe -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("t={huge},v1={sig}", id="timestamp-with-400-digits"),
        pytest.param("t={digits5000},v1={sig}", id="timestamp-beyond-int-parsing-limit"),
        pytest.param("t={now},v0={sig}", id="only-a-v0-scheme"),
        pytest.param("t={now},t={now},v1=" + "0" * 64, id="repeated-timestamp-forged"),
        pytest.param("t={now}," + ",".join(["v1=" + "0" * 64] * 200), id="two-hundred-forged-signatures"),
        pytest.param("v1={sig}", id="no-timestamp"),
        pytest.param("\u00e9t={now},v1={sig}", id="not-ascii"),
        pytest.param("t=\u00b2,v1={sig}", id="superscript-digit"),
    ],
)
def test_stripe_forged_signature_headers_are_400(client, invoice, unchanged, header):
    raw = _paid_event(invoice)
    signature = sign(raw).split("v1=")[1]
    now = str(unix(TEST_NOW))
    value = header.format(huge="1" + "0" * 400, digits5000="9" * 5000, now=now, sig=signature)
    response = client.post(
        "/api/webhooks/stripe",
        content=raw,
        headers={"Content-Type": "application/json", "Stripe-Signature": value.encode("utf-8")},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "InvalidSignature"


def test_stripe_replayed_delivery_is_applied_once(client, session, invoice):
    raw = _paid_event(invoice)
    header = sign(raw)
    answers = [_stripe(client, raw, header).json()["result"] for _ in range(3)]
    assert answers == ["payment recorded", "duplicate", "duplicate"]
    before = snapshot(session)
    assert before["payments"] == 1 and before["webhook_events"] == 1
    # A replay captured and sent again later is outside the tolerance: refused before anything is read.
    late = sign(raw, at=TEST_NOW.replace(minute=TEST_NOW.minute + 6))
    assert _stripe(client, raw, late).status_code == 400
    assert snapshot(session) == before


@pytest.mark.parametrize("path", ["/api/webhooks/stripe", "/api/webhooks/postmark", "/api/webhooks/ses"])
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_bodies_over_the_limit_are_413_on_every_webhook(client, invoice, unchanged, path, declared):
    raw = b'{"pad": "' + b"x" * ONE_MIB + b'"}'
    headers = {"Content-Type": "application/json", "Stripe-Signature": sign(raw)}
    content = raw if declared else iter([raw[i : i + 65536] for i in range(0, len(raw), 65536)])
    response = client.post(path, content=content, headers=headers, auth=(HOOK_USER, HOOK_PASSWORD))
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "PayloadTooLarge"


@pytest.mark.parametrize(
    "raw",
    [b'{"id": "evt_1", "type": ', b"[]", b'"event"', b"\xff\xfe{\x00}", b"", b"NaN"],
    ids=["truncated", "array", "string", "not-utf8", "empty", "nan"],
)
def test_stripe_signed_but_malformed_json_is_422(client, invoice, unchanged, raw):
    response = _stripe(client, raw, sign(raw))
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    ("content_type", "raw"),
    [
        ("application/x-www-form-urlencoded", b"type=checkout.session.completed&id=evt_1"),
        ("text/plain", b'{"id": "evt_1"}'),
        ("multipart/form-data; boundary=x", b"--x\r\n\r\n--x--"),
    ],
)
def test_stripe_other_content_types_without_a_signature_are_400(client, invoice, unchanged, content_type, raw):
    assert _stripe(client, raw, None, content_type=content_type).status_code == 400


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"metadata": ["not", "a", "dict"]}, id="metadata-a-list"),
        pytest.param({"metadata": {"invoice_id": "9" * 30}}, id="invoice-id-30-digits"),
        pytest.param({"metadata": {"invoice_id": "\u00b2"}}, id="invoice-id-a-superscript"),
        pytest.param({"amount_total": "lots"}, id="amount-a-word"),
        pytest.param({"amount_total": 1e308}, id="amount-a-float"),
        pytest.param({"amount_total": 10**20}, id="amount-beyond-bigint"),
        pytest.param({"amount_total": True}, id="amount-a-boolean"),
        pytest.param({"currency": ["eur"]}, id="currency-a-list"),
        pytest.param({"payment_intent": {"id": 5}}, id="intent-id-a-number"),
        pytest.param({"id": None}, id="object-without-id"),
        pytest.param(None, id="data-a-list"),
    ],
)
def test_stripe_signed_events_with_hostile_fields_never_crash_or_pay(client, session, invoice, fields):
    payload = event("checkout.session.completed", checkout_session(invoice, payment_intent=next_id("pi")))
    if fields is None:
        payload["data"] = ["not", "an", "object"]
    else:
        payload["data"]["object"].update(fields)
    raw = body(payload)
    response = _stripe(client, raw, sign(raw))
    assert response.status_code in (200, 422), response.text
    after = snapshot(session)
    assert after["payments"] == 0
    assert after["invoices"] == [(invoice.id, "open", 0)]


@pytest.mark.parametrize(
    ("change", "stored_email"),
    [
        ({"customer_email": "a\u0000b@x.io"}, "a\ufffdb@x.io"),
        ({"created": 10**30}, "billing@globex.test"),
        ({"created": -(10**30)}, "billing@globex.test"),
    ],
    ids=["nul-character", "created-beyond-year-9999", "created-before-year-1"],
)
def test_stripe_genuine_events_with_odd_incidental_fields_are_applied(client, session, invoice, change, stored_email):
    """A NUL in any string (PostgreSQL's jsonb refuses it) or a `created` no clock can show were 500s;
    the event must still be stored and pay the invoice."""
    payload = event("checkout.session.completed", checkout_session(invoice, payment_intent=next_id("pi")))
    if "created" in change:
        payload["created"] = change["created"]
    else:
        payload["data"]["object"].update(change)
    raw = body(payload)
    response = _stripe(client, raw, sign(raw))
    assert response.status_code == 200, response.text
    assert response.json()["result"] == "payment recorded"
    stored = session.scalars(select(WebhookEvent)).one()
    assert stored.payload["data"]["object"]["customer_email"] == stored_email
    assert snapshot(session)["invoices"] == [(invoice.id, "paid", 125_000)]


def test_stripe_account_endpoint_with_a_forged_token_is_404(client, invoice, unchanged):
    raw = _paid_event(invoice)
    for token in ("forged", "MQ.AAAAAAAAAAAAAAAAAAAAAA", "x" * 5000, "%00"):
        assert _stripe(client, raw, sign(raw), path=f"/api/webhooks/stripe/{token}").status_code == 404


# --- Postmark -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "auth",
    [None, (HOOK_USER, "wrong"), ("someone", HOOK_PASSWORD), (HOOK_USER, HOOK_PASSWORD + "x"), ("", "")],
    ids=["none", "wrong-password", "wrong-user", "longer-password", "empty"],
)
def test_postmark_without_the_credentials_changes_nothing(client, invoice, unchanged, auth):
    response = client.post("/api/webhooks/postmark", json=hard_bounce(), auth=auth)
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("content_type", "raw"),
    [
        ("application/json", b'{"RecordType": "Bounce", '),
        ("application/json", b"[1, 2]"),
        ("application/json", b"\xff\xfe\x00"),
        ("application/x-www-form-urlencoded", b"RecordType=Bounce&Email=john%40globex.test"),
        ("text/plain", b""),
    ],
    ids=["truncated", "array", "not-utf8", "form", "empty"],
)
def test_postmark_malformed_bodies_are_422(client, invoice, unchanged, content_type, raw):
    response = client.post(
        "/api/webhooks/postmark", content=raw, headers={"Content-Type": content_type}, auth=(HOOK_USER, HOOK_PASSWORD)
    )
    assert response.status_code == 422, response.text


def test_postmark_replay_is_stored_and_applied_once(client, session, invoice):
    answers = [
        client.post("/api/webhooks/postmark", json=hard_bounce(), auth=(HOOK_USER, HOOK_PASSWORD)).json()["status"]
        for _ in range(3)
    ]
    assert answers == ["processed", "duplicate", "duplicate"]
    state = snapshot(session)
    assert (state["webhook_events"], state["suppressions"]) == (1, 1)


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"Email": "a" * 100_000 + "@globex.test"}, id="address-of-100k-characters"),
        pytest.param({"Email": {"nested": "john@globex.test"}}, id="address-an-object"),
        pytest.param({"ID": {"a": [1, 2]}, "MessageID": [1, 2]}, id="ids-of-the-wrong-type"),
        pytest.param({"BouncedAt": "9999-99-99T99:99:99Z"}, id="impossible-time"),
        pytest.param({"RecordType": ["Bounce"]}, id="record-type-a-list"),
        pytest.param({"Description": "x" * 200_000}, id="description-of-200k-characters"),
        pytest.param({"Email": "john@globex.test\u0000"}, id="nul-character"),
    ],
)
def test_postmark_authenticated_events_with_hostile_fields_never_crash(client, session, invoice, extra):
    response = client.post("/api/webhooks/postmark", json=hard_bounce(**extra), auth=(HOOK_USER, HOOK_PASSWORD))
    assert response.status_code in (200, 422), response.text


# --- SES through SNS ----------------------------------------------------------------------------


def _ses(client, raw: bytes):
    return client.post("/api/webhooks/ses", content=raw, headers={"Content-Type": "text/plain; charset=UTF-8"})


@pytest.mark.parametrize(
    "raw",
    [b'{"Type": "Notification", ', b"[]", b"\xff\xfe\x00", b"", b'{"Type": "Notification"}'],
    ids=["truncated", "array", "not-utf8", "empty", "unsigned"],
)
def test_ses_malformed_or_unsigned_is_403(client, invoice, unchanged, raw):
    assert _ses(client, raw).status_code == 403


@pytest.mark.parametrize(
    "cert_url",
    [
        "https://sns.eu-west-1.amazonaws.com:abc/cert.pem",
        "https://[sns.eu-west-1.amazonaws.com/cert.pem",
        "https://sns.eu-west-1.amazonaws.com:99999/cert.pem",
        "https://sns.eu-west-1.amazonaws.com.evil.test/cert.pem",
        "http://sns.eu-west-1.amazonaws.com/cert.pem",
    ],
)
def test_ses_certificate_urls_that_do_not_parse_are_403(client, invoice, unchanged, signer, cert_url):  # noqa: F811
    key, fetched = signer
    envelope = {**_sign(key, _notification(ses_bounce())), "SigningCertURL": cert_url}
    assert _ses(client, json.dumps(envelope).encode()).status_code == 403
    assert fetched == []


def test_ses_forged_signature_and_replay(client, session, invoice, signer):  # noqa: F811
    key, _ = signer
    envelope = _sign(key, _notification(ses_bounce()))
    forged = {**envelope, "Message": envelope["Message"].replace("Permanent", "Transient")}
    before = snapshot(session)
    assert _ses(client, json.dumps(forged).encode()).status_code == 403
    assert snapshot(session) == before
    answers = [_ses(client, json.dumps(envelope).encode()).json()["status"] for _ in range(3)]
    assert answers == ["processed", "duplicate", "duplicate"]
    state = snapshot(session)
    assert (state["webhook_events"], state["suppressions"]) == (1, 1)
    assert CERT_URL.endswith(".pem")


def _nested(depth: int) -> bytes:
    return b'{"id": "evt_deep", "type": "charge.succeeded", "data": {"object": ' + b"[" * depth + b"]" * depth + b"}}"


@pytest.mark.parametrize("depth", [100, 900, 100_000], ids=["100", "900", "100000"])
@pytest.mark.parametrize("path", ["/api/webhooks/stripe", "/api/webhooks/postmark", "/api/webhooks/ses"])
def test_deeply_nested_json_is_a_4xx_on_every_webhook(client, invoice, unchanged, path, depth):
    """100,000 levels made json.loads raise RecursionError (a 500); 900 parsed, then failed in the
    recursive NUL scrub of the inbox. Either is refused at the parse, before anything is stored."""
    raw = _nested(depth)
    headers = {"Content-Type": "application/json", "Stripe-Signature": sign(raw)}
    response = client.post(path, content=raw, headers=headers, auth=(HOOK_USER, HOOK_PASSWORD))
    assert 400 <= response.status_code < 500, response.text
    if path != "/api/webhooks/ses":  # SES answers 403: not a valid SNS message (it says why)
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "body"
    assert "nested more than 64 levels" in response.text


@pytest.mark.parametrize("path", ["/api/auth/login", "/api/auth/register", "/api/clients"])
def test_deeply_nested_json_on_the_api_is_a_4xx(client, path):
    raw = b'{"email": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.post(path, content=raw, headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
