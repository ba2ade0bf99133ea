"""Test doubles and data helpers for the reminder engine."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from duespark.email.message import OutgoingEmail
from duespark.email.providers.base import PermanentSendError, SendResult, TransientSendError
from duespark.models import Account, Client, Invoice, Reminder, ReminderPolicy, ReminderPolicyStep
from duespark.reminders.policy import Step, step_key


class SimulatedCrash(BaseException):
    """The process dying: not an Exception, so no handler in the code under test catches it."""


@dataclass
class RecordingProvider:
    """Accepts every email and remembers it; thread-safe, for concurrent dispatchers."""

    name: str = "recording"
    sent: list[OutgoingEmail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, message: OutgoingEmail) -> SendResult:
        with self.lock:
            self.sent.append(message)
        return SendResult(provider_message_id=message.headers.get("Message-ID") or f"<{uuid.uuid4().hex}@test>")

    def reminder_ids(self) -> list[int]:
        return [int(m.metadata["reminder_id"]) for m in self.sent]

    def counts(self) -> Counter[int]:
        return Counter(self.reminder_ids())


@dataclass
class ScriptedProvider(RecordingProvider):
    """Raises the scripted errors in order, then accepts."""

    script: list[BaseException] = field(default_factory=list)

    def send(self, message: OutgoingEmail) -> SendResult:
        if self.script:
            raise self.script.pop(0)
        return super().send(message)


@dataclass
class SelectiveProvider(RecordingProvider):
    """Raises the given error for the emails of chosen reminders, accepts the others."""

    failures: dict[int, BaseException] = field(default_factory=dict)

    def send(self, message: OutgoingEmail) -> SendResult:
        error = self.failures.get(int(message.metadata["reminder_id"]))
        if error is not None:
            raise error
        return super().send(message)


def transient(text: str = "503 Service Unavailable") -> TransientSendError:
    return TransientSendError(text)


def permanent(text: str = "422 Invalid 'To' address") -> PermanentSendError:
    return PermanentSendError(text)


def set_account_policy(session: Session, account: Account, steps: list[Step], *, clock) -> ReminderPolicy:
    return _set_policy(session, account.id, None, steps, clock=clock)


def set_client_policy(session: Session, client: Client, steps: list[Step], *, clock) -> ReminderPolicy:
    return _set_policy(session, client.account_id, client.id, steps, clock=clock)


def _set_policy(session: Session, account_id: int, client_id: int | None, steps: list[Step], *, clock):
    now = clock.now()
    policy = session.scalars(
        select(ReminderPolicy).where(
            ReminderPolicy.account_id == account_id,
            ReminderPolicy.client_id.is_(None) if client_id is None else ReminderPolicy.client_id == client_id,
        )
    ).one_or_none()
    if policy is None:
        policy = ReminderPolicy(account_id=account_id, client_id=client_id, created_at=now, updated_at=now)
        session.add(policy)
        session.flush()
    for existing in session.scalars(select(ReminderPolicyStep).where(ReminderPolicyStep.policy_id == policy.id)):
        session.delete(existing)
    session.flush()
    session.add_all(
        ReminderPolicyStep(
            policy_id=policy.id,
            position=i,
            offset_days=s.offset_days,
            step_key=step_key(s.offset_days),
            template_key=s.template_key,
            attach_pdf=s.attaches_pdf,
        )
        for i, s in enumerate(steps)
    )
    session.flush()
    return policy


def reminders_of(session: Session, invoice_id: int) -> list[Reminder]:
    session.expire_all()
    return list(
        session.scalars(
            select(Reminder).where(Reminder.invoice_id == invoice_id).order_by(Reminder.scheduled_for, Reminder.id)
        )
    )


def states(reminders: list[Reminder]) -> list[tuple[str, str, str | None]]:
    return [(r.step_key, r.state, r.reason) for r in reminders]


def by_step(reminders: list[Reminder], *, due: date | None = None) -> dict[str, Reminder]:
    return {r.step_key: r for r in reminders if due is None or r.due_date == due}


@dataclass
class World:
    account_id: int
    client_id: int
    invoice_ids: list[int]
    owner_email: str
    client_email: str | None


def make_world(
    factory,
    clock,
    *,
    invoices: int = 1,
    due_date: date | None = None,
    steps: list[Step] | None = None,
    test_mode: bool = False,
    timezone: str = "UTC",
    client_timezone: str | None = None,
    client_email: str | None = "billing@globex.test",
) -> World:
    """Commit an account, a client and open invoices, planned; `steps` defaults to one on the due date,
    without the invoice PDF (engine tests measure sending; test_pdf_attachments.py covers attaching it)."""
    from duespark.db import transaction
    from duespark.models import Membership, User
    from duespark.reminders.planner import plan
    from tests.helpers import make_account, make_client, make_invoice

    with transaction(factory) as session:
        account = make_account(session, clock=clock, timezone=timezone)
        account.test_mode = test_mode
        owner_email = session.scalar(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.account_id == account.id)
        )
        client = make_client(session, account=account, clock=clock, timezone=client_timezone, email=client_email)
        set_account_policy(
            session, account, steps if steps is not None else [Step(0, "due_today", attach_pdf=False)], clock=clock
        )
        due = due_date or clock.now().date()
        template = make_invoice(session, client=client, clock=clock, due_date=due)
        rows = [
            {c.key: getattr(template, c.key) for c in Invoice.__table__.columns if c.key != "id"}
            | {"number": f"{template.number}-{n}"}
            for n in range(1, invoices)
        ]
        ids = [template.id, *(session.scalars(insert(Invoice).returning(Invoice.id), rows).all() if rows else [])]
        plan(session, clock=clock)
        return World(account.id, client.id, ids, owner_email, client_email)


def all_reminders(factory) -> list[Reminder]:
    with factory() as session:
        return list(session.scalars(select(Reminder).order_by(Reminder.id)))


def reminders_for(factory, invoice_id: int) -> list[Reminder]:
    with factory() as session:
        return reminders_of(session, invoice_id)
