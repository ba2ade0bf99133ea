"""Several workers at once: claims never overlap and planning never duplicates.

PostgreSQL runs these truly in parallel (row locks, SKIP LOCKED, unique index waits);
SQLite runs them too, serialised by its single writer.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select

from duespark.clock import FixedClock
from duespark.models import Message, Reminder
from duespark.reminders.dispatcher import Dispatcher
from duespark.reminders.planner import plan
from duespark.reminders.policy import DEFAULT_STEPS
from duespark.reminders.worker import plan_with_retry
from tests.conftest import TEST_NOW, make_test_settings
from tests.helpers import make_account, make_client, make_invoice
from tests.reminders.support import RecordingProvider, make_world, set_account_policy


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


def run_together(count: int, target: Callable[[int], object]) -> list[object]:
    """Start `count` threads at the same instant; re-raise the first error."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = target(index)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def sent_exactly_once(db, provider: RecordingProvider, expected: int) -> None:
    counts = provider.counts()
    assert len(counts) == expected
    assert set(counts.values()) == {1}
    with db.factory() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == expected
        states = dict(session.execute(select(Reminder.state, func.count()).group_by(Reminder.state)).all())
    assert states == {"sent": expected}


def test_twenty_claimers_over_a_hundred_reminders_send_each_once(db, tmp_path, clock):
    settings = make_test_settings(tmp_path, db.url, scheduler_batch_size=4)
    make_world(db.factory, clock, invoices=100)
    provider = RecordingProvider()

    def claim_and_send(index: int):
        worker = Dispatcher(
            session_factory=db.factory,
            settings=settings,
            provider=provider,
            clock=clock,
            worker_id=f"w{index}",
            rng=random.Random(index),
        )
        return worker.run()

    stats = run_together(20, claim_and_send)
    sent_exactly_once(db, provider, 100)
    assert sum(s.claimed for s in stats) == 100
    assert max(s.claimed for s in stats) <= 50  # the work really was shared, batch by batch


def test_two_dispatchers_over_two_thousand_reminders(pg_db, tmp_path, clock):
    # One account's 2,000 emails at once: above the default send budget, which is tested on its own.
    settings = make_test_settings(tmp_path, pg_db.url, send_budget_per_hour=10_000, send_budget_per_day=10_000)
    make_world(pg_db.factory, clock, invoices=2000)
    provider = RecordingProvider()

    def claim_and_send(index: int):
        return Dispatcher(
            session_factory=pg_db.factory, settings=settings, provider=provider, clock=clock, worker_id=f"w{index}"
        ).run()

    first, second = run_together(2, claim_and_send)
    sent_exactly_once(pg_db, provider, 2000)
    assert first.sent and second.sent
    assert first.sent + second.sent == 2000


class OverlappingProvider(RecordingProvider):
    """Gives up the GIL in each call, so both dispatchers' calls and rounds interleave."""

    def send(self, message):
        time.sleep(0.001)
        return super().send(message)


def test_two_dispatchers_claiming_ahead_of_their_sends_never_send_twice(db, tmp_path, clock):
    """Small batches and few slots: each claims its next batch while its last calls are out."""
    settings = make_test_settings(tmp_path, db.url, scheduler_batch_size=3, dispatch_concurrency=4)
    make_world(db.factory, clock, invoices=60)
    provider = OverlappingProvider()

    def claim_and_send(index: int):
        return Dispatcher(
            session_factory=db.factory, settings=settings, provider=provider, clock=clock, worker_id=f"w{index}"
        ).run()

    first, second = run_together(2, claim_and_send)
    sent_exactly_once(db, provider, 60)
    assert (first.sent + second.sent, first.lost_leases + second.lost_leases) == (60, 0)


def _one_invoice(db, clock) -> int:
    from duespark.db import transaction
    from duespark.reminders.policy import Step

    with transaction(db.factory) as session:
        account = make_account(session, clock=clock)
        set_account_policy(session, account, [Step(7, "firm")], clock=clock)
        client = make_client(session, account=account, clock=clock)
        return make_invoice(session, client=client, clock=clock, due_date=date(2026, 12, 1)).id


def test_three_concurrent_plans_of_one_invoice_and_step_make_one_row(db, clock):
    invoice_id = _one_invoice(db, clock)

    def plan_it(_index: int) -> int:
        with db.factory() as session:
            result = plan(session, clock=clock, invoice_ids=[invoice_id])
            session.commit()
            return result.inserted

    inserted = run_together(3, plan_it)
    assert sorted(inserted) == [0, 0, 1]
    with db.factory() as session:
        assert session.scalar(select(func.count()).select_from(Reminder)) == 1


def test_plans_waiting_on_an_uncommitted_plan_insert_nothing(pg_db, clock):
    """Deterministic overlap: two planners block on the first one's unique index entry."""
    invoice_id = _one_invoice(pg_db, clock)
    first = pg_db.factory()
    assert plan(first, clock=clock, invoice_ids=[invoice_id]).inserted == 1
    results: list[int] = []

    def plan_it() -> None:
        with pg_db.factory() as session:
            results.append(plan(session, clock=clock, invoice_ids=[invoice_id]).inserted)
            session.commit()

    waiting = [threading.Thread(target=plan_it) for _ in range(2)]
    for thread in waiting:
        thread.start()
    time.sleep(0.5)
    assert all(thread.is_alive() for thread in waiting)  # blocked on the unique index
    first.commit()
    first.close()
    for thread in waiting:
        thread.join(timeout=30)
    assert results == [0, 0]
    with pg_db.factory() as session:
        assert session.scalar(select(func.count()).select_from(Reminder)) == 1


def test_two_planner_runs_at_once_create_no_duplicates(db, clock):
    from duespark.db import transaction

    with transaction(db.factory) as session:
        account = make_account(session, clock=clock)
        set_account_policy(session, account, list(DEFAULT_STEPS), clock=clock)
        clients = [make_client(session, account=account, clock=clock, name=f"C{n}") for n in range(10)]
        for n in range(300):
            make_invoice(session, client=clients[n % 10], clock=clock, due_in_days=n % 60 - 20)

    results = run_together(2, lambda _i: plan_with_retry(db.factory, clock))
    assert sum(r.inserted for r in results) == 1500
    with db.factory() as session:
        duplicates = session.execute(
            select(Reminder.invoice_id, Reminder.step_key)
            .group_by(Reminder.invoice_id, Reminder.due_date, Reminder.step_key)
            .having(func.count() > 1)
        ).all()
        assert duplicates == []
        assert session.scalar(select(func.count()).select_from(Reminder)) == 1500
