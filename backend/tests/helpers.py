"""Plain functions that make test data, with keyword defaults (as in Polar's tests)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from duespark.clock import Clock
from duespark.models import Account, Client, Invoice, Membership, User
from duespark.models.enums import InvoiceStatus, Role

_counter = itertools.count(1)


def register(client: TestClient, *, email: str | None = None, password: str = "correct horse battery", **extra) -> dict:
    email = email or f"user{next(_counter)}@example.com"
    response = client.post("/api/auth/register", json={"email": email, "password": password, "name": "Test", **extra})
    assert response.status_code == 201, response.text
    tokens = response.json()
    return {"email": email, "password": password, **tokens, "headers": auth(tokens["access_token"])}


def auth(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


def make_account(session: Session, *, clock: Clock, name: str = "Acme Studio", timezone: str = "UTC", currency="EUR"):
    now = clock.now()
    account = Account(
        name=name,
        default_currency=currency,
        timezone=timezone,
        locale="en",
        sender_name=name,
        sender_email="owner@acme.test",
        test_mode=True,
        created_at=now,
        updated_at=now,
    )
    user = User(
        email=f"owner{next(_counter)}@acme.test", password_hash="x", name="Owner", created_at=now, updated_at=now
    )
    session.add_all([account, user])
    session.flush()
    session.add(Membership(account_id=account.id, user_id=user.id, role=Role.owner, created_at=now, updated_at=now))
    session.flush()
    return account


def make_client(session: Session, *, account: Account, clock: Clock, name: str = "Globex", **fields) -> Client:
    now = clock.now()
    values = {"email": f"billing{next(_counter)}@globex.test", "client_type": "business", **fields}
    client = Client(account_id=account.id, name=name, created_at=now, updated_at=now, **values)
    session.add(client)
    session.flush()
    return client


def make_invoice(
    session: Session,
    *,
    client: Client,
    clock: Clock,
    amount_minor: int = 125_000,
    currency: str = "EUR",
    due_in_days: int = 14,
    due_date: date | None = None,
    status: str = InvoiceStatus.open,
    number: str | None = None,
    **fields,
) -> Invoice:
    now = clock.now()
    due = due_date or (now.date() + timedelta(days=due_in_days))
    invoice = Invoice(
        account_id=client.account_id,
        client_id=client.id,
        number=number or f"INV-{next(_counter):05d}",
        amount_minor=amount_minor,
        amount_paid_minor=0,
        currency=currency,
        issue_date=min(now.date(), due),
        due_date=due,
        status=status,
        created_at=now,
        updated_at=now,
        **fields,
    )
    session.add(invoice)
    session.flush()
    return invoice
