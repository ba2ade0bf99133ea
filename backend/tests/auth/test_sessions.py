"""Signed-in devices (refresh-token families): list, sign out one, sign out the others."""

from __future__ import annotations

from tests.helpers import register

PASSWORD = "correct horse battery"
EVIL_AGENT = "<script>alert(1)</script> Evil/1.0"


def _sign_in(client, user, agent: str) -> dict:
    answer = client.post(
        "/api/auth/login", json={"email": user["email"], "password": PASSWORD}, headers={"User-Agent": agent}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_devices_are_listed_and_signed_out_one_or_all(client):
    user = register(client, password=PASSWORD)
    phone = _sign_in(client, user, "Phone/1.0")
    _sign_in(client, user, EVIL_AGENT + " " + "x" * 400)  # the cookie now names this one: current
    items = client.get("/api/auth/sessions", headers=user["headers"]).json()["items"]
    assert len(items) == 3
    current = [i for i in items if i["current"]]
    assert len(current) == 1 and current[0]["user_agent"] == (EVIL_AGENT + " " + "x" * 400)[:300]
    assert all(i["ip"] is None for i in items)  # the account does not record addresses

    phone_family = next(i["family_id"] for i in items if i["user_agent"] == "Phone/1.0")
    assert client.delete(f"/api/auth/sessions/{phone_family}", headers=user["headers"]).status_code == 204
    assert client.post("/api/auth/refresh", json={"refresh_token": phone["refresh_token"]}).status_code == 401
    assert client.delete(f"/api/auth/sessions/{phone_family}", headers=user["headers"]).status_code == 404

    out = client.post("/api/auth/sessions/sign-out-others", headers=user["headers"]).json()
    assert out == {"signed_out": 1}
    left = client.get("/api/auth/sessions", headers=user["headers"]).json()["items"]
    assert [i["current"] for i in left] == [True]
    assert client.post("/api/auth/refresh").status_code == 200  # this browser carries on


def test_another_users_device_cannot_be_signed_out(client):
    alice, mallory = register(client), register(client)
    family = client.get("/api/auth/sessions", headers=alice["headers"]).json()["items"][0]["family_id"]
    assert client.delete(f"/api/auth/sessions/{family}", headers=mallory["headers"]).status_code == 404
    assert client.delete("/api/auth/sessions/not-a-family", headers=mallory["headers"]).status_code == 422
    assert client.delete("/api/auth/sessions/" + "a" * 5000, headers=mallory["headers"]).status_code == 422
    assert client.get("/api/auth/sessions", headers=alice["headers"]).json()["items"][0]["family_id"] == family


def test_addresses_are_kept_only_when_the_account_records_them(client):
    user = register(client, password=PASSWORD)
    client.patch("/api/account", json={"audit_record_ip": True}, headers=user["headers"])
    _sign_in(client, user, "Laptop/2.0")
    items = client.get("/api/auth/sessions", headers=user["headers"]).json()["items"]
    assert {i["user_agent"]: i["ip"] for i in items}["Laptop/2.0"] == "testclient"
