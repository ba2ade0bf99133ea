"""Reminder planner and dispatcher benchmark on PostgreSQL: `make bench`.

Creates its own database, fills it with open invoices, then measures
- planning every invoice (first run), and re-planning with nothing new;
- re-planning after 1% of the invoices changed;
- dispatch throughput with a no-op email provider (one and two dispatchers);
- the naive baseline, written the way the first draft was: load every open invoice that has
  no pending reminder into Python, then insert one reminder row per invoice and step via the ORM.

    python bench/reminders_bench.py [--invoices 100000] [--dispatch 5000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from duespark import migrate
from duespark.clock import FixedClock
from duespark.db import make_engine, make_session_factory
from duespark.email.message import OutgoingEmail
from duespark.email.providers.base import SendResult
from duespark.models import Account, Client, Invoice, Reminder
from duespark.reminders.dispatcher import Dispatcher
from duespark.reminders.planner import ReminderState
from duespark.reminders.policy import DEFAULT_STEPS, SendWindow
from duespark.reminders.worker import plan_with_retry
from duespark.settings import Settings
from report import record

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Sydney", "America/Los_Angeles"]


class NoopProvider:
    name = "noop"

    def send(self, message: OutgoingEmail) -> SendResult:
        return SendResult(provider_message_id=message.headers["Message-ID"])


class SlowProvider(NoopProvider):
    """An HTTP provider's round trip: the dispatcher must overlap the calls to reach 100 messages/s."""

    name = "slow"
    latency = 0.2

    def send(self, message: OutgoingEmail) -> SendResult:
        time.sleep(self.latency)
        return super().send(message)


def create_database(server_url: str) -> str:
    name = f"duespark_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(server_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


def drop_database(server_url: str, url: str) -> None:
    admin = make_engine(server_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def seed(engine: sa.Engine, invoices: int) -> None:
    """50 accounts (half with 09:00-17:00 weekdays, half sending around the clock), 5,000 clients in
    six timezones, open invoices due from 60 days ago to 60 days ahead."""
    with engine.begin() as conn:
        conn.execute(
            text(
                """
                INSERT INTO accounts (name, default_currency, timezone, locale, test_mode, created_at, updated_at,
                                      send_window_start, send_window_end, send_weekdays)
                SELECT 'Account ' || g, 'EUR', 'Europe/Berlin', 'en', false, :now, :now,
                       CASE WHEN g % 2 = 0 THEN 540 ELSE 0 END, CASE WHEN g % 2 = 0 THEN 1020 ELSE 1440 END,
                       CASE WHEN g % 2 = 0 THEN '12345' ELSE '1234567' END
                FROM generate_series(1, 50) g
                """
            ),
            {"now": NOW},
        )
        conn.execute(
            text(
                """
                INSERT INTO clients (account_id, name, email, client_type, timezone, reminders_paused,
                                     created_at, updated_at)
                SELECT a.id, 'Client ' || g, 'client' || g || '@example.com', 'business',
                       (CAST(:zones AS text[]))[1 + g % 6], false, :now, :now
                FROM generate_series(1, 5000) g
                JOIN accounts a ON a.name = 'Account ' || (1 + g % 50)
                """
            ),
            {"now": NOW, "zones": ZONES},
        )
        conn.execute(
            text(
                """
                INSERT INTO invoices (account_id, client_id, number, amount_minor, amount_paid_minor, currency,
                                      issue_date, due_date, status, reminders_excluded, reminders_paused,
                                      created_at, updated_at)
                SELECT c.account_id, c.id, 'INV-' || g, 10000 + g % 90000, 0, 'EUR',
                       DATE '2026-11-25' - 90 + (g % 121), DATE '2026-11-25' - 60 + (g % 121),
                       'open', false, false, :now, :now
                FROM generate_series(1, :n) g
                JOIN clients c ON c.name = 'Client ' || (1 + g % 5000)
                """
            ),
            {"now": NOW, "n": invoices},
        )
        conn.execute(text("ANALYZE"))


def count(engine: sa.Engine, stmt) -> int:
    with engine.connect() as conn:
        return conn.scalar(stmt) or 0


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def naive_plan(session: Session, now: datetime) -> int:
    """The first draft: a Python loop over every invoice, one ORM object per reminder."""
    invoices = session.scalars(
        select(Invoice).where(
            Invoice.status.in_(("open", "partially_paid")),
            ~select(Reminder.id)
            .where(Reminder.invoice_id == Invoice.id, Reminder.state == ReminderState.pending)
            .exists(),
        )
    ).all()
    made = 0
    for invoice in invoices:
        client = session.get(Client, invoice.client_id)
        account = session.get(Account, invoice.account_id)
        window = SendWindow(account.send_window_start, account.send_window_end, account.send_weekdays)
        for step in DEFAULT_STEPS:
            send_at = window.first_slot(
                invoice.due_date + timedelta(days=step.offset_days), client.timezone or account.timezone
            )
            session.add(
                Reminder(
                    account_id=invoice.account_id,
                    invoice_id=invoice.id,
                    due_date=invoice.due_date,
                    step_key=step.step_key,
                    offset_days=step.offset_days,
                    template_key=step.template_key,
                    scheduled_for=send_at,
                    next_attempt_at=send_at,
                    state=ReminderState.pending,
                    attempts=0,
                    uncertain_sends=0,
                    manual=False,
                    is_test=False,
                    created_at=now,
                    updated_at=now,
                )
            )
            made += 1
    session.commit()
    return made


def dispatch(
    factory, settings: Settings, clock, *, workers: int, limit: int, provider: type[NoopProvider] = NoopProvider
) -> tuple[float, int]:
    batches = max(1, limit // settings.scheduler_batch_size // workers)
    sent = [0] * workers

    def run(index: int) -> None:
        dispatcher = Dispatcher(
            session_factory=factory, settings=settings, provider=provider(), clock=clock, worker_id=f"bench-{index}"
        )
        sent[index] = dispatcher.run(max_batches=batches).sent

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, sum(sent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--dispatch", type=int, default=4_000, help="reminders to send per dispatch measurement")
    parser.add_argument("--slow-dispatch", type=int, default=2_000, help="reminders to send through a 200 ms provider")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("DUESPARK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    url = create_database(args.postgres)
    rows: list[tuple[str, str, str]] = []
    try:
        engine = make_engine(url, pool_size=10)
        migrate.upgrade(engine)
        factory = make_session_factory(engine)
        clock = FixedClock(NOW)
        settings = Settings(
            env="test",
            database_url=url,
            secret_keys=["bench" * 10],
            email_from="reminders@duespark.test",
            data_dir=Path("/tmp/duespark-bench"),
        )
        seconds, _ = timed(lambda: seed(engine, args.invoices))
        print(f"seeded {args.invoices:,} open invoices in {seconds:.1f} s")

        plan_s, first = timed(lambda: plan_with_retry(factory, clock))
        rows.append(("plan all open invoices", f"{plan_s:.2f} s", f"{first.inserted:,} reminders"))
        replan_s, again = timed(lambda: plan_with_retry(factory, clock))
        rows.append(("re-plan, nothing new", f"{replan_s * 1000:.0f} ms", f"{again.inserted} inserted"))
        with engine.begin() as conn:
            conn.execute(
                update(Invoice)
                .where(Invoice.id % 100 == 0)
                .values(due_date=Invoice.due_date + 5, updated_at=NOW + timedelta(minutes=1))
            )
        clock.set(NOW + timedelta(minutes=2))
        change_s, changed = timed(lambda: plan_with_retry(factory, clock))
        rows.append(
            (
                "re-plan after 1% moved due date",
                f"{change_s:.2f} s",
                f"{changed.canceled:,} canceled, {changed.inserted:,} added",
            )
        )

        clock.set(NOW + timedelta(minutes=3))
        due = count(engine, select(func.count()).where(Reminder.state == "pending", Reminder.next_attempt_at <= NOW))
        catch_up = Dispatcher(
            session_factory=factory, settings=settings, provider=NoopProvider(), clock=clock, worker_id="catch-up"
        )
        seconds, stats = timed(lambda: catch_up.run(max_batches=1))
        rows.append(("first tick: catch-up + 1 batch", f"{seconds:.2f} s", f"{due:,} due, {stats.skipped:,} skipped"))
        for workers in (1, 2):
            seconds, sent = dispatch(factory, settings, clock, workers=workers, limit=args.dispatch)
            rows.append((f"dispatch, {workers} dispatcher(s)", f"{sent / seconds:,.0f} / s", f"{sent:,} sent"))
        # The same worker through a provider that takes 200 ms a call: one at a time, then overlapped.
        for concurrency, limit in ((1, 50), (settings.dispatch_concurrency, args.slow_dispatch)):
            slow_settings = settings.model_copy(
                update={"dispatch_concurrency": concurrency, "scheduler_batch_size": min(limit, 200)}
            )
            seconds, sent = dispatch(factory, slow_settings, clock, workers=1, limit=limit, provider=SlowProvider)
            rows.append(
                (
                    f"dispatch, 200 ms provider, {concurrency} at once",
                    f"{sent / seconds:,.0f} / s",
                    f"{sent:,} sent by 1 worker (target >= 100 / s)",
                )
            )

        with engine.begin() as conn:
            conn.execute(text("TRUNCATE reminders, messages CASCADE"))
            conn.execute(update(Invoice).values(reminders_planned_at=None))
        naive_s, made = timed(lambda: naive_plan(factory(), NOW))
        rows.append(("naive baseline (ORM loop)", f"{naive_s:.2f} s", f"{made:,} reminders"))
        rows.append(("set-based vs naive", f"{naive_s / plan_s:.1f}x faster", ""))
        engine.dispose()
    finally:
        drop_database(args.postgres, url)

    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'measure'.ljust(width)}  {'time / rate':>16}  detail")
    print(f"{'-' * width}  {'-' * 16}  {'-' * 30}")
    for name, value, detail in rows:
        print(f"{name.ljust(width)}  {value:>16}  {detail}")
        record(f"reminders, {args.invoices:,} invoices", name, f"{value}" + (f" ({detail})" if detail else ""))


if __name__ == "__main__":
    main()
