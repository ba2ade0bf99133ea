"""The events of reminders' planning and canceling, clients' answers and replies, and late fees: each change
queues exactly one delivery per changed thing with the documented payload (compared as whole JSON), nothing
when the change rolls back, nothing for an account without an endpoint subscribed to it; and one of each is
delivered to a real HTTP server, verified with the `standardwebhooks` package."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from standardwebhooks import Webhook

from duespark.answers import service as answers
from duespark.clock import FixedClock
from duespark.email.reply_address import reply_token
from duespark.inbound.parsing import Attachment, ParsedMail
from duespark.inbound.service import receive
from duespark.invoices import adjustments
from duespark.invoices import service as invoices
from duespark.invoices.adjustments import LateFee
from duespark.models import Invoice, InvoiceAdjustment, Reminder
from duespark.outgoing_webhooks.events import BULK_ROWS, EVENT_DATA, EVENT_TYPES
from duespark.reminders import service as reminders
from duespark.reminders.dispatcher import Dispatcher
from duespark.reminders.planner import plan
from duespark.reminders.schemas import ReminderPolicyIn, StepIn
from duespark.wiring import connect_domains
from tests.conftest import TEST_NOW
from tests.helpers import make_account, make_client
from tests.helpers import make_invoice as helper_invoice
from tests.outgoing_webhooks.test_delivery import add_endpoint, deliverer, deliveries, make_invoice
from tests.reminders.support import RecordingProvider

INBOUND_DOMAIN = "in.duespark.test"
NEW_EVENTS = [
    "reminder.scheduled",
    "reminder.canceled",
    "client.replied",
    "client.promised",
    "client.disputed",
    "client.claimed_paid",
    "late_fee.charged",
    "late_fee.waived",
]


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class World:
    """An account with a one-step policy (+7 days, firm) and one planned open invoice of 100.00 EUR."""

    session: Any
    settings: Any
    clock: Any
    account: Any
    client: Any
    invoice: Any

    def reminder(self) -> Reminder:
        return self.session.scalars(select(Reminder).where(Reminder.invoice_id == self.invoice.id)).one()


def make_world(session, settings, clock, name: str = "Acme Studio") -> World:
    account = make_account(session, clock=clock, name=name)
    policy = ReminderPolicyIn(steps=[StepIn(offset_days=7, template_key="firm")])
    reminders.put_account_policy(session, account_id=account.id, data=policy, clock=clock)
    client = make_client(session, account=account, clock=clock, email="ap@globex.test")
    invoice = make_invoice(session, account, clock, client=client)
    session.commit()
    return World(session, settings, clock, account, client, invoice)


# -- the changes: each makes one, and says the `data` of the event it must queue -----------------------


def schedule(world: World) -> dict:
    invoice = make_invoice(world.session, world.account, world.clock, client=world.client, number="INV-2")
    reminder = world.session.scalars(select(Reminder).where(Reminder.invoice_id == invoice.id)).one()
    return {
        "id": reminder.id,
        "invoice_id": invoice.id,
        "client_id": world.client.id,
        "step": "d+7",
        "template": "firm",
        "scheduled_for": iso(reminder.scheduled_for),
        "is_test": True,
    }


def cancel(world: World) -> dict:
    reminder = world.reminder()
    reminders.cancel(world.session, account_id=world.account.id, reminder_id=reminder.id, clock=world.clock)
    return {
        "id": reminder.id,
        "invoice_id": world.invoice.id,
        "client_id": world.client.id,
        "step": "d+7",
        "template": "firm",
        "scheduled_for": iso(reminder.scheduled_for),
        "is_test": True,
        "reason": "canceled_by_user",
        "at": iso(world.clock.now()),
    }


def reply(world: World, kind: str = "reply") -> dict:
    token = reply_token(world.settings, account_id=world.account.id, kind="i", object_id=world.invoice.id)
    mail = ParsedMail(
        kind=kind,
        from_email="ap@globex.test",
        from_name="John <b>Smith</b>",
        subject="Re: Invoice INV-1",
        message_id=f"<reply-{world.invoice.id}@globex.test>",
        in_reply_to=[],
        references=[],
        recipients=[f"reply+{token}@{INBOUND_DOMAIN}"],
        text="We paid it yesterday.\n<script>alert(1)</script>",
        html=None,
        attachments=[Attachment("remittance.pdf", "application/pdf", 4, None, False, b"%PDF")],
        raw_size=900,
        digest="d1",
    )
    row = receive(world.session, mail=mail, source="raw", settings=world.settings, clock=world.clock)
    assert row is not None
    return {
        "id": row.id,
        "client_id": world.client.id,
        "invoice_id": world.invoice.id,
        "invoice_ids": [world.invoice.id],
        "from_email": "ap@globex.test",
        "from_name": "John <b>Smith</b>",
        "subject": "Re: Invoice INV-1",
        "text": "We paid it yesterday.\n<script>alert(1)</script>",
        "text_truncated": False,
        "attachments": [{"filename": "remittance.pdf", "content_type": "application/pdf", "size": 4}],
        "received_at": iso(world.clock.now()),
    }


def _answer(world: World, kind: str, form: dict[str, str], **expected: Any) -> dict:
    answer = answers.answer_from_link(
        world.session, invoice_id=world.invoice.id, kind=kind, form=form, source="pay_page", clock=world.clock
    )
    fields = {"message": None, "promised_date": None, "disputed_amount": None, "paid_on": None, "reference": None}
    return {
        "id": answer.id,
        "invoice_id": world.invoice.id,
        "client_id": world.client.id,
        "source": "pay_page",
        **fields,
        "currency": "EUR",
        "balance": "100.00",
        "created_at": iso(world.clock.now()),
        **expected,
    }


def promise(world: World) -> dict:
    day = (world.clock.now() + timedelta(days=5)).date().isoformat()
    return _answer(world, "promise", {"promised_date": day, "message": "Friday"}, promised_date=day, message="Friday")


def dispute(world: World) -> dict:
    form = {"message": "Line 2 was not delivered", "disputed_amount": "40.00"}
    return _answer(world, "dispute", form, message="Line 2 was not delivered", disputed_amount="40.00")


def claim_paid(world: World) -> dict:
    day = world.clock.now().date().isoformat()
    return _answer(world, "paid_claim", {"paid_on": day, "reference": "T-77"}, paid_on=day, reference="T-77")


def _fee(world: World) -> LateFee:
    return LateFee(world.account.id, world.invoice.id, "d+7", 7, "fixed", 40_00, "EUR", 100_00)


def _fee_data(world: World, adjustment_id: int, waived_at: str | None) -> dict:
    return {
        "id": adjustment_id,
        "invoice_id": world.invoice.id,
        "reminder_id": None,
        "step": "d+7",
        "kind": "fixed",
        "amount": "40.00",
        "currency": "EUR",
        "description": "Late fee, with the reminder 7 days after the due date",
        "period_start": None,
        "period_end": None,
        "charged_at": iso(world.clock.now()),
        "waived_at": waived_at,
    }


def charge(world: World) -> dict:
    assert adjustments.record(world.session.connection(), _fee(world), reminder_id=None, now=world.clock.now())
    adjustment_id = world.session.scalar(
        select(InvoiceAdjustment.id).where(InvoiceAdjustment.invoice_id == world.invoice.id)
    )
    return _fee_data(world, adjustment_id, None)


def waive(world: World) -> dict:
    # Charged before the endpoint was made (setup), waived as the change.
    adjustment_id = world.session.scalar(
        select(InvoiceAdjustment.id).where(InvoiceAdjustment.invoice_id == world.invoice.id)
    )
    invoices.waive_adjustment(world.session, invoice=world.invoice, adjustment_id=adjustment_id, clock=world.clock)
    return _fee_data(world, adjustment_id, iso(world.clock.now()))


def charge_before(world: World) -> None:
    adjustments.record(world.session.connection(), _fee(world), reminder_id=None, now=world.clock.now())
    world.session.commit()


CHANGES: dict[str, tuple[Callable[[World], dict], Callable[[World], None] | None]] = {
    "reminder.scheduled": (schedule, None),
    "reminder.canceled": (cancel, None),
    "client.replied": (reply, None),
    "client.promised": (promise, None),
    "client.disputed": (dispute, None),
    "client.claimed_paid": (claim_paid, None),
    "late_fee.charged": (charge, None),
    "late_fee.waived": (waive, charge_before),
}


@pytest.fixture
def inbound_settings(settings):
    connect_domains(settings)
    return settings.model_copy(update={"inbound_domain": INBOUND_DOMAIN})


def prepared(session, settings, clock, event: str, **kwargs) -> World:
    world = make_world(session, settings, clock, **kwargs)
    setup = CHANGES[event][1]
    if setup is not None:
        setup(world)
    return world


def test_every_new_event_is_listed():
    assert set(NEW_EVENTS) <= set(EVENT_TYPES) and set(CHANGES) == set(NEW_EVENTS)


@pytest.mark.parametrize("event", NEW_EVENTS)
def test_the_change_queues_exactly_one_delivery_with_the_documented_payload(
    session, inbound_settings, now_clock, receiver, event
):
    world = prepared(session, inbound_settings, now_clock, event)
    endpoint, _ = add_endpoint(session, world.account, receiver, inbound_settings, now_clock, types=[event])
    data = CHANGES[event][0](world)
    session.commit()
    [delivery] = deliveries(session)
    assert (delivery.endpoint_id, delivery.event_type, delivery.status) == (endpoint.id, event, "pending")
    assert json.loads(delivery.body) == {"type": event, "timestamp": iso(now_clock.now()), "data": data}
    assert list(json.loads(delivery.body)["data"]) == list(EVENT_DATA[event])  # as documented, in order


@pytest.mark.parametrize("event", NEW_EVENTS)
def test_a_change_that_rolls_back_queues_nothing(session, inbound_settings, now_clock, receiver, event):
    world = prepared(session, inbound_settings, now_clock, event)
    add_endpoint(session, world.account, receiver, inbound_settings, now_clock, types=[event])
    CHANGES[event][0](world)
    session.rollback()
    assert deliveries(session) == []


@pytest.mark.parametrize("event", NEW_EVENTS)
def test_nothing_is_queued_without_a_subscribed_endpoint(session, inbound_settings, now_clock, receiver, event):
    # One account without any endpoint, one whose endpoint receives every other type.
    bare = prepared(session, inbound_settings, now_clock, event)
    CHANGES[event][0](bare)
    session.commit()
    assert deliveries(session) == []
    others = [t for t in EVENT_TYPES if t != event]
    world = prepared(session, inbound_settings, now_clock, event, name="Initech")
    add_endpoint(session, world.account, receiver, inbound_settings, now_clock, types=others)
    CHANGES[event][0](world)
    session.commit()
    assert event not in {d.event_type for d in deliveries(session)}


def test_each_new_event_reaches_a_real_receiver_signed(session, session_factory, inbound_settings, now_clock, receiver):
    sent: dict[str, dict] = {}
    secrets: dict[str, str] = {}
    for event in NEW_EVENTS:
        world = prepared(session, inbound_settings, now_clock, event, name=f"Account {event}")
        _, secrets[event] = add_endpoint(
            session, world.account, receiver, inbound_settings, now_clock, types=[event], path=f"/{event}"
        )
        sent[event] = CHANGES[event][0](world)
        session.commit()
    stats = deliverer(session_factory, inbound_settings, now_clock).run()
    assert stats.delivered == len(NEW_EVENTS)
    received = {}
    for request in receiver.requests:
        event = request.path.lstrip("/")
        received[event] = Webhook(secrets[event]).verify(request.body, request.headers)
    assert received == {e: {"type": e, "timestamp": iso(now_clock.now()), "data": sent[e]} for e in NEW_EVENTS}


def bodies(session, event_type: str) -> list[dict]:
    return [json.loads(d.body)["data"] for d in deliveries(session) if d.event_type == event_type]


def test_a_planner_run_reports_each_reminder_once_in_order_and_nothing_for_an_account_without_endpoints(
    session, settings, receiver
):
    """200 rows at once take the bulk (COPY) path; a void then reports its cancels after invoice.voided."""
    clock = FixedClock(TEST_NOW)
    connect_domains(settings)
    watched, bare = make_account(session, clock=clock), make_account(session, clock=clock, name="Bare")
    types = ["invoice.voided", "reminder.scheduled", "reminder.canceled"]
    add_endpoint(session, watched, receiver, settings, clock, types=types)
    for account, count in ((watched, BULK_ROWS // 5), (bare, 10)):
        client = make_client(session, account=account, clock=clock)
        for _ in range(count):
            helper_invoice(session, client=client, clock=clock)
    plan(session, clock=clock)
    session.commit()
    pending = session.execute(
        select(Reminder.id, Reminder.invoice_id, Reminder.scheduled_for)
        .where(Reminder.account_id == watched.id)
        .order_by(Reminder.invoice_id, Reminder.scheduled_for, Reminder.id)
    ).all()
    assert len(pending) == BULK_ROWS and session.scalar(select(func.count(Reminder.id))) == BULK_ROWS + 50
    scheduled = bodies(session, "reminder.scheduled")
    assert [(d["id"], d["invoice_id"], d["scheduled_for"]) for d in scheduled] == [
        (r.id, r.invoice_id, iso(r.scheduled_for)) for r in pending
    ]
    assert {d.account_id for d in deliveries(session)} == {watched.id}

    invoice = session.get(Invoice, pending[0].invoice_id)
    invoices.void_invoice(session, invoice=invoice, clock=clock)
    session.commit()
    later = [d for d in deliveries(session) if d.event_type != "reminder.scheduled"]
    assert [d.event_type for d in later] == ["invoice.voided"] + ["reminder.canceled"] * 5
    assert [json.loads(d.body)["data"]["reason"] for d in later[1:]] == ["void"] * 5
    assert {d.ordering_key for d in later} == {f"invoice:{invoice.id}"}
    # Planning again changes nothing and reports nothing.
    count = len(deliveries(session))
    plan(session, clock=clock, account_id=watched.id)
    session.commit()
    assert len(deliveries(session)) == count


def test_an_unsubscribe_and_the_dispatchers_recheck_report_their_cancels(
    session, session_factory, settings, now_clock, receiver
):
    world = make_world(session, settings, now_clock)
    leaving = make_client(session, account=world.account, clock=now_clock, name="Leaving")
    other = make_invoice(session, world.account, now_clock, client=leaving, number="INV-2")
    session.commit()
    add_endpoint(session, world.account, receiver, settings, now_clock, types=["reminder.canceled"])
    reminders.on_clients_stopped(session, [leaving.id], "unsubscribed", now_clock)
    # Paused behind the planner's back: only the dispatcher's re-check sees it.
    session.execute(update(Invoice).where(Invoice.id == world.invoice.id).values(reminders_paused=True))
    session.commit()
    due = FixedClock(world.reminder().scheduled_for + timedelta(minutes=1))
    dispatcher = Dispatcher(
        session_factory=session_factory, settings=settings, provider=RecordingProvider(), clock=due, worker_id="w1"
    )
    assert dispatcher.run().canceled == 1
    canceled = [(d["invoice_id"], d["reason"]) for d in bodies(session, "reminder.canceled")]
    assert canceled == [(other.id, "unsubscribed"), (world.invoice.id, "paused")]


def test_an_automatic_reply_is_filed_but_not_reported(session, inbound_settings, now_clock, receiver):
    world = make_world(session, inbound_settings, now_clock)
    add_endpoint(session, world.account, receiver, inbound_settings, now_clock, types=["client.replied"])
    reply(world, kind="auto_reply")
    session.commit()
    assert deliveries(session) == []
