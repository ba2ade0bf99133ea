"""audit.record inside units of work: the entry commits or rolls back with the change."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from duespark.audit import service as audit
from duespark.db import transaction
from duespark.invoices.adjustments import LateFee
from duespark.invoices.schemas import InvoiceCreate
from duespark.invoices.service import create_invoice
from duespark.models import AuditEntry, Invoice
from duespark.reminders import fees
from tests.helpers import make_account, make_client, make_invoice


def test_a_change_that_rolls_back_leaves_no_entry(session_factory, clock):
    with transaction(session_factory) as session:
        account = make_account(session, clock=clock)
        client = make_client(session, account=account, clock=clock)
    data = InvoiceCreate(
        client_id=client.id, number="R-1", amount="10.00", issue_date=date(2026, 11, 1), due_date=date(2026, 12, 1)
    )
    with pytest.raises(RuntimeError), transaction(session_factory) as session:
        create_invoice(session, account_id=account.id, data=data, clock=clock)
        assert session.scalar(select(AuditEntry.action)) == "invoice.created"  # written in the same transaction
        raise RuntimeError("the request failed after the change")
    with transaction(session_factory, write=False) as session:
        assert session.scalars(select(AuditEntry)).all() == []
        assert session.scalars(select(Invoice)).all() == []


def test_a_fee_charged_by_the_worker_names_the_worker(session, clock):
    account = make_account(session, clock=clock)
    invoice = make_invoice(session, client=make_client(session, account=account, clock=clock), clock=clock)
    fee = LateFee(
        account_id=account.id,
        invoice_id=invoice.id,
        step_key="d7",
        offset_days=7,
        kind="fixed",
        amount_minor=1500,
        currency="EUR",
        base_minor=125_000,
    )
    assert fees.record_sent(session.connection(), fee, reminder_id=None, now=clock.now())
    entry = session.scalars(select(AuditEntry)).one()
    assert (entry.actor_kind, entry.actor_label, entry.action) == ("system", "worker", "fee.charged")
    assert entry.changes == {"kind": "fixed", "amount_minor": 1500, "currency": "EUR", "reminder_id": None}


def test_a_unit_of_work_that_names_nobody_is_the_system(session, clock):
    account = make_account(session, clock=clock)
    audit.record(session, account_id=account.id, action="x.y", entity_type="account", entity_id=None, now=clock.now())
    audit.act_as(session, audit.WEBHOOK, ip="203.0.113.9")
    audit.record(session, account_id=account.id, action="x.z", entity_type="account", entity_id=None, now=clock.now())
    rows = session.execute(select(AuditEntry.actor_label, AuditEntry.ip).order_by(AuditEntry.id)).all()
    assert [tuple(r) for r in rows] == [("system", None), ("webhook", None)]
