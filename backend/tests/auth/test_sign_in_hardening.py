"""Issue 14, "Sign-in and tokens": a new password signs out everything, one spelling of an address,
equal work for unknown addresses, malformed tokens are 401s, names with line breaks are 422s."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import statistics
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from starlette.requests import Request

from duespark.auth import service
from duespark.auth.security import JWT_ALGORITHM, key_id
from duespark.ops.ratelimit import json_field
from tests.conftest import TEST_SECRET
from tests.email.test_account_emails import _account_messages, _token_from
from tests.helpers import auth, register


def _api_token(client, headers) -> str:
    response = client.post("/api/tokens", headers=headers, json={"name": "CI"})
    assert response.status_code == 201, response.text
    return response.json()["token"]


def _login(client, email, password) -> dict:
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_password_change_signs_out_every_session_token_and_api_token(client):
    user = register(client)
    laptop = _login(client, user["email"], user["password"])
    api_token = _api_token(client, user["headers"])
    bystander = register(client)
    bystander_token = _api_token(client, bystander["headers"])
    for bearer in (user["access_token"], laptop["access_token"], api_token):
        assert client.get("/api/me", headers=auth(bearer)).status_code == 200

    changed = client.patch(
        "/api/me",
        headers=user["headers"],
        json={"current_password": user["password"], "new_password": "a new password 1"},
    )
    assert changed.status_code == 200

    # Every access token issued before (this session's and the laptop's), the API token, the refresh tokens.
    for bearer in (user["access_token"], laptop["access_token"], api_token):
        refused = client.get("/api/me", headers=auth(bearer))
        assert refused.status_code == 401, bearer
    refused = client.get("/api/me", headers=user["headers"]).json()
    assert "password was changed" in str(refused["detail"])
    for refresh in (user["refresh_token"], laptop["refresh_token"]):
        assert client.post("/api/auth/refresh", json={"refresh_token": refresh}).status_code == 401
    # The session that changed it carries on with the new refresh cookie it was given.
    cookie = changed.cookies.get("duespark_refresh") or client.cookies.get("duespark_refresh")
    assert cookie
    renewed = client.post("/api/auth/refresh", json={"refresh_token": cookie})
    assert renewed.status_code == 200
    assert client.get("/api/me", headers=auth(renewed.json()["access_token"])).status_code == 200
    # Another user's tokens are untouched; a new sign-in works.
    assert client.get("/api/me", headers=auth(bystander_token)).status_code == 200
    assert client.get("/api/me", headers=bystander["headers"]).status_code == 200
    fresh = _login(client, user["email"], "a new password 1")
    assert client.get("/api/me", headers=auth(fresh["access_token"])).status_code == 200
    assert client.get("/api/tokens", headers=auth(fresh["access_token"])).json()["items"] == []


def test_a_password_reset_signs_out_access_tokens_and_api_tokens(client, session):
    user = register(client, email="reset-all@example.com")
    api_token = _api_token(client, user["headers"])
    client.post("/api/auth/password-reset/request", json={"email": "reset-all@example.com"})
    token = _token_from(_account_messages(session, "password_reset")[0], "/reset-password")
    done = client.post("/api/auth/password-reset", json={"token": token, "new_password": "a brand new password"})
    assert done.status_code == 204
    assert client.get("/api/me", headers=user["headers"]).status_code == 401
    assert client.get("/api/me", headers=auth(api_token)).status_code == 401
    fresh = _login(client, user["email"], "a brand new password")
    assert client.get("/api/me", headers=auth(fresh["access_token"])).status_code == 200


def _forge(claims: dict, *, kid: object = None, key: str = TEST_SECRET) -> str:
    """A token signed by hand (PyJWT refuses to write a `kid` that is not a string)."""
    header = {"alg": JWT_ALGORITHM, "typ": "JWT", "kid": kid if kid is not None else key_id(key)}
    signing_input = b".".join(_b64(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
    signature = hmac.new(key.encode(), signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + _b64(signature)).decode()


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _claims(**changes) -> dict:
    now = int(datetime.now(UTC).timestamp())
    claims = {"sub": "1", "acc": 1, "typ": "access", "iat": now - 10, "exp": now + 10**8, "jti": "x", "ver": 0}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not ...}


MALFORMED = {
    "sub-missing": _claims(sub=...),
    "sub-text": _claims(sub="abc"),
    "sub-list": _claims(sub=["1"]),
    "sub-huge": _claims(sub="9" * 40),
    "sub-negative": _claims(sub="-1"),
    "acc-missing": _claims(acc=...),
    "acc-text": _claims(acc="x"),
    "acc-bool": _claims(acc=True),
    "acc-float": _claims(acc=1.5),
    "acc-object": _claims(acc={"id": 1}),
    "exp-text": _claims(exp="tomorrow"),
    "iat-missing": _claims(iat=...),
    "ver-text": _claims(ver="0"),
    "ver-negative": _claims(ver=-1),
    "typ-refresh": _claims(typ="refresh"),
}


@pytest.mark.parametrize("claims", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_validly_signed_token_with_a_malformed_claim_is_a_401(client, claims):
    register(client)  # user 1 and account 1 exist on both databases' fresh sequences, or not: either way 401
    response = client.get("/api/me", headers=auth(_forge(claims)))
    assert response.status_code == 401, response.text


@pytest.mark.parametrize("kid", [["a"], {"k": 1}, 12, ""])
def test_a_kid_of_the_wrong_type_is_a_401(client, kid):
    response = client.get("/api/me", headers=auth(_forge(_claims(), kid=kid)))
    assert response.status_code == 401, response.text


def test_another_users_claims_forged_with_a_wrong_key_or_an_old_version_are_refused(client):
    victim = register(client)
    me = client.get("/api/me", headers=victim["headers"]).json()
    payload = jwt.decode(victim["access_token"], options={"verify_signature": False})
    assert payload["ver"] == 0 and payload["sub"] == str(me["id"])
    forged = _forge(payload, kid=key_id(TEST_SECRET), key="not-the-server-key-0123456789-0123456789")
    assert client.get("/api/me", headers=auth(forged)).status_code == 401
    client.patch(
        "/api/me",
        headers=victim["headers"],
        json={"current_password": victim["password"], "new_password": "another password 2"},
    )
    # A token re-signed by the server for the old version (what a stolen token is) no longer works.
    replayed = _forge({**payload, "exp": payload["exp"] + 3600})
    assert client.get("/api/me", headers=auth(replayed)).status_code == 401
    assert client.get("/api/me", headers=auth(_forge({**payload, "ver": 1}))).status_code == 200


# --- one spelling of an address --------------------------------------------------------------------

SPELLINGS = [
    "ada@example.com",
    "Ada@EXAMPLE.com",
    "ada@ｅｘａｍｐｌｅ.com",  # noqa: RUF001 - full-width letters, the bypass of the issue
    "ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ",  # noqa: RUF001 - all full-width
    " ada@example.com ",
]


def test_every_spelling_of_an_address_has_one_key():
    from duespark.auth.addresses import email_key, normalize_email

    assert {email_key(s) for s in SPELLINGS} == {"ada@example.com"}
    assert email_key("ada@xn--bcher-kva.example") == email_key("ada@BÜCHER.example") == "ada@bücher.example"
    assert normalize_email("Ada@ＥＸＡＭＰＬＥ.com") == "Ada@example.com"  # noqa: RUF001 - the local part keeps its case


def _key_of(body: bytes) -> str | None:
    from duespark.auth.addresses import email_key

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    request = Request({"type": "http", "method": "POST", "headers": [], "path": "/"}, receive)
    return asyncio.run(json_field("email", email_key)(request))


def test_the_sign_in_limit_counts_every_spelling_under_one_key():
    keys = {_key_of(json.dumps({"email": s, "password": "x"}).encode()) for s in SPELLINGS}
    assert keys == {"ada@example.com"}
    idna = {_key_of(json.dumps({"email": s}).encode()) for s in ("a@xn--bcher-kva.example", "a@Bücher.example")}
    assert idna == {"a@bücher.example"}


def test_sign_in_and_sign_up_find_the_same_user_whatever_the_spelling(client):
    register(client, email="Grace@xn--bcher-kva.example", password="correct horse battery")
    for spelling in ("grace@bücher.example", "Grace@BÜCHER.EXAMPLE", "grace@ｂüｃｈｅｒ.example"):
        assert _login(client, spelling, "correct horse battery")["access_token"]
        again = client.post("/api/auth/register", json={"email": spelling, "password": "long enough 1", "name": "G"})
        assert again.status_code == 409, spelling


# --- equal work for unknown addresses ---------------------------------------------------------------


class CountingHasher:
    def __init__(self, hasher):
        self.hasher, self.calls = hasher, []

    def __getattr__(self, name):
        attr = getattr(self.hasher, name)
        if name in ("hash", "verify"):

            def counted(*args, **kwargs):
                self.calls.append(name)
                return attr(*args, **kwargs)

            return counted
        return attr


def test_an_unknown_address_costs_one_argon2_operation_like_a_known_one(session, clock, app):
    from duespark.auth.schemas import RegisterIn
    from duespark.errors import Unauthorized

    hasher = app.state.password_hasher
    service.register(
        session,
        data=RegisterIn(email="known@example.com", password="correct horse battery", name="K"),
        hasher=hasher,
        clock=clock,
    )
    counting = CountingHasher(hasher)
    with pytest.raises(Unauthorized):  # the first unknown address makes the dummy hash, once per process
        service.authenticate_password(session, email="first@example.com", password="x", hasher=counting)
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for attempt in range(20):
        for kind, email in (("known", "known@example.com"), ("unknown", f"nobody{attempt}@example.com")):
            counting.calls.clear()
            started = time.perf_counter()
            with pytest.raises(Unauthorized):
                service.authenticate_password(session, email=email, password="wrong password", hasher=counting)
            timings[kind].append(time.perf_counter() - started)
            assert counting.calls == ["verify"], (kind, attempt, counting.calls)
    known, unknown = statistics.median(timings["known"]), statistics.median(timings["unknown"])
    print(f"wrong password, median of 20: known address {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms")


# --- names that go into headers ------------------------------------------------------------------

BAD_NAMES = ["Acme\r\nBcc: victim@evil.test", "Acme\nLtd", "Acme\tLtd", "Acme\x00", "Acme\u2028Ltd", "\u202eemca"]


@pytest.mark.parametrize("bad", BAD_NAMES)
def test_names_with_line_breaks_or_control_characters_are_refused_naming_the_field(client, bad):
    user = register(client)
    cases = [
        ("POST", "/api/auth/register", {"email": "n@example.com", "password": "long enough 1", "name": bad}, "name"),
        (
            "POST",
            "/api/auth/register",
            {"email": "n@example.com", "password": "long enough 1", "name": "N", "company_name": bad},
            "company_name",
        ),
        ("PATCH", "/api/account", {"sender_name": bad}, "sender_name"),
        ("PATCH", "/api/account", {"name": bad}, "name"),
        ("PATCH", "/api/me", {"name": bad}, "name"),
        ("POST", "/api/tokens", {"name": bad}, "name"),
        ("POST", "/api/clients", {"name": bad, "email": "c@example.com"}, "name"),
        ("POST", "/api/clients", {"name": "C", "company": bad}, "company"),
    ]
    for method, path, payload, field in cases:
        response = client.request(method, path, headers=user["headers"], json=payload)
        assert response.status_code == 422, (path, field, response.text)
        detail = response.json()["detail"]
        assert [e["field"] for e in detail] == [field], (path, detail)
        assert "one line without control characters" in detail[0]["message"]
    created = client.post("/api/clients", headers=user["headers"], json={"name": "C"}).json()
    update = client.patch(f"/api/clients/{created['id']}", headers=user["headers"], json={"company": bad})
    assert update.status_code == 422 and update.json()["detail"][0]["field"] == "company"
    account = client.get("/api/account", headers=user["headers"]).json()
    assert "\n" not in (account["sender_name"] or "") and "\r" not in account["name"]


def test_ordinary_names_are_kept_exactly(client):
    user = register(client, name="Zoë O'Brien-Łukasz 山田", company_name="Ünïcødé & Co. (Berlin) 👩‍💻")
    account = client.get("/api/account", headers=user["headers"]).json()
    assert account["name"] == "Ünïcødé & Co. (Berlin) 👩‍💻"
    assert client.get("/api/me", headers=user["headers"]).json()["name"] == "Zoë O'Brien-Łukasz 山田"


def test_an_expired_token_is_still_a_401(client):
    now = datetime.now(UTC)
    claims = _claims(iat=int((now - timedelta(hours=2)).timestamp()), exp=int((now - timedelta(hours=1)).timestamp()))
    assert client.get("/api/me", headers=auth(_forge(claims))).status_code == 401
