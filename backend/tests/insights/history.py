"""Constructed payment histories: invoices paid a chosen number of days after their due date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from duespark.clock import Clock, FixedClock
from duespark.invoices.service import apply_payment
from duespark.models import Client, Invoice, Message
from tests.helpers import make_invoice


def invoice(
    session: Session,
    *,
    client: Client,
    clock: Clock,
    due: date,
    amount_minor: int = 100_00,
    currency: str = "EUR",
    issue: date | None = None,
    **fields,
) -> Invoice:
    created = make_invoice(
        session, client=client, clock=clock, due_date=due, amount_minor=amount_minor, currency=currency, **fields
    )
    created.issue_date = issue or due - timedelta(days=14)
    session.flush()
    return created


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), UTC)


def pay(session: Session, target: Invoice, *, on: date | datetime, amount_minor: int | None = None) -> None:
    """Record a payment through the invoice service, at noon UTC when given a date."""
    paid_at = on if isinstance(on, datetime) else noon(on)
    apply_payment(
        session,
        invoice=target,
        amount_minor=target.balance_minor if amount_minor is None else amount_minor,
        method="manual",
        paid_at=paid_at,
        clock=FixedClock(paid_at),
    )


def paid_invoice(session: Session, *, client: Client, clock: Clock, due: date, days_late: int, **fields) -> Invoice:
    created = invoice(session, client=client, clock=clock, due=due, **fields)
    pay(session, created, on=due + timedelta(days=days_late))
    return created


def reminder(
    session: Session, target: Invoice, *, sent_at: datetime, status: str = "sent", is_test: bool = False
) -> Message:
    message = Message(
        account_id=target.account_id,
        client_id=target.client_id,
        invoice_id=target.id,
        kind="reminder",
        template_key="friendly",
        to_email="billing@client.test",
        subject=f"Invoice {target.number}",
        provider="file",
        status=status,
        is_test=is_test,
        created_at=sent_at,
        sent_at=sent_at,
    )
    session.add(message)
    session.flush()
    return message
