"""A reminder really sent by the dispatcher, answered by the client: the routed Reply-To, the recorded
Message-ID, the statement's invoices all held, and chasing that waits, then resumes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from duespark.clock import FixedClock
from duespark.db import transaction
from duespark.email.reply_address import reply_token
from duespark.inbound.parsing import parse_mime
from duespark.inbound.service import conversation, receive
from duespark.models import Account, Invoice, Message
from duespark.reminders.policy import DEFAULT_STEPS
from tests.conftest import make_test_settings
from tests.inbound import mails
from tests.inbound.conftest import INBOUND_DOMAIN
from tests.reminders.conftest import _listeners, committed_url, db  # noqa: F401  (fixtures)
from tests.reminders.support import RecordingProvider, all_reminders, make_world
from tests.reminders.test_volume import run

DEC_3 = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # Thursday


def test_a_reply_to_a_statement_holds_each_invoice_until_chasing_resumes(db, tmp_path):  # noqa: F811
    settings = make_test_settings(tmp_path, db.url, inbound_domain=INBOUND_DOMAIN)
    clock = FixedClock(DEC_3)
    world = make_world(db.factory, clock, invoices=2, steps=list(DEFAULT_STEPS), due_date=date(2026, 11, 28))
    with transaction(db.factory) as session:
        session.get(Account, world.account_id).reply_hold_days = 10
    provider = RecordingProvider()
    run(db, settings, provider, clock)
    [statement] = provider.sent
    assert statement.tag == "statement"
    lead = min(r.id for r in all_reminders(db.factory) if r.state == "sent")
    token = reply_token(settings, account_id=world.account_id, kind="s", object_id=lead)
    address = f"reply+{token}@{INBOUND_DOMAIN}"
    assert statement.reply_to == f"Acme Studio <{address}>"
    with db.factory() as session:
        sent = session.scalars(select(Message).where(Message.kind == "reminder")).one()
        assert sent.header_message_id == statement.headers["Message-ID"]

    with transaction(db.factory) as session:
        row = receive(
            session, mail=parse_mime(mails.gmail("en", to=address)), source="raw", settings=settings, clock=clock
        )
        assert row is not None and sorted(row.invoice_ids) == sorted(world.invoice_ids)
    # A second mail in the thread, written to the sender's own address: found by In-Reply-To.
    answer = mails.outlook(
        "de", to="owner@acme.test", in_reply_to=statement.headers["Message-ID"], message_id="<second@globex.test>"
    )
    with transaction(db.factory) as session:
        second = receive(session, mail=parse_mime(answer), source="raw", settings=settings, clock=clock)
        assert second is not None and second.matched_by == "thread"
        assert sorted(second.invoice_ids) == sorted(world.invoice_ids)
        holds = {(i.hold_kind, i.hold_until) for i in session.scalars(select(Invoice))}
        assert holds == {("reply", date(2026, 12, 13))}
        # Both replies are in the conversation of each invoice of the statement.
        for invoice_id in world.invoice_ids:
            pairs = conversation(session, account_id=world.account_id, invoice_id=invoice_id)
            assert [row.matched_by for row, _ in pairs] == ["token", "thread"]

    # The firm step (5 December, sent Monday the 7th) waits for the hold; after it, the next statement goes.
    for day in range(1, 11):
        clock.set(DEC_3 + timedelta(days=day))
        run(db, settings, provider, clock)
    assert len(provider.sent) == 1
    clock.set(datetime(2026, 12, 14, 10, 0, tzinfo=UTC))
    run(db, settings, provider, clock)
    assert [email.tag for email in provider.sent] == ["statement", "statement"]


def test_the_forward_and_the_answer_leave_through_the_outbox_as_mail_programs_read_them(db, tmp_path):  # noqa: F811
    from email import message_from_bytes, policy

    from duespark.email.outbox import send_queued_messages
    from duespark.email.providers.file import FileProvider
    from duespark.inbound.service import answer

    settings = make_test_settings(tmp_path, db.url, inbound_domain=INBOUND_DOMAIN)
    clock = FixedClock(DEC_3)
    world = make_world(db.factory, clock, due_date=date(2026, 11, 20))
    token = reply_token(settings, account_id=world.account_id, kind="i", object_id=world.invoice_ids[0])
    address = f"reply+{token}@{INBOUND_DOMAIN}"
    with transaction(db.factory) as session:
        row = receive(
            session, mail=parse_mime(mails.apple_mail("es", to=address)), source="raw", settings=settings, clock=clock
        )
        answer(
            session,
            account_id=world.account_id,
            reply_id=row.id,
            text="Gracias, John.\nRecibido.",
            settings=settings,
            clock=clock,
        )
    outbox = tmp_path / "outbox"
    assert send_queued_messages(db.factory, provider=FileProvider(outbox), settings=settings, clock=clock) == 2
    sent = {}
    for path in sorted(outbox.glob("*.eml")):
        raw = path.read_bytes()
        print(f"\n--- {path.name} ---\n" + raw.split(b"\r\n\r\n", 1)[0].decode())
        parsed = message_from_bytes(raw, policy=policy.default)
        text = parsed.get_body(preferencelist=("plain",)).get_content()
        sent[str(parsed["To"])] = (parsed, text.replace("\r\n", "\n"))
    forward, forward_text = sent[world.owner_email]
    assert str(forward["Reply-To"]) == "John Smith <john@globex.test>"
    assert str(forward["From"]) == "John Smith via DueSpark <reminders@duespark.test>"
    assert forward["Auto-Submitted"] == "auto-generated"
    assert mails.REPLY["es"] in forward_text
    assert "remittance-4411.pdf" in forward_text
    # The forward is no longer text only: an HTML part, and the kept PDF attached.
    assert [p.get_content_type() for p in forward.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "application/pdf",
    ]
    assert mails.REPLY["es"].split("\n")[0] in forward.get_body(preferencelist=("html",)).get_content()
    [pdf] = list(forward.iter_attachments())
    assert pdf.get_filename() == "remittance-4411.pdf"
    to_client, answer_text = sent["john@globex.test"]
    assert to_client["In-Reply-To"] == "<8F2A1C3E-1B2C-4D5E-9F00-ABCDEF012345@globex.test>"
    assert to_client["References"] == "<8F2A1C3E-1B2C-4D5E-9F00-ABCDEF012345@globex.test>"
    assert str(to_client["Reply-To"]) == f"Acme Studio <{address}>"
    assert to_client["Subject"] == "Re: Invoice INV-1 is overdue"
    assert answer_text == "Gracias, John.\nRecibido.\n"
