"""Invariant 12: the periodic planner writes in bounded chunks, each its own short transaction."""

from __future__ import annotations

from sqlalchemy import func, select

from duespark.models import Invoice, Reminder
from duespark.reminders import worker
from duespark.reminders.policy import DEFAULT_STEPS
from tests.helpers import make_account, make_client, make_invoice
from tests.reminders.support import set_account_policy


def test_the_periodic_run_plans_in_chunks_of_at_most_plan_chunk(db, clock, monkeypatch):
    """Each chunk its own committed transaction on a real database (PostgreSQL: REPEATABLE READ)."""
    session_factory = db.factory
    session = session_factory()
    account = make_account(session, clock=clock)
    set_account_policy(session, account, list(DEFAULT_STEPS), clock=clock)
    clients = [make_client(session, account=account, clock=clock, name=f"C{n}") for n in range(3)]
    for n in range(25):
        make_invoice(session, client=clients[n % 3], clock=clock, due_in_days=n % 30 - 10)
    session.commit()
    session.close()

    chunks: list[int] = []
    real_plan = worker.plan

    def recording_plan(s, *, clock, invoice_ids=None, account_id=None):
        chunks.append(len(invoice_ids) if invoice_ids is not None else -1)
        return real_plan(s, clock=clock, invoice_ids=invoice_ids, account_id=account_id)

    monkeypatch.setattr(worker, "PLAN_CHUNK", 10)
    monkeypatch.setattr(worker, "plan", recording_plan)
    result = worker.plan_with_retry(session_factory, clock)

    assert chunks == [10, 10, 5]
    assert result.invoices == 25
    with session_factory() as check:
        assert (
            check.scalar(select(func.count()).select_from(Invoice).where(Invoice.reminders_planned_at.is_(None))) == 0
        )
        assert check.scalar(select(func.count()).select_from(Reminder)) == result.inserted > 0
    # A second run finds nothing to plan and writes nothing.
    chunks.clear()
    again = worker.plan_with_retry(session_factory, clock)
    assert chunks == []
    assert again.inserted == 0
