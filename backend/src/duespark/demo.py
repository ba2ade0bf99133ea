"""Realistic sample data: clients who pay early, late, not at all, and invoices due soon.

`run_demo` also shows the product at work: the last months are replayed through the real
worker (planner, dispatcher, outbox) at past instants with a moving clock, so the account has
sent reminders, statements, clicks on payment links, payments after reminders and thank-yous,
written by the same code that writes them in production. Emails of the replay go to a provider
that delivers nothing (`ReplayProvider`): a demo never emails the example clients.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from duespark.auth import service as auth_service
from duespark.auth.schemas import RegisterIn
from duespark.banktransfer.schemas import BankAccountIn
from duespark.banktransfer.service import bank_account_for, create_bank_account
from duespark.clock import Clock, FixedClock
from duespark.db import analyze_after_commit, transaction
from duespark.email.message import OutgoingEmail
from duespark.email.providers.base import SendError, SendResult
from duespark.invoices.schemas import InvoiceCreate
from duespark.invoices.service import apply_payment, create_invoice
from duespark.models import Account, Client, Invoice, Reminder
from duespark.models.enums import ClientType
from duespark.payments import links as pay_links
from duespark.payments.service import record_click
from duespark.reminders.planner import ReminderState
from duespark.reminders.service import set_test_mode
from duespark.settings import Settings


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
    """The demo user's account id, creating the user when it does not exist yet (at the clock's instant)."""
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


HISTORY_DAYS = 120  # the months replayed through the worker
TICK_HOURS_UTC = (10, 18)  # inside Europe's business hours, then the Americas'
DESCRIPTIONS = ("Design sprint", "Monthly retainer", "Website build", "Consulting", "Brand workshop", "Maintenance")
PAYMENT_INSTRUCTIONS = "Bank transfer to Spark Studio, IBAN DE02 1203 0000 0000 2020 51, BIC BYLADEM1001."
# The same account as a bank account: EUR reminders and pay pages show the transfer and its EPC QR code.
DEMO_BANK_ACCOUNT = BankAccountIn(
    currency="EUR", payee_name="Spark Studio", iban="DE02120300000000202051", bic="BYLADEM1001"
)


class ReplayProvider:
    """Accepts every email of the replay and delivers none: the demo clients' addresses are examples."""

    name = "demo-replay"

    def send(self, message: OutgoingEmail) -> SendResult:
        return SendResult(provider_message_id=f"demo-{uuid.uuid4().hex}")

    def send_batch(self, messages: Sequence[OutgoingEmail]) -> list[SendResult | SendError]:
        return [self.send(message) for message in messages]


@dataclass(order=True)
class _Event:
    at: datetime
    order: int  # at the same instant: invoices first, then payments, then worker ticks
    kind: str = field(compare=False)
    spec_index: int = field(compare=False, default=-1)
    months_ago: int = field(compare=False, default=-1)


@dataclass
class _Planned:
    client_id: int
    spec: DemoClient
    issue: date
    due: date
    amount: int
    description: str
    paid_at: datetime | None
    invoice_id: int | None = None


def _ticks(start: date, now: datetime) -> list[datetime]:
    """Worker ticks on weekdays at `TICK_HOURS_UTC` from `start` until `now`."""
    ticks: list[datetime] = []
    day = start
    while day <= now.date():
        if day.isoweekday() <= 5:
            ticks.extend(at for hour in TICK_HOURS_UTC if (at := datetime.combine(day, time(hour), UTC)) <= now)
        day += timedelta(days=1)
    return ticks


def _marker(settings: Settings, invoice_id: int, reminder_id: int) -> str | None:
    """The reminder marker carried by the payment link of that reminder's email."""
    query = parse_qs(urlsplit(pay_links.invoice_pay_url(settings, invoice_id, reminder_id)).query)
    return next((values[0] for values in query.values() if values), None)


def _click(session: Session, settings: Settings, invoice: Invoice, reminder_id: int, at: datetime) -> None:
    record_click(
        session,
        settings=settings,
        invoice=invoice,
        reminder_marker=_marker(settings, invoice.id, reminder_id),
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)",
        ip=None,
        clock=FixedClock(at),
    )


def fill_account(
    session_factory: sessionmaker[Session],
    *,
    account_id: int,
    settings: Settings,
    clock: Clock,
    seed: int = 7,
    replay: bool = True,
) -> dict[str, int]:
    """Add six clients with a year of invoices each; returns counts of what was made.

    Everything happens in time order at its own instant. The last `HISTORY_DAYS` are replayed
    through the real worker (plan, dispatch, outbox) with a clock set to each past tick, so
    reminders, statements and thank-yous are the ones DueSpark would have sent; a client who pays
    late first opens the payment link of the last reminder. Without `replay` (another account
    shares the database, whose reminders the worker must not touch) only invoices and payments are made.
    """
    from duespark.reminders.worker import ReminderWorker

    rng = random.Random(seed)
    now = clock.now()
    today = now.date()
    counts = {"clients": 0, "invoices": 0, "payments": 0, "clicks": 0}
    with transaction(session_factory) as session:
        existing = set(session.scalars(select(Client.email).where(Client.account_id == account_id)))
        numbers = set(session.scalars(select(Invoice.number).where(Invoice.account_id == account_id)))
        planned: list[_Planned] = []
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
            # A year of monthly invoices, the last one due soon; late payers leave some overdue.
            for months_ago in range(12, -1, -1):
                issue = today - timedelta(days=30 * months_ago + 14)
                due = issue + timedelta(days=14 if months_ago else 20)
                paid_at = None
                if spec.delay_days is not None:
                    paid_on = due + timedelta(days=round(rng.gauss(spec.delay_days, spec.spread)))
                    if paid_on < today:
                        paid_at = datetime.combine(paid_on, time(14), UTC)
                planned.append(
                    _Planned(
                        client.id, spec, issue, due, rng.randrange(400, 4800) * 100, rng.choice(DESCRIPTIONS), paid_at
                    )
                )
        if not planned:
            return counts
        account = session.get(Account, account_id)
        assert account is not None
        account.sender_name = account.sender_name or "Spark Studio"
        account.payment_instructions = account.payment_instructions or PAYMENT_INSTRUCTIONS
        if bank_account_for(session, account_id=account_id, currency="EUR") is None:
            create_bank_account(session, account_id=account_id, data=DEMO_BANK_ACCOUNT, clock=clock)

    start = today - timedelta(days=HISTORY_DAYS)
    events = [_Event(datetime.combine(p.issue, time(9), UTC), 0, "invoice", i) for i, p in enumerate(planned)]
    events += [_Event(p.paid_at, 1, "payment", i) for i, p in enumerate(planned) if p.paid_at is not None]
    if replay:
        events += [_Event(at, 2, "tick") for at in _ticks(start, now)]
    events.sort()
    replay_clock = FixedClock(events[0].at)
    worker = ReminderWorker(
        settings=settings, session_factory=session_factory, clock=replay_clock, provider=ReplayProvider()
    )
    sequence = len(numbers) + 1
    live = False
    planned_once = False
    for event in events:
        replay_clock.set(event.at)
        if replay and not live and event.at >= datetime.combine(start, time(0), UTC):
            # The user went live when the replayed months begin: DueSpark has chased since then.
            with transaction(session_factory) as session:
                set_test_mode(session, account_id=account_id, test_mode=False, clock=replay_clock)
            live = True
        if event.kind == "tick":
            if not planned_once or (event.at.isoweekday() == 1 and event.at.hour == TICK_HOURS_UTC[0]):
                # At going live, then weekly: new, paid and edited invoices plan themselves through their events.
                worker.plan()
                planned_once = True
            worker.dispatch()
            worker.send_outbox()

            counts["clicks"] += _clicks_of_non_payers(session_factory, settings, planned, event.at, rng)
            continue
        item = planned[event.spec_index]
        with transaction(session_factory) as session:
            if event.kind == "invoice":
                while f"INV-{sequence:04d}" in numbers:
                    sequence += 1
                number = f"INV-{sequence:04d}"
                numbers.add(number)
                invoice = create_invoice(
                    session,
                    account_id=account_id,
                    data=InvoiceCreate(
                        client_id=item.client_id,
                        number=number,
                        amount=f"{item.amount // 100}.00",
                        currency=item.spec.currency,
                        issue_date=item.issue,
                        due_date=item.due,
                        description=item.description,
                    ),
                    clock=replay_clock,
                )
                item.invoice_id = invoice.id
                counts["invoices"] += 1
                continue
            invoice = session.get(Invoice, item.invoice_id)
            assert invoice is not None and item.paid_at is not None
            last_sent = session.scalar(
                select(Reminder.id)
                .where(Reminder.invoice_id == invoice.id, Reminder.state == ReminderState.sent)
                .order_by(Reminder.sent_at.desc(), Reminder.id.desc())
                .limit(1)
            )
            if last_sent is not None:
                # Paid after a reminder: the client opened that email's payment link first.
                _click(session, settings, invoice, last_sent, item.paid_at - timedelta(hours=3))
                counts["clicks"] += 1
            apply_payment(
                session,
                invoice=invoice,
                amount_minor=invoice.amount_minor,
                method="manual",
                paid_at=item.paid_at,
                clock=replay_clock,
                note="Bank transfer",
            )
            counts["payments"] += 1
        if live:
            # The thank-you goes out minutes later, as the running worker's outbox job sends it.
            replay_clock.set(event.at + timedelta(minutes=2))
            worker.send_outbox()
    analyze_after_commit(session, "clients", "invoices", "payments", "reminders", "reminder_send_slots")
    return counts


def _clicks_of_non_payers(
    session_factory: sessionmaker[Session],
    settings: Settings,
    planned: list[_Planned],
    at: datetime,
    rng: random.Random,
) -> int:
    """A client who never pays still opens some reminders' payment links, an hour after they arrive."""
    never = {p.invoice_id for p in planned if p.spec.delay_days is None and p.invoice_id is not None}
    if not never:
        return 0
    made = 0
    with transaction(session_factory) as session:
        rows = session.execute(
            select(Reminder.id, Reminder.invoice_id).where(
                Reminder.invoice_id.in_(never),
                Reminder.state == ReminderState.sent,
                Reminder.sent_at >= at,
                Reminder.sent_at < at + timedelta(minutes=1),
            )
        ).all()
        for reminder_id, invoice_id in rows:
            if rng.random() < 0.4:
                invoice = session.get(Invoice, invoice_id)
                assert invoice is not None
                _click(session, settings, invoice, reminder_id, at + timedelta(hours=1))
                made += 1
    return made


def shares_database(session: Session, account_id: int) -> bool:
    """True when other accounts live in this database: the replay's worker would touch their reminders."""
    return session.scalar(select(Account.id).where(Account.id != account_id).limit(1)) is not None


def sent_counts(session: Session, account_id: int) -> dict[str, int]:
    """What the account's history shows: emails sent to clients, as reminders, statements and thank-yous."""
    from sqlalchemy import func

    from duespark.models import Message

    rows = session.execute(
        select(Message.kind, Message.template_key, func.count())
        .where(Message.account_id == account_id, Message.status == "sent", Message.is_test.is_(False))
        .group_by(Message.kind, Message.template_key)
    ).all()
    counts = {"reminder": 0, "statement": 0, "thank_you": 0}
    for kind, template_key, count in rows:
        if kind == "reminder":
            counts["statement" if template_key.startswith("statement") else "reminder"] += count
        else:
            counts[kind] = counts.get(kind, 0) + count
    return counts
