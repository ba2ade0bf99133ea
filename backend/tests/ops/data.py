"""Committed sample data touching every kind of column, for backup and copy tests."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, func, select

from duespark.clock import Clock
from duespark.db import make_session_factory, transaction
from duespark.invoices import adjustments
from duespark.invoices.adjustments import LateFee
from duespark.models import (
    ApiToken,
    CheckoutSession,
    EmailTemplate,
    Invoice,
    Membership,
    Message,
    MessageEvent,
    Payment,
    PaymentLinkClick,
    Reminder,
    StripeConnection,
    Suppression,
    UserToken,
    WebhookEvent,
    WorkerHeartbeat,
)
from duespark.reminders.planner import plan
from tests.helpers import make_account, make_client, make_invoice


def seed(engine: Engine, clock: Clock, *, accounts: int = 2, invoices_per_client: int = 3) -> None:
    with transaction(make_session_factory(engine)) as session:
        now = clock.now()
        for a in range(accounts):
            account = make_account(session, clock=clock, name=f"Ätelier {a} — Zoë & Co", timezone="Europe/Berlin")
            for c in range(2):
                client = make_client(
                    session, account=account, clock=clock, name=f"Client {a}-{c}", notes=None if c else "pays late ✓"
                )
                for i in range(invoices_per_client):
                    invoice = make_invoice(
                        session,
                        client=client,
                        clock=clock,
                        amount_minor=10_000 + 137 * i,
                        due_date=date(2026, 12, 1) + timedelta(days=i),
                        reminders_excluded=bool(i % 2),
                    )
                    session.add(
                        Payment(
                            account_id=account.id,
                            invoice_id=invoice.id,
                            amount_minor=5_000 - i,
                            currency="EUR",
                            method="manual",
                            paid_at=now - timedelta(days=i, microseconds=123_456),
                            note="=SUM(A1)" if i == 0 else None,
                            created_at=now,
                        )
                    )
                    message = Message(
                        account_id=account.id,
                        client_id=client.id,
                        invoice_id=invoice.id,
                        kind="reminder",
                        to_email=client.email,
                        subject=f"Reminder {i}",
                        provider="file",
                        status="sent",
                        is_test=True,
                        created_at=now,
                        sent_at=now,
                    )
                    session.add(message)
                    session.flush()
                    session.add(
                        MessageEvent(message_id=message.id, type="delivered", occurred_at=now, payload={"n": [i, "é"]})
                    )
                    session.add(
                        PaymentLinkClick(
                            account_id=account.id,
                            invoice_id=invoice.id,
                            reminder_id=i,
                            clicked_at=now,
                            user_agent="Mozilla/5.0",
                            ip=None,
                        )
                    )
                    session.add(
                        CheckoutSession(
                            account_id=account.id,
                            invoice_id=invoice.id,
                            stripe_session_id=f"cs_{a}_{c}_{i}",
                            url="https://checkout.stripe.com/c/pay/x",
                            amount_minor=invoice.amount_minor,
                            currency="EUR",
                            status="open",
                            payment_status="unpaid",
                            payment_intent_id=None,
                            expires_at=now + timedelta(hours=23),
                            created_at=now,
                        )
                    )
            session.add(
                ApiToken(
                    account_id=account.id,
                    user_id=session.scalars(
                        select(Membership.user_id).where(Membership.account_id == account.id)
                    ).one(),
                    name="script",
                    prefix="dsp_abc",
                    token_hash=f"{a:064x}",
                    created_at=now,
                )
            )
            owner_id = session.scalars(select(Membership.user_id).where(Membership.account_id == account.id)).one()
            session.add_all(
                [
                    EmailTemplate(
                        account_id=account.id,
                        key="friendly",
                        locale="de",
                        subject="Erinnerung {{ invoice_number }}",
                        body="Hallo {{ client_name }} — bitte zahlen.",
                        created_at=now,
                        updated_at=now,
                    ),
                    StripeConnection(
                        account_id=account.id,
                        secret_key_encrypted="gAAAA-not-a-real-key",
                        mode="test",
                        key_last4="4242",
                        created_at=now,
                        updated_at=now,
                    ),
                    UserToken(
                        user_id=owner_id,
                        purpose="verify_email",
                        token_hash=f"{a + 100:064x}",
                        email="owner@acme.test",
                        created_at=now,
                        expires_at=now + timedelta(days=2),
                    ),
                    Suppression(
                        account_id=account.id, email=f"bounced{a}@globex.test", reason="complaint", created_at=now
                    ),
                ]
            )
        session.add(Suppression(account_id=None, email="hard@bounce.test", reason="hard_bounce", created_at=now))
        session.add(
            WebhookEvent(
                source="stripe",
                external_id="evt_1",
                type="checkout.session.completed",
                payload={"data": {"object": {"amount_total": 1250, "metadata": {"invoice_id": "1"}}}},
                received_at=now,
            )
        )
        # Reminders, policies and send slots: what the planner makes of these invoices.
        session.flush()
        plan(session, clock=clock)
        # A late fee on every invoice, as a sent step charging interest leaves it (every column set).
        for invoice in session.scalars(select(Invoice).order_by(Invoice.id)).all():
            reminder_id = session.scalar(select(func.min(Reminder.id)).where(Reminder.invoice_id == invoice.id))
            period = (invoice.due_date, invoice.due_date + timedelta(days=7))
            fee = LateFee(
                invoice.account_id, invoice.id, "d+7", 7, "daily_interest", 123, "EUR", 10_000, 1200, 7, *period
            )
            adjustments.record(session.connection(), fee, reminder_id=reminder_id, now=now)
        session.add(WorkerHeartbeat(worker_id="w1", hostname="box", pid=1, started_at=now, last_beat_at=now))


def beat(engine: Engine, clock: Clock, *, seconds_ago: float, worker_id: str = "worker-1") -> None:
    """A committed worker heartbeat from `seconds_ago` before the clock's now."""
    at = clock.now() - timedelta(seconds=seconds_ago)
    with engine.begin() as conn:
        conn.execute(
            WorkerHeartbeat.__table__.insert().values(
                worker_id=worker_id, hostname="box", pid=42, started_at=at, last_beat_at=at
            )
        )
