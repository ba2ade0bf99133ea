"""Invoices walked through their whole life with a fixed clock and the real worker, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from duespark.clock import FixedClock
from duespark.db import transaction
from duespark.invoices import service as invoices
from duespark.invoices.schemas import InvoiceCreate, InvoiceUpdate
from duespark.models import Client, Invoice, Reminder
from duespark.reminders import service
from duespark.reminders.policy import DEFAULT_STEPS, Step
from duespark.reminders.worker import DatabaseLeaderLock, ReminderWorker
from tests.helpers import make_account, make_client
from tests.reminders.support import RecordingProvider, by_step, reminders_for, set_account_policy


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def live_account(db, clock, *, steps=DEFAULT_STEPS, timezone="Europe/Berlin", **window) -> tuple[int, int]:
    with transaction(db.factory) as session:
        account = make_account(session, clock=clock, timezone="UTC")
        account.test_mode = False
        for name, value in window.items():
            setattr(account, name, value)
        set_account_policy(session, account, list(steps), clock=clock)
        client = make_client(session, account=account, clock=clock, timezone=timezone)
        return account.id, client.id


def create_invoice(db, clock, account_id: int, client_id: int, due: date) -> int:
    with transaction(db.factory) as session:
        data = InvoiceCreate(
            client_id=client_id, number=f"INV-{due}", amount="800.00", issue_date=due - timedelta(days=30), due_date=due
        )
        return invoices.create_invoice(session, account_id=account_id, data=data, clock=clock).id


def next_pending_at(db) -> datetime | None:
    with db.factory() as session:
        return session.scalar(
            select(Reminder.next_attempt_at).where(Reminder.state == "pending").order_by(Reminder.next_attempt_at)
        )


def run_until(worker: ReminderWorker, clock: FixedClock, db, end: datetime) -> None:
    """Tick at every moment something is due, up to `end`, as a worker running all along would."""
    while (due := next_pending_at(db)) is not None and due <= end:
        clock.set(max(clock.now(), due))
        worker.tick()
    clock.set(end)
    worker.tick()


def sent_log(provider: RecordingProvider) -> list[str]:
    return [email.tag for email in provider.sent]


def test_created_planned_sent_in_order_paid_then_the_rest_canceled(db, worker, clock, provider):
    account_id, client_id = live_account(db, clock)
    invoice_id = create_invoice(db, clock, account_id, client_id, date(2026, 12, 8))  # a Tuesday
    rows = by_step(reminders_for(db.factory, invoice_id))
    # 09:00 in Berlin is 08:00 UTC in winter; the -3 step (Saturday 5th) moves to Monday the 7th.
    assert {k: r.scheduled_for for k, r in rows.items()} == {
        "d-3": utc(2026, 12, 7, 8),
        "d+0": utc(2026, 12, 8, 8),
        "d+7": utc(2026, 12, 15, 8),
        "d+14": utc(2026, 12, 22, 8),
        "d+30": utc(2027, 1, 7, 8),
    }
    run_until(worker, clock, db, utc(2026, 12, 10, 12))
    assert sent_log(provider) == ["friendly", "due_today"]
    rows = by_step(reminders_for(db.factory, invoice_id))
    assert rows["d-3"].sent_at == utc(2026, 12, 7, 8) and rows["d+0"].sent_at == utc(2026, 12, 8, 8)
    with transaction(db.factory) as session:
        invoice = session.get(Invoice, invoice_id)
        invoices.apply_payment(
            session,
            invoice=invoice,
            amount_minor=invoice.amount_minor,
            method="manual",
            paid_at=clock.now(),
            clock=clock,
        )
    rows = by_step(reminders_for(db.factory, invoice_id))
    assert [(rows[k].state, rows[k].reason) for k in ("d+7", "d+14", "d+30")] == [("canceled", "paid")] * 3
    worker.tick()  # the next minute's tick sends the thank-you
    run_until(worker, clock, db, utc(2027, 2, 1))
    # After the payment: no more reminders, and the client is thanked once.
    assert sent_log(provider) == ["friendly", "due_today", "thank_you"]


def test_due_date_moved_mid_way(db, worker, clock, provider):
    account_id, client_id = live_account(db, clock)
    invoice_id = create_invoice(db, clock, account_id, client_id, date(2026, 12, 8))
    run_until(worker, clock, db, utc(2026, 12, 7, 12))
    assert sent_log(provider) == ["friendly"]
    with transaction(db.factory) as session:
        invoice = session.get(Invoice, invoice_id)
        invoices.update_invoice(session, invoice=invoice, data=InvoiceUpdate(due_date=date(2026, 12, 22)), clock=clock)
    run_until(worker, clock, db, utc(2026, 12, 23))
    assert sent_log(provider) == ["friendly", "friendly", "due_today"]
    rows = reminders_for(db.factory, invoice_id)
    new = by_step(rows, due=date(2026, 12, 22))
    assert new["d-3"].sent_at == utc(2026, 12, 21, 8)  # the 19th is a Saturday
    assert new["d+0"].sent_at == utc(2026, 12, 22, 8)
    old = by_step(rows, due=date(2026, 12, 8))
    assert old["d-3"].state == "sent"
    assert {(old[k].state, old[k].reason) for k in ("d+0", "d+7", "d+14", "d+30")} == {("canceled", "due_date_changed")}


def test_client_paused_then_resumed(db, worker, clock, provider):
    account_id, client_id = live_account(db, clock)
    invoice_id = create_invoice(db, clock, account_id, client_id, date(2026, 12, 8))
    clock.set(utc(2026, 12, 1, 10))
    with transaction(db.factory) as session:
        service.pause_client(session, account_id=account_id, client_id=client_id, until=None, clock=clock)
    run_until(worker, clock, db, utc(2026, 12, 16, 10))
    assert provider.sent == []
    with transaction(db.factory) as session:
        service.resume_client(session, account_id=account_id, client_id=client_id, clock=clock)
    worker.tick()
    # Three steps passed during the pause: only the latest goes out, the others are recorded as skipped.
    assert sent_log(provider) == ["firm"]
    live = {r.step_key: r for r in reminders_for(db.factory, invoice_id) if r.reason != "client_paused"}
    assert [(live[k].state, live[k].reason) for k in ("d-3", "d+0")] == [("skipped", "missed")] * 2
    run_until(worker, clock, db, utc(2026, 12, 23))
    assert sent_log(provider) == ["firm", "urgent"]


def test_worker_down_for_ten_days_catches_up_with_one_email(db, worker, clock, provider):
    steps = [Step(-3, "friendly"), Step(-1, "friendly"), Step(0, "due_today"), Step(2, "firm"), Step(5, "urgent")]
    account_id, client_id = live_account(db, clock, steps=steps)
    invoice_id = create_invoice(db, clock, account_id, client_id, date(2026, 12, 1))
    worker.tick()
    assert provider.sent == []
    clock.set(utc(2026, 12, 7, 9, 30))  # back ten days later, a Monday morning
    worker.tick()
    # The first email about the invoice: a first overdue reminder, never "second reminder" (urgent).
    assert sent_log(provider) == ["firm"]
    rows = by_step(reminders_for(db.factory, invoice_id))
    assert [rows[k].state for k in ("d-3", "d-1", "d+0", "d+2")] == ["skipped"] * 4
    assert rows["d+5"].state == "sent"


# Each zone's due date puts its 09:00 slot inside the simulated day (Wed 25 Nov 10:00 to Thu 10:00 UTC).
DAY_OF_ZONES = {
    "Pacific/Auckland": (date(2026, 11, 26), utc(2026, 11, 25, 20)),
    "Asia/Tokyo": (date(2026, 11, 26), utc(2026, 11, 26, 0)),
    "Europe/Berlin": (date(2026, 11, 26), utc(2026, 11, 26, 8)),
    "UTC": (date(2026, 11, 26), utc(2026, 11, 26, 9)),
    "America/New_York": (date(2026, 11, 25), utc(2026, 11, 25, 14)),
    "America/Los_Angeles": (date(2026, 11, 25), utc(2026, 11, 25, 17)),
}


def test_ticking_every_minute_for_a_day_sends_each_reminder_once(db, worker, clock, provider):
    with transaction(db.factory) as session:
        account = make_account(session, clock=clock)
        account.test_mode = False
        set_account_policy(session, account, [Step(0, "due_today"), Step(1, "firm")], clock=clock)
        for zone, (due, _slot) in DAY_OF_ZONES.items():
            client = make_client(session, account=account, clock=clock, timezone=zone)
            for n in range(2):
                data = InvoiceCreate(
                    client_id=client.id, number=f"{zone}-{n}", amount="100.00", issue_date=due, due_date=due
                )
                invoices.create_invoice(session, account_id=account.id, data=data, clock=clock)
    for _minute in range(24 * 60):
        worker.tick()
        clock.advance(minutes=1)
    with db.factory() as session:
        rows = session.execute(
            select(Reminder, Client.timezone)
            .join(Invoice, Invoice.id == Reminder.invoice_id)
            .join(Client, Client.id == Invoice.client_id)
        ).all()
    sent = {(r.id, zone, r.sent_at) for r, zone in rows if r.state == "sent"}
    assert {(zone, sent_at) for _id, zone, sent_at in sent} == {(z, slot) for z, (_d, slot) in DAY_OF_ZONES.items()}
    assert len(sent) == 12  # each zone's two d+0 reminders, on the minute of their slot
    assert {(r.step_key, r.state) for r, _zone in rows if r.state != "sent"} == {("d+1", "pending")}
    assert provider.counts() == {reminder_id: 1 for reminder_id, _zone, _at in sent}


def test_two_workers_plan_once_per_window_and_share_the_sending(db, worker_settings, clock, provider):
    account_id, client_id = live_account(db, clock, steps=[Step(0, "due_today")], timezone="UTC")
    for day in range(26, 31):
        create_invoice(db, clock, account_id, client_id, date(2026, 11, day))
    workers = [
        ReminderWorker(
            settings=worker_settings,
            session_factory=db.factory,
            clock=clock,
            provider=provider,
            lock=DatabaseLeaderLock(db.factory),
            worker_id=f"worker-{n}",
        )
        for n in range(2)
    ]
    plans = 0
    for _step in range(5 * 24 * 2):  # five days from Wednesday 10:00, every 30 minutes
        for each in workers:
            plans += each.tick().planned is not None
        clock.advance(minutes=30)
    assert plans == 1 + 5 * 4  # the window the run started in, then four a day
    # Thursday's and Friday's, then Monday 09:00 the ones due Saturday, Sunday and Monday: by
    # Monday Saturday's and Sunday's are overdue, so they go as one statement.
    assert sorted(e.tag for e in provider.sent) == ["due_today"] * 3 + ["statement"]
    assert set(provider.counts().values()) == {1}


@pytest.mark.parametrize(
    ("due", "window_start", "expected"),
    [
        # 02:30 does not exist on 29 March in Berlin (clocks jump from 02:00 to 03:00).
        (date(2026, 3, 29), 2 * 60 + 30, utc(2026, 3, 29, 1, 30)),
        # 02:30 happens twice on 25 October; the first one counts.
        (date(2026, 10, 25), 2 * 60 + 30, utc(2026, 10, 25, 0, 30)),
        # An ordinary 09:00 slot on each change day follows the new offset.
        (date(2026, 3, 29), 9 * 60, utc(2026, 3, 29, 7)),
        (date(2026, 10, 25), 9 * 60, utc(2026, 10, 25, 8)),
    ],
    ids=["spring-gap", "autumn-overlap", "spring-9am", "autumn-9am"],
)
def test_a_daylight_saving_change_neither_skips_nor_doubles(db, worker, clock, provider, due, window_start, expected):
    clock.set(datetime.combine(due - timedelta(days=5), datetime.min.time(), UTC))
    account_id, client_id = live_account(
        db, clock, steps=[Step(0, "due_today")], send_window_start=window_start, send_weekdays="1234567"
    )
    invoice_id = create_invoice(db, clock, account_id, client_id, due)
    [reminder] = reminders_for(db.factory, invoice_id)
    assert reminder.scheduled_for == expected
    clock.set(expected - timedelta(hours=3))
    for _ in range(8 * 60):  # every minute across the change
        worker.dispatch()
        clock.advance(minutes=1)
    [reminder] = reminders_for(db.factory, invoice_id)
    assert (reminder.state, reminder.sent_at) == ("sent", expected)
    assert len(provider.sent) == 1
