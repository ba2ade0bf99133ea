from __future__ import annotations

from tests.helpers import register


def _create(client, headers, **fields):
    payload = {"name": "Globex", "email": "ap@globex.com", "client_type": "business", **fields}
    response = client.post("/api/clients", headers=headers, json=payload)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_get_update_delete(client):
    user = register(client)
    created = _create(client, user["headers"], timezone="Europe/Paris", locale="fr_FR", notes="VIP")
    assert created["timezone"] == "Europe/Paris"
    assert created["reminders_paused"] is False
    fetched = client.get(f"/api/clients/{created['id']}", headers=user["headers"]).json()
    assert fetched == created
    patched = client.patch(
        f"/api/clients/{created['id']}",
        headers=user["headers"],
        json={"company": "Globex Corp", "reminders_paused": True, "reminders_paused_until": "2026-12-31"},
    ).json()
    assert patched["company"] == "Globex Corp"
    assert patched["reminders_paused_until"] == "2026-12-31"
    assert client.delete(f"/api/clients/{created['id']}", headers=user["headers"]).status_code == 204
    assert client.get(f"/api/clients/{created['id']}", headers=user["headers"]).status_code == 404
    assert client.get("/api/clients", headers=user["headers"]).json()["total"] == 0


def test_validation_names_fields(client):
    user = register(client)
    response = client.post(
        "/api/clients",
        headers=user["headers"],
        json={"name": "", "email": "nope", "client_type": "alien", "timezone": "Nowhere/City", "locale": "!!"},
    )
    assert response.status_code == 422
    fields = sorted(e["field"] for e in response.json()["detail"])
    assert fields == ["client_type", "email", "locale", "name", "timezone"]
    bad_patch = client.patch(
        f"/api/clients/{_create(client, user['headers'])['id']}", headers=user["headers"], json={"name": None}
    )
    assert bad_patch.status_code == 422
    assert bad_patch.json()["detail"][0]["field"] == "name"


def test_list_search_sort_paginate(client):
    user = register(client)
    for name, email, company in [
        ("Alpha", "a@alpha.io", "Alpha Ltd"),
        ("Bravo", "hello@bravo.io", "Initech"),
        ("Charlie", "c@charlie.io", None),
        ("Delta 100%", "d@delta.io", None),
    ]:
        _create(client, user["headers"], name=name, email=email, company=company)
    h = user["headers"]
    by_company = client.get("/api/clients", headers=h, params={"q": "initech"}).json()
    assert [c["name"] for c in by_company["items"]] == ["Bravo"]
    by_email = client.get("/api/clients", headers=h, params={"q": "charlie.io"}).json()
    assert [c["name"] for c in by_email["items"]] == ["Charlie"]
    # LIKE wildcards in the search are literal.
    percent = client.get("/api/clients", headers=h, params={"q": "100%"}).json()
    assert [c["name"] for c in percent["items"]] == ["Delta 100%"]
    assert client.get("/api/clients", headers=h, params={"q": "%"}).json()["total"] == 1
    page = client.get("/api/clients", headers=h, params={"sort": "-name", "page": 2, "page_size": 3}).json()
    assert page["total"] == 4
    assert page["page"] == 2
    assert [c["name"] for c in page["items"]] == ["Alpha"]
    bad_sort = client.get("/api/clients", headers=h, params={"sort": "password"})
    assert bad_sort.status_code == 422
    assert bad_sort.json()["detail"][0]["field"] == "sort"
    assert client.get("/api/clients", headers=h, params={"page_size": 1000}).status_code == 422
