"""Credentials that must stop working, and credentials that were never valid: all answer 401 and
reveal nothing. (tests/auth/test_auth_api.py covers wrong keys, unknown kids, alg none and expiry.)"""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from sqlalchemy import select, update

from duespark.auth.security import key_id
from duespark.models import User
from tests.conftest import TEST_SECRET
from tests.helpers import auth, register

PROTECTED = [("GET", "/api/me"), ("GET", "/api/invoices"), ("POST", "/api/tokens"), ("GET", "/api/me/export")]


def _refused(client, token: str) -> None:
    for method, path in PROTECTED:
        response = client.request(method, path, headers=auth(token), json={"name": "x"} if method == "POST" else None)
        assert response.status_code == 401, f"{method} {path}: {response.status_code}"
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json()["error"] == "Unauthorized"


def _b64(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def test_refresh_token_after_logout_is_refused_everywhere(client):
    user = register(client)
    assert client.post("/api/auth/logout", json={"refresh_token": user["refresh_token"]}).status_code == 204
    assert client.post("/api/auth/refresh", json={"refresh_token": user["refresh_token"]}).status_code == 401
    # An opaque refresh token is never a bearer credential, revoked or not.
    _refused(client, user["refresh_token"])


def test_every_credential_of_a_deleted_user_is_refused(client):
    user = register(client)
    api_token = client.post("/api/tokens", headers=user["headers"], json={"name": "script"}).json()["token"]
    erased = client.post("/api/me/delete", headers=user["headers"], json={"password": user["password"]})
    assert erased.status_code == 200
    _refused(client, user["access_token"])
    _refused(client, api_token)
    assert client.post("/api/auth/refresh", json={"refresh_token": user["refresh_token"]}).status_code == 401
    login = client.post("/api/auth/login", json={"email": user["email"], "password": user["password"]})
    assert login.status_code == 401


def test_credentials_of_a_deactivated_user_are_refused(client, session):
    user = register(client)
    api_token = client.post("/api/tokens", headers=user["headers"], json={"name": "script"}).json()["token"]
    session.execute(update(User).where(User.email == user["email"]).values(is_active=False))
    session.commit()
    _refused(client, user["access_token"])
    assert client.post("/api/auth/refresh", json={"refresh_token": user["refresh_token"]}).status_code == 401
    _refused(client, api_token)


def test_revoked_api_token_is_refused_and_cannot_be_revoked_by_others(client):
    owner, other = register(client), register(client)
    created = client.post("/api/tokens", headers=owner["headers"], json={"name": "ci"}).json()
    # Another user cannot see or revoke it.
    assert client.delete(f"/api/tokens/{created['id']}", headers=other["headers"]).status_code == 404
    assert client.get("/api/me", headers=auth(created["token"])).status_code == 200
    assert client.delete(f"/api/tokens/{created['id']}", headers=owner["headers"]).status_code == 204
    _refused(client, created["token"])
    # Revoking twice, or revoking with the revoked token itself, changes nothing.
    assert client.delete(f"/api/tokens/{created['id']}", headers=owner["headers"]).status_code == 404
    assert client.delete(f"/api/tokens/{created['id']}", headers=auth(created["token"])).status_code == 401
    # A token with one character changed is another, unknown token.
    assert client.get("/api/me", headers=auth(created["token"][:-1] + "A")).status_code == 401


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_forged_access_tokens_are_refused(client, session):
    user = register(client)
    me = client.get("/api/me", headers=user["headers"]).json()
    other = register(client)
    other_account = client.get("/api/me", headers=other["headers"]).json()["account"]["id"]
    claims = jwt.decode(user["access_token"], options={"verify_signature": False})
    kid = key_id(TEST_SECRET)
    header, payload, signature = user["access_token"].split(".")
    forged = {
        # The claims changed under the original signature: another account, another user, no expiry.
        "account-swapped": f"{header}.{_b64({**claims, 'acc': other_account})}.{signature}",
        "user-swapped": f"{header}.{_b64({**claims, 'sub': str(me['id'] + 1)})}.{signature}",
        "expiry-removed": f"{header}.{_b64({k: v for k, v in claims.items() if k != 'exp'})}.{signature}",
        "hs512-same-key": jwt.encode(claims, TEST_SECRET, algorithm="HS512", headers={"kid": kid}),
        "kid-a-list": f"{_b64({'alg': 'HS256', 'kid': [kid]})}.{payload}.{signature}",
        "kid-an-object": f"{_b64({'alg': 'HS256', 'kid': {'id': kid}})}.{payload}.{signature}",
        "alg-a-list": f"{_b64({'alg': ['HS256'], 'kid': kid})}.{payload}.{signature}",
        "header-not-json": f"{base64.urlsafe_b64encode(b'not json').decode()}.{payload}.{signature}",
        "signature-empty": f"{header}.{payload}.",
        "two-parts": f"{header}.{payload}",
        "huge": "A" * 8000,
        "api-prefix-garbage": "dsp_" + "A" * 43,
        "typ-refresh": jwt.encode({**claims, "typ": "refresh"}, TEST_SECRET, algorithm="HS256", headers={"kid": kid}),
        "sub-not-a-number": jwt.encode({**claims, "sub": "x"}, "a" * 40, algorithm="HS256", headers={"kid": kid}),
    }
    for name, token in forged.items():
        response = client.get("/api/me", headers=auth(token))
        assert response.status_code == 401, f"{name}: {response.status_code} {response.text}"
        assert str(other_account) not in response.text


@pytest.mark.parametrize("scheme", ["Basic", "Token", "bearer", "Bearer  ", ""])
def test_other_authorization_schemes_are_refused(client, scheme):
    user = register(client)
    response = client.get("/api/me", headers={"Authorization": f"{scheme} {user['access_token']}".strip()})
    # The scheme name is case-insensitive (RFC 7235); anything but Bearer is refused.
    expected = 200 if scheme.strip().lower() == "bearer" else 401
    assert response.status_code == expected


def test_reused_refresh_token_signs_out_the_whole_family(client, session):
    user = register(client)
    first = client.post("/api/auth/refresh", json={"refresh_token": user["refresh_token"]}).json()
    # Someone replays the original (stolen) refresh token: every token of that sign-in dies.
    assert client.post("/api/auth/refresh", json={"refresh_token": user["refresh_token"]}).status_code == 401
    assert client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]}).status_code == 401
    assert session.scalar(select(User.is_active).where(User.email == user["email"])) is True
