"""Realistic sample data: clients who pay early, late, not at all, and invoices due soon."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from duespark.auth import service as auth_service
from duespark.auth.schemas import RegisterIn
from duespark.clock import Clock, FixedClock
from duespark.db import analyze_after_commit
from duespark.invoices.schemas import InvoiceCreate
from duespark.invoices.service import apply_payment, create_invoice
from duespark.models import Client, Invoice
from duespark.models.enums import ClientType


@dataclass(frozen=True)
class DemoClient:
    name: str
    company: str
    email: str
    client_type: ClientType
    timezone: str
    locale: str
    # Mean and spread of days paid after the due date; None never pays.
    delay_days: float | None
    spread: float
    currency: str = "EUR"


DEMO_CLIENTS = (
    DemoClient(
        "Anna Becker",
        "Becker Architektur GmbH",
        "anna@becker-architektur.example",
        ClientType.business,
        "Europe/Berlin",
        "de_DE",
        -4,
        1.5,
    ),
    DemoClient(
        "Tom Hughes", "Hughes & Co", "tom@hughesco.example", ClientType.business, "Europe/London", "en_GB", 1, 2, "GBP"
    ),
    DemoClient(
        "Claire Martin",
        "Studio Lumière",
        "claire@studiolumiere.example",
        ClientType.business,
        "Europe/Paris",
        "fr_FR",
        12,
        5,
    ),
    DemoClient(
        "Diego Ruiz",
        "Ruiz Consultores",
        "diego@ruizconsultores.example",
        ClientType.business,
        "Europe/Madrid",
        "es_ES",
        25,
        8,
    ),
    DemoClient(
        "Priya Nair",
        "Northwind Enterprises",
        "ap@northwind.example",
        ClientType.enterprise,
        "America/New_York",
        "en_US",
        6,
        3,
        "USD",
    ),
    DemoClient(
        "Sam Lee", "", "sam.lee@example.com", ClientType.individual, "America/Los_Angeles", "en_US", None, 0, "USD"
    ),
)
DEMO_PASSWORD = "duespark-demo-password"  # noqa: S105 - a published demo login, never production data


def ensure_demo_user(session: Session, *, email: str, hasher: PasswordHasher, clock: Clock) -> int:
    """The demo user's account id, creating the user when it does not exist yet."""
    user = auth_service.find_user_by_email(session, email)
    if user is not None:
        return auth_service.primary_membership(session, user.id).account_id
    _, account = auth_service.register(
        session,
        data=RegisterIn(
            email=email,
            password=DEMO_PASSWORD,
            name="Demo Owner",
            company_name="Spark Studio",
            timezone="Europe/Berlin",
        ),
        hasher=hasher,
        clock=clock,
    )
    return account.id


def fill_account(session: Session, *, account_id: int, clock: Clock, seed: int = 7) -> dict[str, int]:
    """Add six clients with a year of history each; returns counts of what was made."""
    rng = random.Random(seed)
    now = clock.now()
    today = now.date()
    counts = {"clients": 0, "invoices": 0, "payments": 0}
    existing = {c for c in session.scalars(select(Client.email).where(Client.account_id == account_id))}
    numbers = set(session.scalars(select(Invoice.number).where(Invoice.account_id == account_id)))
    sequence = len(numbers) + 1
    for spec in DEMO_CLIENTS:
        if spec.email in existing:
            continue
        client = Client(
            account_id=account_id,
            name=spec.name,
            company=spec.company or None,
            email=spec.email,
            client_type=spec.client_type,
            timezone=spec.timezone,
            locale=spec.locale,
            reminders_paused=False,
            created_at=now - timedelta(days=400),
            updated_at=now,
        )
        session.add(client)
        session.flush()
        counts["clients"] += 1
        # A year of monthly invoices, then two still open: one overdue, one due soon.
        for months_ago in range(12, -1, -1):
            issue = today - timedelta(days=30 * months_ago + 14)
            due = issue + timedelta(days=14 if months_ago else 20)
            while f"INV-{sequence:04d}" in numbers:
                sequence += 1
            number = f"INV-{sequence:04d}"
            numbers.add(number)
            amount = rng.randrange(400, 4800) * 100 if spec.currency != "JPY" else rng.randrange(40_000, 480_000)
            invoice_clock = FixedClock(datetime.combine(issue, time(9), UTC))
            invoice = create_invoice(
                session,
                account_id=account_id,
                data=InvoiceCreate(
                    client_id=client.id,
                    number=number,
                    amount=str(amount // 100) + ".00",
                    currency=spec.currency,
                    issue_date=issue,
                    due_date=due,
                    description=rng.choice(
                        [
                            "Design sprint",
                            "Monthly retainer",
                            "Website build",
                            "Consulting",
                            "Brand workshop",
                            "Maintenance",
                        ]
                    ),
                ),
                clock=invoice_clock,
            )
            counts["invoices"] += 1
            if spec.delay_days is None:
                continue
            delay = round(rng.gauss(spec.delay_days, spec.spread))
            paid_on = due + timedelta(days=delay)
            if paid_on >= today:
                continue
            paid_at = datetime.combine(paid_on, time(14), UTC)
            apply_payment(
                session,
                invoice=invoice,
                amount_minor=invoice.amount_minor,
                method="manual",
                paid_at=paid_at,
                clock=FixedClock(paid_at),
                note="Bank transfer",
            )
            counts["payments"] += 1
    analyze_after_commit(session, "clients", "invoices", "payments", "reminders", "reminder_send_slots")
    return counts
