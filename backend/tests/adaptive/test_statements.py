"""One email, not five: a client's overdue reminders due the same day go out as one statement."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from duespark.clock import FixedClock
from duespark.db import transaction
from duespark.models import Account, Invoice, Message
from duespark.reminders.dispatcher import Dispatcher, message_id_for
from duespark.reminders.policy import Step
from tests.conftest import TEST_SECRET
from tests.reminders.support import (
    RecordingProvider,
    ScriptedProvider,
    SimulatedCrash,
    all_reminders,
    make_world,
    transient,
)

LEASE = timedelta(seconds=300)


def dispatcher(db, settings, provider, clock, worker_id="w1") -> Dispatcher:
    return Dispatcher(
        session_factory=db.factory,
        settings=settings,
        provider=provider,
        clock=clock,
        worker_id=worker_id,
        rng=random.Random(1),
    )


def overdue_world(db, clock, *, invoices=3):
    # Due 10 days ago with one step 7 days after: every invoice's step is due now.
    return make_world(
        db.factory, clock, invoices=invoices, due_date=clock.now().date() - timedelta(days=10), steps=[Step(7, "firm")]
    )


def messages(db) -> list[Message]:
    with db.factory() as session:
        return list(session.scalars(select(Message).order_by(Message.id)))


def test_overdue_reminders_of_one_client_are_merged(db, worker_settings, clock):
    world = overdue_world(db, clock)
    provider = RecordingProvider()
    stats = dispatcher(db, worker_settings, provider, clock).run()
    assert stats.sent == 3
    [email] = provider.sent
    assert email.subject.startswith("Statement: 3 overdue invoices")
    assert email.to == world.client_email
    rows = all_reminders(db.factory)
    lead, *merged = rows
    # Each invoice is listed with its own payment link, credited to its own reminder.
    links = [line for line in email.text.splitlines() if line.startswith("- ")]
    assert len(links) == 3
    assert email.metadata["reminder_id"] == str(lead.id)
    with db.factory() as session:
        numbers = [session.get(Invoice, r.invoice_id).number for r in rows]
    assert [line.split(":")[0] for line in links] == [f"- {number}" for number in numbers]
    assert len({line.rsplit("(", 1)[-1] for line in links}) == 3
    # The lead reminder's Message-ID (the same on a resend after a crash), with no row id in it.
    assert email.headers["Message-ID"] == message_id_for(lead.id, "reminders@duespark.test", key=TEST_SECRET)
    assert "reminder" not in email.headers["Message-ID"]
    assert {r.state for r in rows} == {"sent"}
    assert {r.provider_message_id for r in rows} == {email.headers["Message-ID"]}
    assert (lead.reason, lead.detail) == ("statement", "Sent as one statement listing 3 overdue invoices.")
    assert [r.reason for r in merged] == ["merged_into_statement"] * 2
    assert merged[0].detail.startswith("Merged into one statement email with 2 other overdue invoices")
    [message] = messages(db)
    assert (message.invoice_id, message.reminder_id, message.template_key) == (lead.invoice_id, lead.id, "statement")


def test_merging_can_be_switched_off(db, worker_settings, clock):
    world = overdue_world(db, clock)
    with transaction(db.factory) as session:
        session.execute(update(Account).where(Account.id == world.account_id).values(merge_statements=False))
    provider = RecordingProvider()
    assert dispatcher(db, worker_settings, provider, clock).run().sent == 3
    assert len(provider.sent) == 3
    assert all(not e.subject.startswith("Statement") for e in provider.sent)


def test_a_single_overdue_reminder_is_a_plain_reminder(db, worker_settings, clock):
    overdue_world(db, clock, invoices=1)
    provider = RecordingProvider()
    dispatcher(db, worker_settings, provider, clock).run()
    [email] = provider.sent
    assert not email.subject.startswith("Statement")
    assert all_reminders(db.factory)[0].reason is None


def test_a_failed_statement_retries_every_merged_reminder_then_sends_once(db, worker_settings, clock):
    overdue_world(db, clock)
    provider = ScriptedProvider(script=[transient()])
    stats = dispatcher(db, worker_settings, provider, clock).run()
    assert (stats.retried, stats.sent) == (3, 0)
    assert {(r.state, r.reason) for r in all_reminders(db.factory)} == {("pending", "retrying")}
    clock.advance(hours=1)
    assert dispatcher(db, worker_settings, provider, clock).run().sent == 3
    assert len(provider.sent) == 1
    assert {r.state for r in all_reminders(db.factory)} == {"sent"}


class AcceptThenCrash(RecordingProvider):
    crashes = 1

    def send(self, message):
        result = super().send(message)
        if self.crashes:
            self.crashes -= 1
            raise SimulatedCrash("after provider accepted")
        return result


def test_a_crash_after_the_statement_was_accepted_resends_it_with_the_same_message_id(db, worker_settings, clock):
    overdue_world(db, clock)
    provider = AcceptThenCrash()
    with pytest.raises(SimulatedCrash):
        dispatcher(db, worker_settings, provider, clock).run()
    assert {r.state for r in all_reminders(db.factory)} == {"sending"}
    assert messages(db) == []
    clock.advance(LEASE + timedelta(seconds=1))
    stats = dispatcher(db, worker_settings, provider, clock, "w2").run()
    assert (stats.recovered, stats.sent) == (3, 3)
    first, second = provider.sent
    assert first.headers["Message-ID"] == second.headers["Message-ID"]
    assert second.subject.startswith("Statement: 3 overdue invoices")
    rows = all_reminders(db.factory)
    assert rows[0].reason == "sent_again_after_crash"
    assert len(messages(db)) == 1


def test_a_statement_at_the_final_step_is_a_final_notice_with_one_pay_all_button(db, worker_settings, clock, tmp_path):
    """Through the dispatcher and the file provider: the .eml a mail program would read."""
    import email as email_parser
    import re
    from email import policy

    from duespark.email.providers.file import FileProvider
    from duespark.payments.links import client_portal_url

    world = make_world(
        db.factory,
        clock,
        invoices=2,
        due_date=clock.now().date() - timedelta(days=40),
        steps=[Step(20, "firm"), Step(30, "final")],
    )
    # A final notice follows an earlier email (invariant 13): the firm statement went 20 days after the due date.
    earlier = FixedClock(clock.now() - timedelta(days=20))
    assert dispatcher(db, worker_settings, FileProvider(tmp_path / "earlier"), earlier).run().sent == 2
    stats = dispatcher(db, worker_settings, FileProvider(tmp_path), clock).run()
    assert stats.sent == 2
    [path] = tmp_path.glob("*.eml")
    raw = path.read_bytes()
    parsed = email_parser.message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "Final notice: 2 overdue invoices, €2,500.00 outstanding"
    assert parsed["Auto-Submitted"] == "auto-generated"
    finals = [r for r in all_reminders(db.factory) if r.step_key == "d+30"]
    ids = {message_id_for(r.id, "reminders@duespark.test", key=TEST_SECRET) for r in finals}
    assert parsed["Message-ID"] in ids
    text = parsed.get_body(("plain",)).get_content()
    assert "This is my final reminder." in text
    html = parsed.get_body(("html",)).get_content()
    button = r'<a href="([^"]+)" target="_blank" style="[^"]*background-color:#1d4ed8[^"]*">([^<]*)</a>'
    buttons = re.findall(button, html)
    assert buttons == [(client_portal_url(worker_settings, world.client_id), "View and pay all 2 invoices")]


def test_test_mode_copy_has_its_banner_inside_the_body_and_an_exact_subject(db, worker_settings, clock, tmp_path):
    import email as email_parser
    from email import policy

    from duespark.email.providers.file import FileProvider

    world = make_world(
        db.factory,
        clock,
        invoices=2,
        due_date=clock.now().date() - timedelta(days=10),
        steps=[Step(7, "firm")],
        test_mode=True,
    )
    assert dispatcher(db, worker_settings, FileProvider(tmp_path), clock).run().sent == 2
    [path] = tmp_path.glob("*.eml")
    parsed = email_parser.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert parsed["To"] == world.owner_email
    assert parsed["Subject"] == "[TEST] Statement: 2 overdue invoices, €2,500.00 outstanding"
    html = parsed.get_body(("html",)).get_content()
    assert html.startswith("<!DOCTYPE html>")
    assert html.index("<body") < html.index('<div role="note"') < html.index("<table")
    assert f"so this reminder came to you instead of {world.client_email}" in html
