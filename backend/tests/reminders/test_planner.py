"""The planner on SQLite and PostgreSQL: rows, local send times, idempotence and re-planning."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from duespark.invoices import service as invoices
from duespark.invoices.schemas import InvoiceUpdate
from duespark.models import Reminder, ReminderPolicy
from duespark.reminders import planner, service
from duespark.reminders.planner import plan
from duespark.reminders.policy import Step
from duespark.reminders.schemas import ClientPolicyIn, ReminderPolicyIn, SendWindowIn, StepIn
from tests.helpers import make_account, make_client, make_invoice
from tests.reminders.support import by_step, reminders_of, set_account_policy, states


@pytest.fixture
def account(session, clock):
    account = make_account(session, clock=clock, timezone="Europe/Berlin")
    # These tests pin the policy mechanics; tests/adaptive covers how client history adapts them.
    account.adaptive_reminders = False
    return account


@pytest.fixture
def client_(session, clock, account):
    return make_client(session, account=account, clock=clock, timezone="America/New_York")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_default_policy_planned_at_local_business_hours(session, clock, account, client_):
    # Due Tuesday 8 December; the -3 step falls on Saturday the 5th and goes out Monday morning.
    invoice = make_invoice(session, client=client_, clock=clock, due_date=date(2026, 12, 8))
    result = plan(session, clock=clock)
    assert result.invoices == 1
    assert result.inserted == 5
    rows = by_step(reminders_of(session, invoice.id))
    new_york_9am_est = 14  # UTC hour of 09:00 in New York in winter
    assert {key: r.scheduled_for for key, r in rows.items()} == {
        "d-3": utc(2026, 12, 7, new_york_9am_est),
        "d+0": utc(2026, 12, 8, new_york_9am_est),
        "d+7": utc(2026, 12, 15, new_york_9am_est),
        "d+14": utc(2026, 12, 22, new_york_9am_est),
        "d+30": utc(2027, 1, 7, new_york_9am_est),
    }
    assert [r.template_key for r in rows.values()] == ["friendly", "due_today", "firm", "urgent", "final"]
    assert all(r.state == "pending" and r.next_attempt_at == r.scheduled_for for r in rows.values())
    assert all(r.account_id == account.id and r.due_date == date(2026, 12, 8) for r in rows.values())
    # The account got its default policy as rows on first planning.
    assert session.scalar(select(func.count()).select_from(ReminderPolicy)) == 1


def test_client_without_timezone_uses_the_accounts(session, clock, account):
    client = make_client(session, account=account, clock=clock, timezone=None)
    invoice = make_invoice(session, client=client, clock=clock, due_date=date(2026, 12, 9))
    plan(session, clock=clock)
    rows = by_step(reminders_of(session, invoice.id))
    assert rows["d+0"].scheduled_for == utc(2026, 12, 9, 8)  # 09:00 in Berlin


def test_running_again_changes_nothing(session, clock, account, client_):
    invoices_ = [make_invoice(session, client=client_, clock=clock, due_in_days=d) for d in (3, 10, 40)]
    first = plan(session, clock=clock)
    assert (first.invoices, first.inserted) == (3, 15)
    again = plan(session, clock=clock)
    assert (again.invoices, again.inserted, again.canceled, again.rescheduled) == (0, 0, 0, 0)
    named = plan(session, clock=clock, invoice_ids=[i.id for i in invoices_])
    assert (named.invoices, named.inserted, named.canceled, named.rescheduled) == (3, 0, 0, 0)
    assert session.scalar(select(func.count()).select_from(Reminder)) == 15


def test_past_steps_are_planned_with_their_past_times(session, clock, account, client_):
    invoice = make_invoice(session, client=client_, clock=clock, due_in_days=-20)
    plan(session, clock=clock)
    rows = reminders_of(session, invoice.id)
    assert len(rows) == 5
    assert [r.scheduled_for <= clock.now() for r in rows] == [True, True, True, True, False]


def test_draft_void_paid_and_excluded_invoices_get_no_rows(session, clock, account, client_):
    for status in ("draft", "void", "paid"):
        make_invoice(session, client=client_, clock=clock, status=status)
    make_invoice(session, client=client_, clock=clock, reminders_excluded=True)
    assert plan(session, clock=clock).inserted == 0


def test_due_date_moved_replans_pending_steps(session, clock, account, client_):
    invoice = invoices.create_invoice(
        session,
        account_id=account.id,
        data=_invoice_data(client_.id, due=date(2026, 12, 8)),
        clock=clock,
    )
    assert len(reminders_of(session, invoice.id)) == 5  # planned right after creation
    invoices.update_invoice(session, invoice=invoice, data=InvoiceUpdate(due_date=date(2026, 12, 22)), clock=clock)
    rows = reminders_of(session, invoice.id)
    old = [r for r in rows if r.due_date == date(2026, 12, 8)]
    new = [r for r in rows if r.due_date == date(2026, 12, 22)]
    assert {(r.state, r.reason) for r in old} == {("canceled", "due_date_changed")}
    assert len(new) == 5 and {r.state for r in new} == {"pending"}
    assert by_step(new)["d+0"].scheduled_for == utc(2026, 12, 22, 14)


def test_paid_cancels_the_rest(session, clock, account, client_):
    invoice = invoices.create_invoice(
        session, account_id=account.id, data=_invoice_data(client_.id, due=date(2026, 12, 8)), clock=clock
    )
    invoices.apply_payment(
        session, invoice=invoice, amount_minor=invoice.amount_minor, method="manual", paid_at=clock.now(), clock=clock
    )
    assert {(r.state, r.reason) for r in reminders_of(session, invoice.id)} == {("canceled", "paid")}


def test_void_cancels(session, clock, account, client_):
    invoice = invoices.create_invoice(
        session, account_id=account.id, data=_invoice_data(client_.id, due=date(2026, 12, 8)), clock=clock
    )
    invoices.void_invoice(session, invoice=invoice, clock=clock)
    assert {(r.state, r.reason) for r in reminders_of(session, invoice.id)} == {("canceled", "void")}


def test_partial_payment_keeps_reminders(session, clock, account, client_):
    invoice = invoices.create_invoice(
        session, account_id=account.id, data=_invoice_data(client_.id, due=date(2026, 12, 8)), clock=clock
    )
    invoices.apply_payment(
        session, invoice=invoice, amount_minor=100, method="manual", paid_at=clock.now(), clock=clock
    )
    assert {r.state for r in reminders_of(session, invoice.id)} == {"pending"}


def test_refund_after_payment_plans_again(session, clock, account, client_):
    invoice = invoices.create_invoice(
        session, account_id=account.id, data=_invoice_data(client_.id, due=date(2026, 12, 8)), clock=clock
    )
    invoices.apply_payment(
        session, invoice=invoice, amount_minor=invoice.amount_minor, method="manual", paid_at=clock.now(), clock=clock
    )
    invoices.apply_payment(
        session, invoice=invoice, amount_minor=-500, method="manual", paid_at=clock.now(), clock=clock
    )
    rows = reminders_of(session, invoice.id)
    assert sorted(r.state for r in rows) == ["canceled"] * 5 + ["pending"] * 5


def test_excluding_an_invoice_cancels_its_reminders(session, clock, account, client_):
    invoice = invoices.create_invoice(
        session, account_id=account.id, data=_invoice_data(client_.id, due=date(2026, 12, 8)), clock=clock
    )
    invoices.update_invoice(session, invoice=invoice, data=InvoiceUpdate(reminders_excluded=True), clock=clock)
    assert {(r.state, r.reason) for r in reminders_of(session, invoice.id)} == {("canceled", "excluded")}


def test_client_paused_then_resumed(session, clock, account, client_):
    invoice = make_invoice(session, client=client_, clock=clock, due_date=date(2026, 12, 8))
    plan(session, clock=clock)
    service.pause_client(session, account_id=account.id, client_id=client_.id, until=None, clock=clock)
    assert {(r.state, r.reason) for r in reminders_of(session, invoice.id)} == {("canceled", "client_paused")}
    service.resume_client(session, account_id=account.id, client_id=client_.id, clock=clock)
    rows = reminders_of(session, invoice.id)
    assert sorted(r.state for r in rows) == ["canceled"] * 5 + ["pending"] * 5
    # The canceled rows stay, as history for the timeline.
    assert len([r for r in rows if r.reason == "client_paused"]) == 5


def test_pause_until_a_date_holds_steps_until_then(session, clock, account, client_):
    invoice = make_invoice(session, client=client_, clock=clock, due_date=date(2026, 12, 8))
    plan(session, clock=clock)
    service.pause_invoice(session, account_id=account.id, invoice_id=invoice.id, until=date(2026, 12, 16), clock=clock)
    rows = by_step(reminders_of(session, invoice.id))
    resume = utc(2026, 12, 16, 14)  # Wednesday 16th, 09:00 in New York
    assert {k: r.scheduled_for for k, r in rows.items()} == {
        "d-3": resume,
        "d+0": resume,
        "d+7": resume,
        "d+14": utc(2026, 12, 22, 14),
        "d+30": utc(2027, 1, 7, 14),
    }
    assert {r.state for r in rows.values()} == {"pending"}
    service.resume_invoice(session, account_id=account.id, invoice_id=invoice.id, clock=clock)
    assert by_step(reminders_of(session, invoice.id))["d-3"].scheduled_for == utc(2026, 12, 7, 14)


def test_account_policy_change_replans(session, clock, account, client_):
    invoice = make_invoice(session, client=client_, clock=clock, due_date=date(2026, 12, 8))
    plan(session, clock=clock)
    service.put_account_policy(
        session,
        account_id=account.id,
        data=ReminderPolicyIn(
            steps=[StepIn(offset_days=0, template_key="firm"), StepIn(offset_days=3, template_key="urgent")],
            send_window=SendWindowIn(start="10:30", end="16:00", weekdays=[1, 2, 3, 4, 5, 6]),
        ),
        clock=clock,
    )
    rows = reminders_of(session, invoice.id)
    assert sorted(states(rows)) == [
        ("d+0", "pending", None),
        ("d+14", "canceled", "policy_changed"),
        ("d+3", "pending", None),
        ("d+30", "canceled", "policy_changed"),
        ("d+7", "canceled", "policy_changed"),
        ("d-3", "canceled", "policy_changed"),
    ]
    pending = by_step([r for r in rows if r.state == "pending"])
    assert pending["d+0"].template_key == "firm"
    assert pending["d+0"].scheduled_for == utc(2026, 12, 8, 15, 30)
    assert pending["d+3"].scheduled_for == utc(2026, 12, 11, 15, 30)


def test_client_policy_none_and_custom(session, clock, account, client_):
    invoice = make_invoice(session, client=client_, clock=clock, due_date=date(2026, 12, 8))
    plan(session, clock=clock)
    service.put_client_policy(
        session, account_id=account.id, client_id=client_.id, data=ClientPolicyIn(mode="none"), clock=clock
    )
    assert {r.state for r in reminders_of(session, invoice.id)} == {"canceled"}
    service.put_client_policy(
        session,
        account_id=account.id,
        client_id=client_.id,
        data=ClientPolicyIn(mode="custom", steps=[StepIn(offset_days=1, template_key="friendly")]),
        clock=clock,
    )
    live = [r for r in reminders_of(session, invoice.id) if r.state == "pending"]
    assert [r.step_key for r in live] == ["d+1"]
    service.put_client_policy(
        session, account_id=account.id, client_id=client_.id, data=ClientPolicyIn(mode="account"), clock=clock
    )
    live = [r for r in reminders_of(session, invoice.id) if r.state == "pending"]
    assert [r.step_key for r in live] == ["d-3", "d+0", "d+7", "d+14", "d+30"]


def test_changes_after_planning_are_found_by_the_periodic_run(session, clock, account, client_):
    invoice = make_invoice(session, client=client_, clock=clock, due_date=date(2026, 12, 8))
    other = make_invoice(session, client=make_client(session, account=account, clock=clock), clock=clock)
    plan(session, clock=clock)
    clock.advance(minutes=5)
    # A change made without an event (say, by a script) is still noticed: updated_at moved.
    client_.reminders_paused = True
    client_.updated_at = clock.now()
    session.flush()
    clock.advance(minutes=5)
    result = plan(session, clock=clock)
    assert result.invoices == 1
    assert {r.state for r in reminders_of(session, invoice.id)} == {"canceled"}
    assert {r.state for r in reminders_of(session, other.id)} == {"pending"}


def test_template_change_updates_pending_rows_in_place(session, clock, account, client_):
    invoice = make_invoice(session, client=client_, clock=clock, due_date=date(2026, 12, 8))
    plan(session, clock=clock)
    set_account_policy(session, account, [Step(-3, "urgent"), Step(0, "due_today")], clock=clock)
    planner.mark_for_planning(session, planner.Invoice.id == invoice.id)
    result = plan(session, clock=clock)
    assert (result.rescheduled, result.inserted) == (1, 0)
    assert by_step(reminders_of(session, invoice.id))["d-3"].template_key == "urgent"


def test_named_invoices_are_planned_in_chunks(session, clock, account, client_, monkeypatch):
    monkeypatch.setattr(planner, "EXPLICIT_CHUNK", 2)
    ids = [make_invoice(session, client=client_, clock=clock).id for _ in range(5)]
    result = plan(session, clock=clock, invoice_ids=ids)
    assert (result.invoices, result.inserted) == (5, 25)


def test_csv_import_plans_every_invoice(session, clock, account):
    from duespark.invoices.importer import import_invoices

    rows = "\n".join(f"INV-{n},client{n % 3}@example.com,100.00,2026-12-{10 + n % 5:02d}" for n in range(30))
    import_invoices(
        session,
        account_id=account.id,
        data=f"number,client_email,amount,due_date\n{rows}\n".encode(),
        dry_run=False,
        clock=clock,
    )
    assert session.scalar(select(func.count()).select_from(Reminder)) == 150


def test_a_user_canceled_step_is_not_planned_again(session, clock, account, client_):
    invoice = make_invoice(session, client=client_, clock=clock, due_date=date(2026, 12, 8))
    plan(session, clock=clock)
    first = by_step(reminders_of(session, invoice.id))["d-3"]
    service.cancel(session, account_id=account.id, reminder_id=first.id, clock=clock)
    clock.advance(timedelta(minutes=1))
    result = plan(session, clock=clock, invoice_ids=[invoice.id])
    assert result.inserted == 0
    assert by_step(reminders_of(session, invoice.id))["d-3"].reason == "canceled_by_user"


def _invoice_data(client_id: int, *, due: date):
    from duespark.invoices.schemas import InvoiceCreate

    return InvoiceCreate(
        client_id=client_id,
        number=f"N-{due.isoformat()}",
        amount="1250.00",
        issue_date=due - timedelta(days=30),
        due_date=due,
    )
