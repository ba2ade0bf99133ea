"""Late fees with real commits on SQLite and PostgreSQL: charged only when the step's email is sent,
shown in it, and never twice for one step of one invoice."""

from __future__ import annotations

import random
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from duespark.clock import FixedClock
from duespark.db import transaction
from duespark.invoices import adjustments
from duespark.invoices import service as invoice_service
from duespark.invoices.schemas import InvoiceUpdate
from duespark.invoices.service import apply_payment, update_invoice
from duespark.models import Account, Client, Invoice, InvoiceAdjustment, Reminder, ReminderPolicy, ReminderPolicyStep
from duespark.reminders import fees
from duespark.reminders.dispatcher import Dispatcher, DispatchStats
from duespark.reminders.policy import Fee, Step
from tests.conftest import TEST_NOW
from tests.reminders.support import (
    RecordingProvider,
    ScriptedProvider,
    SimulatedCrash,
    all_reminders,
    by_step,
    make_world,
    permanent,
    reminders_for,
    set_client_policy,
    transient,
)
from tests.reminders.test_concurrency import run_together

LEASE = timedelta(seconds=300)
EIGHT_DAYS_AGO = date(2026, 11, 18)  # TEST_NOW is Wednesday 25 November 2026, 10:00 UTC


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


def dispatcher(db, settings, provider, clock, worker_id: str = "w1") -> Dispatcher:
    return Dispatcher(
        session_factory=db.factory,
        settings=settings,
        provider=provider,
        clock=clock,
        worker_id=worker_id,
        rng=random.Random(5),
    )


def set_fees(db, account_id: int, step_fees: dict[str, Fee]) -> None:
    """Give steps of the account's policy a fee (planning does not depend on fees)."""
    with transaction(db.factory) as session:
        policy_id = session.scalar(
            select(ReminderPolicy.id).where(ReminderPolicy.account_id == account_id, ReminderPolicy.client_id.is_(None))
        )
        for key, fee in step_fees.items():
            session.execute(
                update(ReminderPolicyStep)
                .where(ReminderPolicyStep.policy_id == policy_id, ReminderPolicyStep.step_key == key)
                .values(
                    fee_kind=fee.kind,
                    fee_amount_minor=fee.amount_minor,
                    fee_currency=fee.currency,
                    fee_rate_bp=fee.rate_bp,
                )
            )


def charged(db, invoice_id: int) -> list[InvoiceAdjustment]:
    with db.factory() as session:
        return list(
            session.scalars(
                select(InvoiceAdjustment)
                .where(InvoiceAdjustment.invoice_id == invoice_id)
                .order_by(InvoiceAdjustment.id)
            )
        )


def invoice_of(db, invoice_id: int) -> Invoice:
    with db.factory() as session:
        return session.get(Invoice, invoice_id)


def fee_world(db, clock, step_fees: dict[str, Fee], *, steps=None, **kwargs):
    world = make_world(db.factory, clock, due_date=EIGHT_DAYS_AGO, steps=steps or [Step(7, "firm")], **kwargs)
    set_fees(db, world.account_id, step_fees)
    return world


def test_fixed_fee_is_charged_with_the_sent_email_and_shown_in_it(db, worker_settings, clock):
    world = fee_world(db, clock, {"d+7": Fee("fixed", 4000, "EUR")})
    [invoice_id] = world.invoice_ids
    provider = RecordingProvider()
    assert dispatcher(db, worker_settings, provider, clock).run().sent == 1
    [email] = provider.sent
    assert email.subject.endswith("(€1,290.00)")
    assert (
        "A late-payment charge of €40.00 (fixed late-payment fee) has been added to this invoice; "
        "the amount now due is €1,290.00." in email.text
    )
    assert "€40.00" in email.html
    [adjustment] = charged(db, invoice_id)
    [reminder] = all_reminders(db.factory)
    assert (adjustment.kind, adjustment.amount_minor, adjustment.currency, adjustment.step_key) == (
        "fixed",
        4000,
        "EUR",
        "d+7",
    )
    assert (adjustment.reminder_id, adjustment.created_at) == (reminder.id, clock.now())
    invoice = invoice_of(db, invoice_id)
    assert (invoice.fees_minor, invoice.balance_minor, invoice.status) == (4000, 129_000, "open")
    assert reminder.state == "sent"
    assert reminder.detail == "A late fee of €40.00 was added to the invoice."
    # Sent is done: another run sends and charges nothing.
    assert dispatcher(db, worker_settings, provider, clock).run().claimed == 0
    assert len(charged(db, invoice_id)) == 1


def test_percent_then_interest_over_three_steps_against_hand_computed_amounts(db, worker_settings, clock):
    world = fee_world(
        db,
        clock,
        {"d+7": Fee("percent", rate_bp=500), "d+14": Fee("daily_interest"), "d+30": Fee("daily_interest")},
        steps=[Step(7, "firm"), Step(14, "urgent"), Step(30, "final")],
    )
    [invoice_id] = world.invoice_ids
    provider = RecordingProvider()
    dispatcher(db, worker_settings, provider, clock).run()  # d+7, 25 November: 5 % of 1,250.00 = 62.50
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))  # d+14: 12 % a year on 1,250.00 for 14 days = 5.75
    dispatcher(db, worker_settings, provider, clock).run()
    clock.set(datetime(2026, 12, 18, 9, 0, tzinfo=UTC))  # d+30: 16 more days = 6.5753 -> 6.58
    dispatcher(db, worker_settings, provider, clock).run()
    assert len(provider.sent) == 3
    rows = charged(db, invoice_id)
    assert [(a.step_key, a.kind, a.amount_minor) for a in rows] == [
        ("d+7", "percent", 6250),
        ("d+14", "daily_interest", 575),
        ("d+30", "daily_interest", 658),
    ]
    assert [(a.period_start, a.period_end) for a in rows[1:]] == [
        (date(2026, 11, 18), date(2026, 12, 2)),
        (date(2026, 12, 2), date(2026, 12, 18)),
    ]
    # The two interest charges are the interest for the 30 days at once (1,250 * 0.12 * 30 / 365 = 12.33).
    assert rows[1].amount_minor + rows[2].amount_minor == 1233
    assert rows[0].description == "Late fee: 5% of €1,250.00 unpaid, with the reminder 7 days after the due date"
    assert rows[2].description.startswith("Interest: 12% a year on €1,250.00 for 16 days (Dec 3, 2026 to Dec 18")
    invoice = invoice_of(db, invoice_id)
    assert (invoice.fees_minor, invoice.balance_minor) == (7483, 132_483)
    first, second, third = provider.sent
    assert "A late-payment charge of €62.50 (5% of the unpaid €1,250.00)" in first.text
    assert "the amount now due is €1,312.50." in first.text
    assert "(interest at 12% a year on €1,250.00 for 14 days)" in second.text
    assert "the amount now due is €1,318.25." in second.text
    assert "(interest at 12% a year on €1,250.00 for 16 days)" in third.text
    assert "Amount due: €1,324.83" in third.text or "€1,324.83" in third.text


def test_a_permanently_failed_send_charges_nothing(db, worker_settings, clock):
    world = fee_world(db, clock, {"d+7": Fee("fixed", 4000, "EUR")})
    provider = ScriptedProvider(script=[permanent()])
    stats = dispatcher(db, worker_settings, provider, clock).run()
    assert (stats.failed, stats.sent) == (1, 0)
    assert charged(db, world.invoice_ids[0]) == []
    assert invoice_of(db, world.invoice_ids[0]).fees_minor == 0


def test_retries_charge_once_when_the_email_finally_goes_out(db, worker_settings, clock):
    world = fee_world(db, clock, {"d+7": Fee("fixed", 4000, "EUR")})
    provider = ScriptedProvider(script=[transient(), transient()])
    for _ in range(3):
        dispatcher(db, worker_settings, provider, clock).run()
        if charged(db, world.invoice_ids[0]):
            break
        assert invoice_of(db, world.invoice_ids[0]).fees_minor == 0
        clock.advance(hours=1)
    [reminder] = all_reminders(db.factory)
    assert (reminder.state, reminder.attempts) == ("sent", 3)
    assert [a.amount_minor for a in charged(db, world.invoice_ids[0])] == [4000]
    # Every attempt's email said the same thing.
    [email] = provider.sent
    assert "€40.00" in email.text


def test_a_crash_after_the_provider_accepted_charges_once_on_the_resend(db, worker_settings, clock):
    class AcceptThenCrash(RecordingProvider):
        crashed = False

        def send(self, message):
            result = super().send(message)
            if not self.crashed:
                self.crashed = True
                raise SimulatedCrash("after the provider accepted")
            return result

    world = fee_world(db, clock, {"d+7": Fee("fixed", 4000, "EUR")})
    provider = AcceptThenCrash()
    with pytest.raises(SimulatedCrash):
        dispatcher(db, worker_settings, provider, clock).run()
    assert charged(db, world.invoice_ids[0]) == []  # the record transaction never ran
    clock.advance(LEASE + timedelta(seconds=1))
    assert dispatcher(db, worker_settings, provider, clock, "w2").run().sent == 1
    assert len(provider.sent) == 2
    assert [a.amount_minor for a in charged(db, world.invoice_ids[0])] == [4000]
    assert invoice_of(db, world.invoice_ids[0]).fees_minor == 4000


def test_a_send_whose_lease_was_taken_over_charges_nothing(db, worker_settings, clock):
    """The slow worker's round is fenced out with its whole email; the worker that took the row
    over charges the fee once."""
    world = fee_world(db, clock, {"d+7": Fee("fixed", 4000, "EUR")})
    slow, stats = dispatcher(db, worker_settings, RecordingProvider(), clock, "slow"), DispatchStats()
    outgoing = started_email(slow, stats)
    sent = slow._call_provider(outgoing)
    clock.advance(LEASE + timedelta(seconds=1))
    assert dispatcher(db, worker_settings, RecordingProvider(), clock, "fast").run().sent == 1
    slow._record_and_mark([sent], [], stats)
    assert stats.lost_leases == 1
    assert [a.amount_minor for a in charged(db, world.invoice_ids[0])] == [4000]
    assert invoice_of(db, world.invoice_ids[0]).fees_minor == 4000


def started_email(worker, stats):
    """One claimed email handed to the provider the way a round does it: intent committed first."""
    [group], templates = worker._with_templates(worker._claim_batch(stats, first=True))
    outgoing = worker._prepare(group, templates)
    assert worker._record_and_mark([], [outgoing], stats) == [outgoing]
    return outgoing


def test_no_fee_when_the_invoice_is_paid_while_its_email_goes_out(db, worker_settings, clock):
    world = fee_world(db, clock, {"d+7": Fee("fixed", 4000, "EUR")})
    worker, stats = dispatcher(db, worker_settings, RecordingProvider(), clock), DispatchStats()
    outgoing = started_email(worker, stats)
    assert "€40.00" in outgoing.email.text
    sent = worker._call_provider(outgoing)
    with transaction(db.factory) as session:  # the Stripe webhook lands in between
        invoice = session.get(Invoice, world.invoice_ids[0])
        apply_payment(session, invoice=invoice, amount_minor=125_000, method="stripe", paid_at=clock.now(), clock=clock)
    worker._record_and_mark([sent], [], stats)
    assert stats.sent == 1
    assert charged(db, world.invoice_ids[0]) == []
    invoice = invoice_of(db, world.invoice_ids[0])
    assert (invoice.status, invoice.fees_minor, invoice.balance_minor) == ("paid", 0, 0)


def test_a_moved_due_date_charges_no_step_twice_and_no_day_of_interest_twice(db, worker_settings, clock):
    world = fee_world(
        db,
        clock,
        {"d+7": Fee("daily_interest"), "d+14": Fee("daily_interest")},
        steps=[Step(7, "firm"), Step(14, "urgent")],
    )
    [invoice_id] = world.invoice_ids
    provider = RecordingProvider()
    dispatcher(db, worker_settings, provider, clock).run()  # 18 -> 25 November: 7 days = 2.8767 -> 2.88
    with transaction(db.factory) as session:
        invoice = session.get(Invoice, invoice_id)
        update_invoice(session, invoice=invoice, data=InvoiceUpdate(due_date=date(2026, 11, 20)), clock=clock)
    reminders = by_step(reminders_for(db.factory, invoice_id), due=date(2026, 11, 20))
    assert set(reminders) == {"d+7", "d+14"}
    clock.set(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # d+7 of the new due date: that step already charged
    assert dispatcher(db, worker_settings, provider, clock).run().sent == 1
    assert "late-payment charge" not in provider.sent[-1].text
    clock.set(datetime(2026, 12, 4, 9, 0, tzinfo=UTC))  # d+14: interest from 25 November, when it was last charged
    assert dispatcher(db, worker_settings, provider, clock).run().sent == 1
    rows = charged(db, invoice_id)
    # 9 days: 1,250 * 0.12 * 9 / 365 = 3.6986 -> 3.70
    assert [(a.step_key, a.amount_minor, a.period_start, a.period_end) for a in rows] == [
        ("d+7", 288, date(2026, 11, 18), date(2026, 11, 25)),
        ("d+14", 370, date(2026, 11, 25), date(2026, 12, 4)),
    ]
    assert invoice_of(db, invoice_id).fees_minor == 658


def test_recording_the_same_fee_twice_adds_it_once(db, clock):
    world = fee_world(db, clock, {})
    [invoice_id] = world.invoice_ids
    with db.factory() as session:
        invoice = session.get(Invoice, invoice_id)
    fee = adjustments.compute(
        Fee("percent", rate_bp=500),
        invoice=invoice,
        step_key="d+7",
        offset_days=7,
        send_date=date(2026, 11, 25),
        interest_from=None,
        statutory_rate_bp=1200,
    )
    assert fee is not None

    def record(_index: int) -> bool:
        with transaction(db.factory) as session:
            return adjustments.record(session.connection(), fee, reminder_id=None, now=clock.now())

    # Two transactions at once (truly parallel on PostgreSQL), then a third one later.
    results = [*run_together(2, record), record(2)]
    assert sorted(results) == [False, False, True]
    assert [a.amount_minor for a in charged(db, invoice_id)] == [6250]
    assert invoice_of(db, invoice_id).fees_minor == 6250


def test_two_dispatchers_at_once_charge_every_invoice_once(db, worker_settings, clock):
    world = fee_world(db, clock, {"d+7": Fee("fixed", 4000, "EUR")}, invoices=30)
    with transaction(db.factory) as session:
        session.get(Account, world.account_id).merge_statements = False
    provider = RecordingProvider()
    settings = worker_settings.model_copy(update={"scheduler_batch_size": 5})
    stats = run_together(2, lambda index: dispatcher(db, settings, provider, clock, f"w{index}").run())
    assert sum(s.sent for s in stats) == 30
    with db.factory() as session:
        per_invoice = dict(
            session.execute(
                select(InvoiceAdjustment.invoice_id, func.count()).group_by(InvoiceAdjustment.invoice_id)
            ).all()
        )
        fees_total = session.scalar(select(func.sum(Invoice.fees_minor)))
    assert per_invoice == dict.fromkeys(world.invoice_ids, 1)
    assert fees_total == 30 * 4000


def test_a_statement_shows_each_invoices_fee_and_charges_each(db, worker_settings, clock):
    world = fee_world(db, clock, {"d+7": Fee("percent", rate_bp=500)}, invoices=2)
    provider = RecordingProvider()
    assert dispatcher(db, worker_settings, provider, clock).run().sent == 2
    [email] = provider.sent
    assert email.subject == "Statement: 2 overdue invoices, €2,625.00 outstanding"
    lines = [line for line in email.text.splitlines() if line.startswith("- ")]
    assert len(lines) == 2
    for line in lines:
        assert "€1,312.50, due" in line
        assert "including a late-payment charge of €62.50 added today (5% of the unpaid €1,250.00)" in line
    for invoice_id in world.invoice_ids:
        assert [a.amount_minor for a in charged(db, invoice_id)] == [6250]
    lead, merged = all_reminders(db.factory)
    assert lead.detail.endswith("A late fee of €62.50 was added to the invoice.")
    assert merged.detail.endswith("A late fee of €62.50 was added to the invoice.")


def test_test_mode_shows_the_fee_but_charges_nothing(db, worker_settings, clock):
    world = fee_world(db, clock, {"d+7": Fee("fixed", 4000, "EUR")}, test_mode=True)
    provider = RecordingProvider()
    assert dispatcher(db, worker_settings, provider, clock).run().sent == 1
    [email] = provider.sent
    assert email.to == world.owner_email
    assert "A late-payment charge of €40.00" in email.text
    assert charged(db, world.invoice_ids[0]) == []
    assert invoice_of(db, world.invoice_ids[0]).fees_minor == 0


def test_stripe_invoices_and_steps_without_a_fee_charge_nothing(db, worker_settings, clock):
    world = fee_world(db, clock, {"d+7": Fee("fixed", 4000, "EUR")}, invoices=2)
    with transaction(db.factory) as session:
        session.get(Account, world.account_id).merge_statements = False
        session.get(Invoice, world.invoice_ids[1]).external_id = "stripe:in_1"
    set_fees(db, world.account_id, {})
    provider = RecordingProvider()
    dispatcher(db, worker_settings, provider, clock).run()
    assert len(provider.sent) == 2
    stripe_email = next(e for e in provider.sent if e.metadata["invoice_id"] == str(world.invoice_ids[1]))
    assert "late-payment charge" not in stripe_email.text
    assert charged(db, world.invoice_ids[1]) == []
    assert len(charged(db, world.invoice_ids[0])) == 1


def test_the_clients_own_policy_decides_the_fee(db, clock):
    world = fee_world(db, clock, {"d+7": Fee("fixed", 4000, "EUR")})
    with transaction(db.factory) as session:
        client = session.get(Client, world.client_id)
        set_client_policy(session, client, [Step(7, "firm")], clock=clock)
        reminder = session.scalars(select(Reminder)).one()
        account = session.get(Account, world.account_id)
        invoice = session.get(Invoice, world.invoice_ids[0])
        on = fees.send_date(clock.now(), client, account)
        # The client's policy has the step without a fee: none, although the account's step has one.
        assert (
            fees.fee_for_reminder(session, reminder=reminder, invoice=invoice, client=client, account=account, on=on)
            is None
        )


def _fixed_fee(invoice: Invoice, step_key: str, amount_minor: int) -> adjustments.LateFee:
    return adjustments.LateFee(
        invoice.account_id, invoice.id, step_key, int(step_key[2:]), "fixed", amount_minor, "EUR", invoice.amount_minor
    )


@pytest.mark.parametrize("change", ["waive", "payment"])
def test_a_fee_charged_while_the_invoice_is_being_changed_is_neither_lost_nor_ignored(
    pg_db, clock, monkeypatch, change
):
    """Waiving a fee, or recording a payment, reads the invoice and writes it back: a worker charging another
    fee in between must wait for that transaction, not be overwritten by it (PostgreSQL: two real writers)."""
    world = fee_world(pg_db, clock, {})
    [invoice_id] = world.invoice_ids
    with transaction(pg_db.factory) as session:
        invoice = session.get(Invoice, invoice_id)
        assert adjustments.record(
            session.connection(), _fixed_fee(invoice, "d+7", 40_00), reminder_id=None, now=clock.now()
        )
    with pg_db.factory() as session:
        invoice = session.get(Invoice, invoice_id)
        first_fee_id = session.scalar(select(InvoiceAdjustment.id).where(InvoiceAdjustment.invoice_id == invoice_id))
        second_fee = _fixed_fee(invoice, "d+14", 15_00)
        amount_minor = invoice.amount_minor
    worker_done = threading.Event()

    def worker_charges_a_fee() -> None:
        with transaction(pg_db.factory) as worker_session:
            adjustments.record(worker_session.connection(), second_fee, reminder_id=None, now=clock.now())
        worker_done.set()

    # The worker's charge lands between the request reading the invoice and writing it back.
    settle = invoice_service._settle_status

    def settle_after_the_worker_tried(target, *, paid_at):
        worker = threading.Thread(target=worker_charges_a_fee)
        worker.start()
        worker_done.wait(timeout=1.0)
        settle(target, paid_at=paid_at)

    monkeypatch.setattr(invoice_service, "_settle_status", settle_after_the_worker_tried)
    with transaction(pg_db.factory) as session:
        invoice = session.get(Invoice, invoice_id)
        if change == "waive":
            invoice_service.waive_adjustment(session, invoice=invoice, adjustment_id=first_fee_id, clock=clock)
        else:
            apply_payment(
                session,
                invoice=invoice,
                amount_minor=amount_minor + 40_00,
                method="manual",
                paid_at=clock.now(),
                clock=clock,
            )
        assert not worker_done.is_set(), "the worker must wait for the row"
    assert worker_done.wait(timeout=10)

    after = invoice_of(pg_db, invoice_id)
    if change == "waive":
        # 40.00 waived, 15.00 charged after: nothing lost.
        assert after.fees_minor == 15_00
        assert after.status == "open"
    else:
        # Paid in full before the worker's turn: the worker's fee finds no open invoice and charges nothing.
        assert (after.status, after.fees_minor, after.balance_minor) == ("paid", 40_00, 0)
        assert [a.step_key for a in charged(pg_db, invoice_id)] == ["d+7"]
