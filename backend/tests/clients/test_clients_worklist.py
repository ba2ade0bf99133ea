"""The clients list as a worklist: balances, oldest overdue, payer rating, sorted by what is owed."""

from __future__ import annotations

from sqlalchemy import event

from tests.helpers import register

# The test clock reads 2026-11-25.


def _client(api, h, name):
    response = api.post("/api/clients", headers=h, json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _invoice(api, h, client_id, number, amount, due, *, paid=None, currency=None):
    payload = {"client_id": client_id, "number": number, "amount": amount, "issue_date": "2026-09-01", "due_date": due}
    if currency:
        payload["currency"] = currency
    response = api.post("/api/invoices", headers=h, json=payload)
    assert response.status_code == 201, response.text
    if paid:
        pay = api.post(f"/api/invoices/{response.json()['id']}/payments", headers=h, json={"amount": paid})
        assert pay.status_code in (200, 201), pay.text


def _setup(api):
    user = register(api, default_currency="USD")
    h = user["headers"]
    sam = _client(api, h, "Sam Lee")
    ada = _client(api, h, "Ada Corp")
    zed = _client(api, h, "Zed Ltd")
    # Sam: 5,927.99 due 12 days ago, 2,000 paid; 100 due in 10 days; a EUR invoice overdue since 2026-10-26.
    _invoice(api, h, sam, "S-1", "5927.99", "2026-11-13", paid="2000.00")
    _invoice(api, h, sam, "S-2", "100.00", "2026-12-05")
    _invoice(api, h, sam, "S-3", "300.00", "2026-10-26", currency="EUR")
    # Ada: owes 9,000 not yet due; three invoices paid 24 days late -> chronic_late.
    _invoice(api, h, ada, "A-1", "9000.00", "2026-12-20")
    for n in range(3):
        _invoice(api, h, ada, f"A-P{n}", "10.00", "2026-11-01", paid="10.00")
    # Zed owes nothing.
    return h, {"sam": sam, "ada": ada, "zed": zed}


def test_list_has_balances_oldest_overdue_and_rating(client):
    h, ids = _setup(client)
    response = client.get("/api/clients", headers=h)
    assert response.status_code == 200, response.text
    items = {c["name"]: c for c in response.json()["items"]}
    sam = items["Sam Lee"]
    assert (sam["currency"], sam["outstanding"], sam["overdue"]) == ("USD", "4027.99", "3927.99")
    assert sam["open_invoices"] == 2
    assert sam["oldest_overdue_days"] == 30  # the EUR invoice due 2026-10-26
    assert sam["other_currencies"] == [{"currency": "EUR", "outstanding": "300.00", "overdue": "300.00"}]
    assert sam["payer_rating"] == "new"
    ada = items["Ada Corp"]
    assert (ada["outstanding"], ada["overdue"], ada["oldest_overdue_days"]) == ("9000.00", "0.00", None)
    assert ada["payer_rating"] == "chronic_late"
    zed = items["Zed Ltd"]
    assert (zed["outstanding"], zed["overdue"], zed["open_invoices"], zed["other_currencies"]) == (
        "0.00",
        "0.00",
        0,
        [],
    )
    # Existing fields keep their names and values.
    assert sam["id"] == ids["sam"] and sam["reminders_paused"] is False and "created_at" in sam


def test_sort_by_amount_owed_is_one_parameter(client):
    h, _ = _setup(client)

    def names(sort, **params):
        response = client.get("/api/clients", headers=h, params={"sort": sort, **params})
        assert response.status_code == 200, response.text
        return [c["name"] for c in response.json()["items"]]

    assert names("-outstanding") == ["Ada Corp", "Sam Lee", "Zed Ltd"]
    assert names("outstanding") == ["Zed Ltd", "Sam Lee", "Ada Corp"]
    assert names("-overdue") == ["Sam Lee", "Ada Corp", "Zed Ltd"]
    assert names("-oldest_overdue") == ["Sam Lee", "Ada Corp", "Zed Ltd"]
    page2 = client.get("/api/clients", headers=h, params={"sort": "-outstanding", "page": 2, "page_size": 2}).json()
    assert (page2["total"], [c["name"] for c in page2["items"]]) == (3, ["Zed Ltd"])
    assert names("-name") == ["Zed Ltd", "Sam Lee", "Ada Corp"]
    for bad in ("owed", "-balance", "outstanding; drop table clients", "--outstanding"):
        refused = client.get("/api/clients", headers=h, params={"sort": bad})
        assert refused.status_code == 422, bad
        assert refused.json()["detail"][0]["field"] == "sort"


def test_figures_are_scoped_to_the_account(client):
    _setup(client)
    other = register(client, email="other@example.com", default_currency="USD")["headers"]
    mine = _client(client, other, "Sam Lee")
    items = client.get("/api/clients", headers=other, params={"sort": "-outstanding"}).json()["items"]
    assert [(c["id"], c["outstanding"], c["other_currencies"], c["payer_rating"]) for c in items] == [
        (mine, "0.00", [], "new")
    ]


def test_a_page_costs_the_same_queries_for_two_or_twenty_clients(client, app):
    h, _ = _setup(client)
    engine = app.state.session_factory.kw["bind"]
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    def count_for_page():
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get("/api/clients", headers=h, params={"sort": "-outstanding"}).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len([s for s in statements if "invoices" in s.lower()])

    few = count_for_page()
    for n in range(17):
        cid = _client(client, h, f"Extra {n:02d}")
        _invoice(client, h, cid, f"X-{n}", "50.00", "2026-11-01", paid="10.00")
        _invoice(client, h, cid, f"Y-{n}", "50.00", "2026-11-01", paid="50.00")
    many = count_for_page()
    assert few == many == 3
