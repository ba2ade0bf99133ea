"""The whole story in the engine: a reminder goes, the client promises a date on the pay page, nothing is sent
until the date plus grace, the date passes unpaid, and the "promise missed" email names the date they gave."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from duespark.clock import FixedClock
from duespark.db import transaction
from duespark.models import ClientAnswer, Invoice, Message
from duespark.reminders.policy import Step
from tests.answers.support import answer, app_client, pay_token
from tests.reminders.support import by_step, make_world, reminders_for

STEPS = [Step(0, "due_today"), Step(3, "firm"), Step(7, "urgent"), Step(14, "final")]
TUE_DEC_1 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

PROMISE_MISSED_TEXT = """Hello Globex,

You let me know that you would pay invoice {number} by December 10, 2026. Thank you for that. So far I have \
not received the payment, and €1,250.00 is still open.

Please arrange payment as soon as you can: Pay invoice {number} ({link})

If you have paid in the meantime, or something has come up, simply reply to this email and let me know.

Kind regards,
Acme Studio
"""


def _day(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 12, day, hour, 0, tzinfo=UTC)


def test_a_promise_holds_chasing_until_date_plus_grace_then_the_missed_email_names_the_date(
    db, worker_settings, worker, provider
):
    clock: FixedClock = worker.clock  # type: ignore[assignment]
    clock.set(TUE_DEC_1)
    world = make_world(db.factory, clock, steps=STEPS, due_date=date(2026, 12, 1))
    [invoice_id] = world.invoice_ids
    worker.tick()
    assert [m.tag for m in provider.sent] == ["due_today"]

    token = pay_token(worker_settings, invoice_id)
    with app_client(worker_settings, clock, db) as http:
        response = answer(http, token, "promise", promised_date="2026-12-10")
        assert response.status_code == 303, response.text
        page = http.get(response.headers["location"])
        assert "You promised to pay by December 10, 2026" in page.text

    # Grace of 2 days: quiet through Saturday 12 December; Sunday 13 is outside the send window.
    for day in range(2, 14):
        clock.set(_day(day))
        worker.tick()
    assert [m.tag for m in provider.sent] == ["due_today"]

    clock.set(_day(14, 9))  # Monday, the window opens
    worker.tick()
    assert [m.tag for m in provider.sent] == ["due_today", "promise_missed"]
    missed = provider.sent[-1]
    with db.factory() as session:
        number = session.get(Invoice, invoice_id).number
        row = session.scalars(select(ClientAnswer)).one()
        assert (row.status, row.promised_date) == ("missed", date(2026, 12, 10))
        message = session.scalars(select(Message).where(Message.kind == "promise_missed")).one()
        assert message.status == "sent" and message.invoice_id == invoice_id
    link = f"http://testserver/pay/{token}"
    assert missed.subject == f"Invoice {number}: payment promised for December 10, 2026 has not arrived"
    body = missed.text.split("\n--\n")[0]
    assert body == PROMISE_MISSED_TEXT.format(number=number, link=link)
    assert "December 10, 2026" in missed.html and missed.headers["Auto-Submitted"] == "auto-generated"
    assert missed.to == "billing@globex.test"

    # Chasing resumes: the latest held-back step (urgent) goes three days after the missed email, not the same day.
    for day in (15, 16):
        clock.set(_day(day))
        worker.tick()
    assert [m.tag for m in provider.sent] == ["due_today", "promise_missed"]
    clock.set(_day(17))
    worker.tick()
    assert [m.tag for m in provider.sent] == ["due_today", "promise_missed", "final"]
    rows = by_step(reminders_for(db.factory, invoice_id))
    assert rows["d+3"].state in {"skipped", "canceled"} and rows["d+7"].state in {"skipped", "canceled"}
    # The review is idempotent: a later tick sends no second missed email.
    clock.set(_day(18))
    worker.tick()
    assert [m.tag for m in provider.sent].count("promise_missed") == 1


def test_a_promise_paid_by_its_date_is_kept_and_nothing_more_is_sent(db, worker_settings, worker, provider):
    clock: FixedClock = worker.clock  # type: ignore[assignment]
    clock.set(TUE_DEC_1)
    world = make_world(db.factory, clock, steps=STEPS, due_date=date(2026, 12, 1))
    [invoice_id] = world.invoice_ids
    worker.tick()
    with app_client(worker_settings, clock, db) as http:
        assert (
            answer(http, pay_token(worker_settings, invoice_id), "promise", promised_date="2026-12-10").status_code
            == 303
        )
    clock.set(_day(9))
    from duespark.invoices.service import apply_payment

    with transaction(db.factory) as session:
        invoice = session.get(Invoice, invoice_id)
        apply_payment(
            session,
            invoice=invoice,
            amount_minor=invoice.balance_minor,
            method="manual",
            paid_at=clock.now(),
            clock=clock,
        )
    for day in range(9, 20):
        clock.set(_day(day))
        worker.tick()
    assert [m.tag for m in provider.sent] == ["due_today", "thank_you"]
    with db.factory() as session:
        assert session.scalars(select(ClientAnswer.status)).one() == "kept"
