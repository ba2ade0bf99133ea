"""The dispatcher attaches the invoice's PDF per policy step and a statement PDF to merged statements,
on SQLite and PostgreSQL with real commits; a PDF that cannot be made never holds a reminder back."""

from __future__ import annotations

import io
import random
from datetime import timedelta

from pypdf import PdfReader

from duespark.documents.storage import LocalStorage
from duespark.reminders.dispatcher import Dispatcher
from duespark.reminders.policy import Step
from tests.reminders.support import RecordingProvider, all_reminders, make_world


def run(db, settings, clock, **kwargs) -> RecordingProvider:
    provider = RecordingProvider(name="postmark")
    Dispatcher(
        session_factory=db.factory,
        settings=settings,
        provider=provider,
        clock=clock,
        worker_id="w1",
        rng=random.Random(3),
        **kwargs,
    ).run()
    return provider


def test_the_due_date_step_carries_the_invoice_pdf(db, worker_settings, clock):
    make_world(db.factory, clock, steps=[Step(0, "due_today")])
    [email] = run(db, worker_settings, clock).sent
    [attachment] = email.attachments
    assert attachment.content_type == "application/pdf"
    assert attachment.file_name.startswith("INV-") and attachment.file_name.endswith(".pdf")
    text = PdfReader(io.BytesIO(attachment.data)).pages[0].extract_text()
    assert attachment.file_name.removesuffix(".pdf") in text
    assert "Acme Studio" in text and "€1,250.00" in text
    assert f"is attached as a PDF ({attachment.file_name})." in email.text


def test_the_friendly_step_before_the_due_date_goes_without(db, worker_settings, clock):
    make_world(db.factory, clock, steps=[Step(-3, "friendly")], due_date=clock.now().date() + timedelta(days=3))
    [email] = run(db, worker_settings, clock).sent
    assert email.attachments == ()
    assert "PDF" not in email.text


def test_a_step_switched_off_sends_no_pdf(db, worker_settings, clock):
    make_world(db.factory, clock, steps=[Step(0, "due_today", attach_pdf=False)])
    [email] = run(db, worker_settings, clock).sent
    assert email.attachments == ()


def test_a_statement_carries_a_statement_pdf_with_totals(db, worker_settings, clock):
    world = make_world(
        db.factory, clock, invoices=3, steps=[Step(7, "firm")], due_date=clock.now().date() - timedelta(days=7)
    )
    [email] = run(db, worker_settings, clock).sent
    assert len(all_reminders(db.factory)) == 3
    [attachment] = email.attachments
    assert attachment.file_name == "statement-2026-11-25.pdf"
    text = PdfReader(io.BytesIO(attachment.data)).pages[0].extract_text()
    assert "Statement of account" in text
    assert text.count("Nov 18, 2026 7 €1,250.00") == 3
    assert "Total EUR €3,750.00" in text
    assert "statement of all your open invoices is attached as a PDF" in email.text
    assert len(world.invoice_ids) == 3


class BrokenStorage(LocalStorage):
    def get(self, key: str) -> bytes:
        raise OSError("disk gone")


def test_a_pdf_that_cannot_be_made_never_holds_the_reminder_back(db, worker_settings, clock, tmp_path):
    world = make_world(db.factory, clock, steps=[Step(0, "due_today")])
    from duespark.db import transaction
    from duespark.models import Account

    with transaction(db.factory) as session:
        session.get(Account, world.account_id).logo_key = f"accounts/{world.account_id}/logo/x.png"
    provider = run(db, worker_settings, clock, storage=BrokenStorage(tmp_path / "broken"))
    [email] = provider.sent
    assert email.attachments == ()
    assert [r.state for r in all_reminders(db.factory)] == ["sent"]
