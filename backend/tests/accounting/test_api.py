"""Settings → Integrations through the API: the OAuth flow with its state checked, the list, sync now,
disconnect, and another account's connection answering 404."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

from duespark.models import AccountingConnection
from tests.accounting.payloads import QBO_REALM, QBO_TOKEN_URL, XERO_TENANT, XERO_TOKEN_URL
from tests.helpers import register

TOKEN_ANSWER = {"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 1800, "token_type": "Bearer"}


def _connect(client, headers, provider="xero") -> dict[str, list[str]]:
    response = client.post(f"/api/integrations/{provider}/connect", headers=headers)
    assert response.status_code == 200, response.text
    url = urlsplit(response.json()["authorize_url"])
    return {"base": [f"{url.scheme}://{url.netloc}{url.path}"], **parse_qs(url.query)}


@pytest.fixture
def xero_books(books):
    token = books.post(XERO_TOKEN_URL).mock(return_value=httpx.Response(200, json=TOKEN_ANSWER))
    books.get("https://api.xero.com/connections").mock(
        return_value=httpx.Response(
            200,
            json=[
                {
                    "id": "e1eede29-f875-4a5d-8470-17f6a29a88b1",
                    "authEventId": "d99ecdfe-391d-43d2-b834-17636ba90e8d",
                    "tenantId": XERO_TENANT,
                    "tenantType": "ORGANISATION",
                    "tenantName": "Acme Books Ltd",
                    "createdDateUtc": "2026-11-25T10:00:00.0000000",
                    "updatedDateUtc": "2026-11-25T10:00:00.0000000",
                }
            ],
        )
    )
    return token


def test_xero_connect_with_pkce_and_state(client, xero_books, session):
    user = register(client)
    query = _connect(client, user["headers"])

    assert query["base"] == ["https://login.xero.com/identity/connect/authorize"]
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["XERO-APP-ID"]
    assert query["redirect_uri"] == ["http://testserver/settings/integrations/callback/xero"]
    assert query["scope"] == ["offline_access accounting.transactions accounting.contacts"]
    assert query["code_challenge_method"] == ["S256"]

    response = client.post(
        "/api/integrations/xero/callback",
        json={"code": "auth-code-1", "state": query["state"][0]},
        headers=user["headers"],
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["organisation"], body["syncing"]) == ("connected", "Acme Books Ltd", True)
    form = parse_qs(xero_books.calls[0].request.content.decode())
    assert form["grant_type"] == ["authorization_code"] and form["code"] == ["auth-code-1"]
    verifier = form["code_verifier"][0]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert challenge == query["code_challenge"][0]
    session.expire_all()
    row = session.scalars(select(AccountingConnection)).one()
    assert row.tenant_id == XERO_TENANT
    assert "at-1" not in (row.access_token_encrypted or "") and "rt-1" not in (row.refresh_token_encrypted or "")

    # The state is single use.
    again = client.post(
        "/api/integrations/xero/callback",
        json={"code": "auth-code-1", "state": query["state"][0]},
        headers=user["headers"],
    )
    assert again.status_code == 422
    assert again.json()["detail"][0]["field"] == "state"


def test_forged_missing_and_other_accounts_state_are_refused(client, xero_books):
    owner, other = register(client), register(client)
    state = _connect(client, owner["headers"])["state"][0]
    value, mac = state.split(".")
    forged = f"{value}.{mac[:-2]}{'AA' if mac[-2:] != 'AA' else 'BB'}"

    for headers, body in (
        (owner["headers"], {"code": "c", "state": forged}),
        (owner["headers"], {"code": "c", "state": "not-a-state"}),
        (other["headers"], {"code": "c", "state": state}),
    ):
        response = client.post("/api/integrations/xero/callback", json=body, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["field"] == "state"
    missing = client.post("/api/integrations/xero/callback", json={"code": "c"}, headers=owner["headers"])
    assert missing.status_code == 422
    assert xero_books.calls == []
    # The genuine state still works for its own account.
    ok = client.post("/api/integrations/xero/callback", json={"code": "c", "state": state}, headers=owner["headers"])
    assert ok.status_code == 200


def test_quickbooks_connect_uses_state_and_secret(client, books):
    user = register(client)
    token = books.post(QBO_TOKEN_URL).mock(return_value=httpx.Response(200, json=TOKEN_ANSWER))
    books.get(f"https://quickbooks.api.intuit.com/v3/company/{QBO_REALM}/companyinfo/{QBO_REALM}").mock(
        return_value=httpx.Response(200, json={"CompanyInfo": {"CompanyName": "Sandbox Company_US_1", "Id": "1"}})
    )
    query = _connect(client, user["headers"], "quickbooks")
    assert query["base"] == ["https://appcenter.intuit.com/connect/oauth2"]
    assert "code_challenge" not in query

    response = client.post(
        "/api/integrations/quickbooks/callback",
        json={"code": "qbo-code", "state": query["state"][0], "realm_id": QBO_REALM},
        headers=user["headers"],
    )

    assert response.status_code == 200, response.text
    assert response.json()["organisation"] == "Sandbox Company_US_1"
    expected = base64.b64encode(b"QBO-APP-ID:qbo-app-secret-value").decode()
    assert token.calls[0].request.headers["Authorization"] == f"Basic {expected}"


def test_list_sync_now_disconnect_and_other_accounts_get_404(client, xero_books):
    owner, other = register(client), register(client)
    state = _connect(client, owner["headers"])["state"][0]
    client.post("/api/integrations/xero/callback", json={"code": "c", "state": state}, headers=owner["headers"])

    listed = client.get("/api/integrations", headers=owner["headers"]).json()["items"]
    assert [(i["provider"], i["status"], i["configured"]) for i in listed] == [
        ("xero", "connected", True),
        ("quickbooks", "not_connected", True),
    ]
    other_listed = client.get("/api/integrations", headers=other["headers"]).json()["items"]
    assert [i["status"] for i in other_listed] == ["not_connected", "not_connected"]

    for method, path in (
        ("post", "/api/integrations/xero/sync"),
        ("delete", "/api/integrations/xero"),
        ("post", "/api/integrations/quickbooks/sync"),
        ("post", "/api/integrations/freshbooks/connect"),
        ("post", "/api/integrations/<script>/connect"),
    ):
        response = getattr(client, method)(path, headers=other["headers"])
        assert response.status_code in (404, 422), (path, response.text)
        assert response.status_code == 404 or "<script>" in path

    assert client.post("/api/integrations/xero/sync", headers=owner["headers"]).status_code == 202
    assert client.delete("/api/integrations/xero", headers=owner["headers"]).status_code == 204
    listed = client.get("/api/integrations", headers=owner["headers"]).json()["items"]
    assert listed[0]["status"] == "disconnected" and listed[0]["syncing"] is False
    assert client.post("/api/integrations/xero/sync", headers=owner["headers"]).status_code == 404
    assert client.get("/api/integrations").status_code == 401


def test_oversized_callback_fields_are_refused(client):
    user = register(client)
    response = client.post(
        "/api/integrations/xero/callback",
        json={"code": "c" * 5000, "state": "s", "extra": 1},
        headers=user["headers"],
    )
    assert response.status_code == 422
