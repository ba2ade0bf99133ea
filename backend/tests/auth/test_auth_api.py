from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from duespark.auth.security import key_id
from tests.conftest import TEST_SECRET
from tests.helpers import auth, register


def test_register_then_me(client):
    user = register(client, email="Ada@Example.com", company_name="Ada Design", timezone="Europe/Berlin")
    me = client.get("/api/me", headers=user["headers"])
    assert me.status_code == 200
    body = me.json()
    assert body["email"] == "Ada@example.com"  # the domain is normalised, the local part kept
    assert body["role"] == "owner"
    assert body["account"]["name"] == "Ada Design"
    assert body["account"]["timezone"] == "Europe/Berlin"
    assert body["account"]["test_mode"] is True
    # Where the links in emails point, so the web app can warn when it is opened at another address.
    assert body["public_url"] == "http://testserver"
    patched = client.patch("/api/me", headers=user["headers"], json={"name": "Ada L."})
    assert patched.json()["public_url"] == "http://testserver"


def test_email_unique_case_insensitive(client):
    register(client, email="bob@example.com")
    again = client.post(
        "/api/auth/register", json={"email": "BOB@example.com", "password": "another password", "name": "B"}
    )
    assert again.status_code == 409
    assert again.json()["detail"][0]["field"] == "email"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "password": "long enough pw", "name": "x"}, "email"),
        ({"email": "a@example.com", "password": "short", "name": "x"}, "password"),
        ({"email": "a@example.com", "password": "long enough pw", "name": ""}, "name"),
        ({"email": "a@example.com", "password": "long enough pw", "name": "x", "timezone": "Mars/Base"}, "timezone"),
        (
            {"email": "a@example.com", "password": "long enough pw", "name": "x", "default_currency": "XYZ"},
            "default_currency",
        ),
    ],
)
def test_register_validation_names_the_field(client, payload, field):
    response = client.post("/api/auth/register", json=payload)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "ValidationError"
    assert [e["field"] for e in body["detail"]] == [field]


def test_login_and_wrong_password(client):
    user = register(client)
    ok = client.post("/api/auth/login", json={"email": user["email"].upper(), "password": user["password"]})
    assert ok.status_code == 200
    assert ok.json()["token_type"] == "bearer"
    bad = client.post("/api/auth/login", json={"email": user["email"], "password": "wrong password!"})
    assert bad.status_code == 401
    unknown = client.post("/api/auth/login", json={"email": "nobody@example.com", "password": "whatever123"})
    assert unknown.status_code == 401
    assert bad.json() == unknown.json()


def test_refresh_rotates_and_reuse_revokes_family(client):
    user = register(client)
    first = client.post("/api/auth/refresh", json={"refresh_token": user["refresh_token"]})
    assert first.status_code == 200
    rotated = first.json()["refresh_token"]
    assert rotated != user["refresh_token"]
    # The old token presented again: a thief or a replay. The whole family dies.
    reuse = client.post("/api/auth/refresh", json={"refresh_token": user["refresh_token"]})
    assert reuse.status_code == 401
    assert "already used" in reuse.json()["detail"]
    after = client.post("/api/auth/refresh", json={"refresh_token": rotated})
    assert after.status_code == 401


def test_refresh_via_cookie(client):
    register(client)
    # TestClient keeps the HttpOnly cookie set at registration.
    response = client.post("/api/auth/refresh")
    assert response.status_code == 200


def test_optional_refresh_without_a_token_is_no_error(client):
    # A signed-out page load asks with optional=true: 204 and no body, so no 401 in the browser console.
    quiet = client.post("/api/auth/refresh?optional=true")
    assert quiet.status_code == 204
    assert quiet.content == b""
    # Without the flag, or with a dead token, the answer stays 401.
    assert client.post("/api/auth/refresh").status_code == 401
    dead = client.post("/api/auth/refresh?optional=true", json={"refresh_token": "not-a-token"})
    assert dead.status_code == 401
    # With the cookie, optional=true refreshes as before.
    register(client)
    assert client.post("/api/auth/refresh?optional=true").json()["access_token"]


def test_logout_revokes_refresh(client):
    user = register(client)
    assert client.post("/api/auth/logout", json={"refresh_token": user["refresh_token"]}).status_code == 204
    response = client.post("/api/auth/refresh", json={"refresh_token": user["refresh_token"]})
    assert response.status_code == 401


def test_refresh_expires(client, clock):
    user = register(client)
    clock.advance(days=31)
    assert client.post("/api/auth/refresh", json={"refresh_token": user["refresh_token"]}).status_code == 401


def test_access_token_expires(client, clock):
    user = register(client)
    clock.advance(minutes=16)
    response = client.get("/api/me", headers=user["headers"])
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def _forge(payload: dict, *, key: str, kid: str | None, alg: str = "HS256") -> str:
    headers = {"kid": kid} if kid else {}
    return jwt.encode(payload, key, algorithm=alg, headers=headers)


def test_hostile_tokens_refused(client, clock):
    user = register(client)
    me = client.get("/api/me", headers=user["headers"]).json()
    now = int(clock.now().timestamp())
    claims = {"sub": str(me["id"]), "acc": me["account"]["id"], "typ": "access", "iat": now, "exp": now + 600}
    wrong_key = _forge(claims, key="another-key-that-is-long-enough-to-sign-0123", kid=key_id(TEST_SECRET))
    unknown_kid = _forge(claims, key=TEST_SECRET, kid="deadbeef0000")
    none_alg = jwt.encode(claims, None, algorithm="none", headers={"kid": key_id(TEST_SECRET)})
    refresh_as_access = user["refresh_token"]
    for token in (wrong_key, unknown_kid, none_alg, refresh_as_access, "garbage", ""):
        assert client.get("/api/me", headers=auth(token)).status_code == 401, token
    good = _forge(claims, key=TEST_SECRET, kid=key_id(TEST_SECRET))
    assert client.get("/api/me", headers=auth(good)).status_code == 200


def test_key_rotation_keeps_old_tokens_valid(client, app):
    user = register(client)
    new_key = "a-brand-new-rotated-signing-key-0123456789-abcdefgh"
    app.state.settings = app.state.settings.model_copy(update={"secret_keys": [new_key, TEST_SECRET]})
    app.state.settings.__dict__.pop("signing_keys", None)
    assert client.get("/api/me", headers=user["headers"]).status_code == 200
    fresh = client.post("/api/auth/login", json={"email": user["email"], "password": user["password"]}).json()
    assert jwt.get_unverified_header(fresh["access_token"])["kid"] == key_id(new_key)
    assert client.get("/api/me", headers=auth(fresh["access_token"])).status_code == 200


def test_patch_me_password_change_signs_out_other_sessions(client):
    user = register(client)
    wrong = client.patch(
        "/api/me",
        headers=user["headers"],
        json={"current_password": "nope nope nope", "new_password": "new password 1"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["field"] == "current_password"
    ok = client.patch(
        "/api/me",
        headers=user["headers"],
        json={"name": "Renamed", "current_password": user["password"], "new_password": "new password 1"},
    )
    assert ok.status_code == 200
    assert ok.json()["name"] == "Renamed"
    assert client.post("/api/auth/refresh", json={"refresh_token": user["refresh_token"]}).status_code == 401
    login = client.post("/api/auth/login", json={"email": user["email"], "password": "new password 1"})
    assert login.status_code == 200


def test_account_settings(client):
    user = register(client)
    response = client.patch(
        "/api/account",
        headers=user["headers"],
        json={
            "name": "New Co",
            "default_currency": "usd",
            "timezone": "America/New_York",
            "payment_instructions": "IBAN",
        },
    )
    assert response.status_code == 200
    assert response.json()["default_currency"] == "USD"
    bad = client.patch("/api/account", headers=user["headers"], json={"timezone": None})
    assert bad.status_code == 422


def test_api_tokens_lifecycle(client, clock):
    user = register(client)
    created = client.post("/api/tokens", headers=user["headers"], json={"name": "zapier"})
    assert created.status_code == 201
    raw = created.json()["token"]
    assert raw.startswith("dsp_")
    listed = client.get("/api/tokens", headers=user["headers"]).json()["items"]
    assert [t["name"] for t in listed] == ["zapier"]
    assert "token" not in listed[0]
    assert listed[0]["last_used_at"] is None
    clock.advance(minutes=5)
    assert client.get("/api/me", headers=auth(raw)).status_code == 200
    listed = client.get("/api/tokens", headers=user["headers"]).json()["items"]
    assert listed[0]["last_used_at"] is not None
    assert client.delete(f"/api/tokens/{created.json()['id']}", headers=user["headers"]).status_code == 204
    assert client.get("/api/me", headers=auth(raw)).status_code == 401


def test_unauthenticated_requests_refused(client):
    for method, path in [("get", "/api/me"), ("get", "/api/clients"), ("get", "/api/invoices"), ("get", "/api/tokens")]:
        response = getattr(client, method)(path)
        assert response.status_code == 401
        assert response.json()["error"] == "Unauthorized"


def test_clock_is_injected(clock):
    assert clock.now().isoformat() == "2026-11-25T10:00:00+00:00"
    clock.advance(timedelta(days=1))
    assert clock.now().day == 26
