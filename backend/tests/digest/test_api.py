"""GET/PUT /api/me/digest and GET /api/me/digest/preview: the signed-in member's own settings and digest."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from duespark.models import Account, DigestPreference, User
from tests.digest.support import DIGEST_NOW, build_day
from tests.helpers import register


def fields(response) -> list[str]:
    return [item.get("field") or ".".join(str(p) for p in item.get("loc", [])) for item in response.json()["detail"]]


def test_defaults_follow_the_account(client):
    user = register(client)
    got = client.get("/api/me/digest", headers=user["headers"])
    assert got.status_code == 200, got.text
    assert got.json() == {
        "enabled": True,
        "send_hour": 7,
        "timezone": None,
        "locale": None,
        "effective_timezone": "UTC",
        "effective_locale": "en",
    }


def test_put_changes_only_the_signed_in_members_settings(client, session):
    me, other = register(client), register(client)
    body = {"enabled": False, "send_hour": 6, "timezone": "Pacific/Tongatapu", "locale": "de-de"}
    put = client.put("/api/me/digest", headers=me["headers"], json=body)
    assert put.status_code == 200, put.text
    assert put.json() == {
        "enabled": False,
        "send_hour": 6,
        "timezone": "Pacific/Tongatapu",
        "locale": "de_DE",
        "effective_timezone": "Pacific/Tongatapu",
        "effective_locale": "de_DE",
    }
    assert client.get("/api/me/digest", headers=me["headers"]).json()["enabled"] is False
    assert client.get("/api/me/digest", headers=other["headers"]).json()["enabled"] is True
    rows = session.execute(select(User.email, DigestPreference.enabled).join(User, User.id == DigestPreference.user_id))
    assert [tuple(r) for r in rows] == [(me["email"], False)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"enabled": True, "timezone": "Mars/Olympus"}, "timezone"),
        ({"enabled": True, "timezone": "<script>alert(1)</script>"}, "timezone"),
        ({"enabled": True, "timezone": "x" * 65}, "timezone"),
        ({"enabled": True, "locale": "klingon!"}, "locale"),
        ({"enabled": True, "send_hour": 24}, "send_hour"),
        ({"enabled": True, "send_hour": -1}, "send_hour"),
        ({"enabled": "sometimes"}, "enabled"),
        ({"enabled": True, "account_id": 1}, "account_id"),
        ({}, "enabled"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, body, field):
    user = register(client)
    response = client.put("/api/me/digest", headers=user["headers"], json=body)
    assert response.status_code == 422, response.text
    assert any(name.endswith(field) for name in fields(response)), response.json()


def test_a_body_that_is_not_json_or_too_large_is_refused(client):
    user = register(client)
    assert client.put("/api/me/digest", headers=user["headers"], content=b"{nope").status_code == 422
    huge = b'{"enabled": true, "timezone": "' + b"x" * 2_000_000 + b'"}'
    assert client.put("/api/me/digest", headers=user["headers"], content=huge).status_code in (413, 422)


def test_signed_out_is_401(client):
    assert client.get("/api/me/digest").status_code == 401
    assert client.put("/api/me/digest", json={"enabled": False}).status_code == 401
    assert client.get("/api/me/digest/preview").status_code == 401


def test_preview_of_an_empty_day(client):
    user = register(client)
    preview = client.get("/api/me/digest/preview", headers=user["headers"])
    assert preview.status_code == 200, preview.text
    assert preview.json() == {"local_date": "2026-11-25", "empty": True, "subject": None, "text": None, "html": None}


def test_preview_shows_todays_digest_of_the_members_account_only(client, session, clock):
    clock.set(DIGEST_NOW)
    user = register(client)
    account_id = client.get("/api/me", headers=user["headers"]).json()["account"]["id"]
    build_day(session, clock, account=session.get(Account, account_id))
    session.commit()
    preview = client.get("/api/me/digest/preview", headers=user["headers"])
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert (body["local_date"], body["empty"]) == ("2026-11-25", False)
    assert body["subject"] == "DueSpark daily digest for Acme Studio: November 25, 2026"
    assert body["text"].startswith("Good morning Ada,\n\nHere is what happened at Acme Studio yesterday")
    assert "Stranger" not in body["text"] and "OTHER-1" not in body["html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; GmbH" in body["html"]
