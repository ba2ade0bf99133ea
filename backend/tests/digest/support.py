"""One day of activity for the digest, built row by row at known instants (times in UTC)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from duespark.clock import Clock, FixedClock
from duespark.models import (
    Account,
    ClientAnswer,
    InboundMessage,
    Invoice,
    Membership,
    Message,
    Payment,
    Reminder,
    User,
)
from tests.helpers import make_account, make_client, make_invoice

# 07:30 in Berlin on Wednesday 25 November: "yesterday" is Tuesday the 24th, 23:00 UTC on the 23rd to 23:00 on the 24th.
DIGEST_NOW = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)
_ids = itertools.count(1)


def long_before(clock: Clock) -> FixedClock:
    """A clock a month back: accounts and members that existed well before the digest's hour."""
    return FixedClock(clock.now() - timedelta(days=30))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def owner(session: Session, account: Account) -> User:
    return session.scalars(
        select(User).join(Membership, Membership.user_id == User.id).where(Membership.account_id == account.id)
    ).one()


def sent_reminder(session: Session, invoice: Invoice, *, tone: str, when: datetime, **fields) -> Message:
    values = {"status": "delivered", "sent_at": when, **fields}
    message = Message(
        account_id=invoice.account_id,
        client_id=invoice.client_id,
        invoice_id=invoice.id,
        kind="reminder",
        template_key=tone,
        to_email="billing@client.test",
        subject=f"Reminder {invoice.number}",
        provider="file",
        created_at=when,
        **values,
    )
    session.add(message)
    return message


def paid(session: Session, invoice: Invoice, *, amount_minor: int, when: datetime) -> None:
    session.add(
        Payment(
            account_id=invoice.account_id,
            invoice_id=invoice.id,
            amount_minor=amount_minor,
            currency=invoice.currency,
            method="manual",
            paid_at=when,
            created_at=when,
        )
    )
    invoice.amount_paid_minor += amount_minor
    if invoice.amount_paid_minor >= invoice.amount_minor:
        invoice.status = "paid"


def answer(session: Session, invoice: Invoice, *, kind: str, when: datetime, status: str = "open", **fields) -> None:
    session.add(
        ClientAnswer(
            account_id=invoice.account_id,
            invoice_id=invoice.id,
            client_id=invoice.client_id,
            kind=kind,
            status=status,
            source="pay_page",
            created_at=when,
            **fields,
        )
    )


def reply(session: Session, invoice: Invoice, *, subject: str, when: datetime, answered: bool = False) -> None:
    session.add(
        InboundMessage(
            account_id=invoice.account_id,
            client_id=invoice.client_id,
            invoice_id=invoice.id,
            invoice_ids=[invoice.id],
            source="raw",
            kind="reply",
            matched_by="token",
            from_email="billing@client.test",
            subject=subject,
            text="See attached",
            raw_size=100,
            dedup_key=f"dedup-{next(_ids)}",
            received_at=when,
            answered_at=when if answered else None,
        )
    )


def planned(session: Session, invoice: Invoice, *, when: datetime, step: str = "firm", state: str = "pending") -> None:
    session.add(
        Reminder(
            account_id=invoice.account_id,
            invoice_id=invoice.id,
            due_date=invoice.due_date,
            step_key=step,
            offset_days=3,
            template_key=step,
            scheduled_for=when,
            state=state,
            next_attempt_at=when,
            created_at=when - timedelta(days=3),
            updated_at=when - timedelta(days=3),
        )
    )


@dataclass
class Day:
    account: Account
    user: User
    other: Account
    # The invoices' ids by number, for the links in the email.
    ids: dict[str, int]


def build_day(
    session: Session,
    clock: Clock,
    *,
    timezone: str = "Europe/Berlin",
    locale: str = "en",
    account: Account | None = None,
) -> Day:
    """Acme Studio's Tuesday (in `account`, else a new one), and a second account whose rows must never
    show in Acme's digest."""
    account = account or make_account(session, clock=long_before(clock), timezone=timezone)
    account.name, account.timezone = "Acme Studio", timezone
    account.locale = locale
    user = owner(session, account)
    user.name = "Ada"
    globex = make_client(session, account=account, clock=clock, name="Globex")
    hostile = make_client(session, account=account, clock=clock, name="<script>alert(1)</script> GmbH")
    initech = make_client(session, account=account, clock=clock, name="Initech")
    due = date(2026, 11, 10)
    g1 = make_invoice(session, client=globex, clock=clock, number="INV-101", amount_minor=125_000, due_date=due)
    g2 = make_invoice(session, client=globex, clock=clock, number="INV-102", amount_minor=40_000, due_date=due)
    h1 = make_invoice(session, client=hostile, clock=clock, number="INV-201", amount_minor=99_000, due_date=due)
    i1 = make_invoice(
        session, client=initech, clock=clock, number="INV-301", amount_minor=30_000, currency="GBP", due_date=due
    )
    i2 = make_invoice(session, client=initech, clock=clock, number="INV-302", amount_minor=15_000, due_date=due)

    # Sent: two friendly and one firm yesterday; one the evening before (22:30 UTC on the 23rd is 23:30 in
    # Berlin, still the 23rd) and one this morning are not yesterday's.
    sent_reminder(session, g1, tone="friendly", when=at(23, 23, 5))
    sent_reminder(session, h1, tone="friendly", when=at(24, 9))
    sent_reminder(session, i2, tone="firm", when=at(24, 22, 59))
    sent_reminder(session, g2, tone="urgent", when=at(23, 22, 30))
    sent_reminder(session, g2, tone="urgent", when=at(25, 6))
    # Bounced yesterday: the email of INV-201.
    sent_reminder(session, h1, tone="firm", when=at(24, 8), status="bounced", bounced_at=at(24, 8, 1))

    paid(session, g1, amount_minor=125_000, when=at(24, 14))
    paid(session, i1, amount_minor=30_000, when=at(24, 15))
    paid(session, i2, amount_minor=5_000, when=at(23, 12))  # two days ago

    reply(session, g2, subject="Question about INV-102", when=at(24, 10))
    reply(session, g2, subject="Thanks", when=at(24, 11), answered=True)
    answer(session, h1, kind="dispute", when=at(24, 12), message="Wrong amount")
    answer(session, i2, kind="paid_claim", when=at(24, 13), paid_on=date(2026, 11, 23))
    answer(session, g2, kind="promise", when=at(20, 9), promised_date=date(2026, 11, 25))
    answer(
        session,
        i2,
        kind="promise",
        when=at(15, 9),
        status="missed",
        promised_date=date(2026, 11, 20),
        resolved_at=at(24, 9),
    )

    # Planned for today (Berlin): three reminders to two clients; one tomorrow is not today's.
    planned(session, g2, when=at(25, 8))
    planned(session, h1, when=at(25, 9), step="urgent")
    planned(session, h1, when=at(25, 9), step="final")
    planned(session, i2, when=at(25, 23, 30))
    # Failed for good yesterday (its last change was then).
    planned(session, i2, when=at(27, 12), step="final", state="failed")

    other = make_account(session, clock=long_before(clock), name="Other Co", timezone=timezone)
    stranger = make_client(session, account=other, clock=clock, name="Stranger")
    s1 = make_invoice(session, client=stranger, clock=clock, number="OTHER-1", amount_minor=777_700, due_date=due)
    sent_reminder(session, s1, tone="final", when=at(24, 10))
    paid(session, s1, amount_minor=777_700, when=at(24, 10))
    answer(session, s1, kind="dispute", when=at(24, 10))
    reply(session, s1, subject="Stranger's reply", when=at(24, 10))
    planned(session, s1, when=at(25, 10))
    session.flush()
    return Day(account, user, other, {inv.number: inv.id for inv in (g1, g2, h1, i1, i2)})
