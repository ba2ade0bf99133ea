"""Insights at scale: query times at 100,000 invoices, and a backtest of the payment-date predictor.

    python bench/insights_bench.py [--invoices 100000] [--database postgresql|sqlite|both]

Builds a synthetic account in a database it creates and drops (PostgreSQL at
DUESPARK_BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres, or a
temporary SQLite file): 500 clients, each with a known behaviour (mean and spread of days paid
after the due date), two years of invoices, their payments and reminder emails.

1. Times the summary, the time series and the client insights (median and p95 of repeated runs).
2. Replays the history week by week: each invoice is predicted with only what was known on its
   issue date (payments before that instant), then compared with when it was really paid. Reports
   the mean absolute error in days against a baseline that predicts the due date, and against an
   oracle that knows each client's true mean. The demo account's history is replayed the same way.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from duespark import demo, migrate
from duespark.clock import FixedClock
from duespark.db import make_engine, make_session_factory
from duespark.insights import behaviour, forecast, service
from duespark.insights.behaviour import DelayStats, RatingThresholds
from duespark.models import Account, Client, Invoice, Message, Payment
from report import record

POSTGRES_SERVER_URL = os.environ.get("DUESPARK_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
TIMEZONE = "Europe/Berlin"
CLIENTS = 500
HISTORY_DAYS = 730
THRESHOLDS = RatingThresholds()


@dataclass(frozen=True)
class Archetype:
    name: str
    mean_days: float
    spread_days: float
    share: float


ARCHETYPES = (
    Archetype("early", -3, 1.5, 0.15),
    Archetype("on time", 0, 2, 0.30),
    Archetype("late", 8, 4, 0.30),
    Archetype("chronic late", 25, 8, 0.15),
    Archetype("erratic", 5, 15, 0.10),
)


@dataclass
class Synthetic:
    account_id: int
    archetype_of: dict[int, Archetype] = field(default_factory=dict)
    invoices: int = 0
    payments: int = 0
    reminders: int = 0


# --- data ---------------------------------------------------------------------------------


@contextmanager
def database(kind: str) -> Iterator[Engine]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            engine = make_engine(f"sqlite:///{directory}/bench.db")
            migrate.upgrade(engine)
            yield engine
            engine.dispose()
        return
    name = f"duespark_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_SERVER_URL)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(POSTGRES_SERVER_URL.rsplit("/", 1)[0] + "/" + name)
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _account(session: Session, name: str) -> int:
    account = Account(
        name=name,
        default_currency="EUR",
        timezone=TIMEZONE,
        locale="en",
        test_mode=False,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(account)
    session.flush()
    return account.id


def _local_noon(day: date) -> datetime:
    return datetime.combine(day, clock_time(12), ZoneInfo(TIMEZONE)).astimezone(UTC)


def build_synthetic(session: Session, *, invoices: int, seed: int = 11) -> Synthetic:
    """Clients with known behaviour and two years of invoices, inserted in bulk."""
    rng = random.Random(seed)
    data = Synthetic(account_id=_account(session, "Bench Studio"))
    today = NOW.astimezone(ZoneInfo(TIMEZONE)).date()
    weights = [a.share for a in ARCHETYPES]
    client_rows = []
    for index in range(CLIENTS):
        client_rows.append(
            {
                "account_id": data.account_id,
                "name": f"Client {index:04d}",
                "email": f"billing{index}@client.example",
                "client_type": "business",
                "reminders_paused": False,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
    client_ids = session.scalars(insert(Client).returning(Client.id, sort_by_parameter_order=True), client_rows).all()
    currency_of = {}
    for client_id in client_ids:
        data.archetype_of[client_id] = rng.choices(ARCHETYPES, weights)[0]
        currency_of[client_id] = rng.choices(("EUR", "USD", "GBP"), (0.8, 0.15, 0.05))[0]

    invoice_rows, payment_rows, message_rows = [], [], []
    # Payments and reminders per invoice row, linked to its id once the invoices are inserted.
    follow_ups: list[tuple[date | None, list[datetime]]] = []
    for number in range(invoices):
        client_id = client_ids[number % CLIENTS]
        kind = data.archetype_of[client_id]
        issue = today - timedelta(days=rng.randrange(HISTORY_DAYS))
        due = issue + timedelta(days=rng.choice((14, 14, 30)))
        paid_on = max(issue, due + timedelta(days=round(rng.gauss(kind.mean_days, kind.spread_days))))
        amount = rng.randrange(100, 5000) * 100
        row = {
            "account_id": data.account_id,
            "client_id": client_id,
            "number": f"B-{number:06d}",
            "amount_minor": amount,
            "amount_paid_minor": 0,
            "currency": currency_of[client_id],
            "issue_date": issue,
            "due_date": due,
            "status": "open",
            "paid_at": None,
            "reminders_excluded": False,
            "created_at": _local_noon(issue),
            "updated_at": _local_noon(issue),
        }
        if paid_on < today:
            row.update(status="paid", amount_paid_minor=amount, paid_at=_local_noon(paid_on))
        # A reminder the day after the due date, then weekly, while the invoice stays unpaid.
        reminders = []
        reminder_day = due + timedelta(days=1)
        while reminder_day < min(paid_on, today):
            reminders.append(_local_noon(reminder_day) - timedelta(hours=3))
            reminder_day += timedelta(days=7)
        invoice_rows.append(row)
        follow_ups.append((paid_on if paid_on < today else None, reminders))
    invoice_ids: list[int] = []
    for start in range(0, len(invoice_rows), 5000):
        chunk = invoice_rows[start : start + 5000]
        invoice_ids += session.scalars(insert(Invoice).returning(Invoice.id, sort_by_parameter_order=True), chunk)
    for invoice_id, row, (paid_on, reminders) in zip(invoice_ids, invoice_rows, follow_ups, strict=True):
        if paid_on is not None:
            payment_rows.append(
                {
                    "account_id": data.account_id,
                    "invoice_id": invoice_id,
                    "amount_minor": row["amount_minor"],
                    "currency": row["currency"],
                    "method": "manual",
                    "paid_at": row["paid_at"],
                    "created_at": row["paid_at"],
                }
            )
        message_rows.extend(
            {
                "account_id": data.account_id,
                "client_id": row["client_id"],
                "invoice_id": invoice_id,
                "kind": "reminder",
                "to_email": "billing@client.example",
                "subject": f"Invoice {row['number']}",
                "provider": "file",
                "status": "delivered",
                "is_test": False,
                "created_at": sent_at,
                "sent_at": sent_at,
            }
            for sent_at in reminders
        )
    for table, rows in ((Payment, payment_rows), (Message, message_rows)):
        for start in range(0, len(rows), 5000):
            session.execute(insert(table), rows[start : start + 5000])
    data.invoices, data.payments, data.reminders = len(invoice_rows), len(payment_rows), len(message_rows)
    return data


# --- timings ------------------------------------------------------------------------------


@dataclass
class SqlTimer:
    """Time spent inside the database driver, to tell query cost from Python and load noise."""

    seconds: float = 0.0
    statements: int = 0
    _started: float = 0.0

    def attach(self, engine: Engine) -> None:
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_args) -> None:
        self._started = time.perf_counter()

    def _after(self, *_args) -> None:
        self.seconds += time.perf_counter() - self._started
        self.statements += 1


@dataclass(frozen=True)
class Timing:
    name: str
    best_ms: float
    median_ms: float
    p95_ms: float
    sql_ms: float
    statements: int


def timed(name: str, run: Callable[[], object], repeat: int, sql: SqlTimer) -> Timing:
    run()  # warm the caches and the statement cache
    samples = []
    sql.seconds, sql.statements = 0.0, 0
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return Timing(
        name=name,
        best_ms=samples[0],
        median_ms=statistics.median(samples),
        p95_ms=samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))],
        sql_ms=sql.seconds * 1000 / repeat,
        statements=sql.statements // repeat,
    )


def time_queries(session: Session, data: Synthetic, repeat: int, sql: SqlTimer) -> list[Timing]:
    clock = FixedClock(NOW)
    account_id = data.account_id
    busiest = next(iter(data.archetype_of))
    open_invoice = session.scalar(
        select(Invoice.id).where(Invoice.account_id == account_id, Invoice.status == "open").limit(1)
    )
    cases = {
        "summary": lambda: service.summary(session, account_id=account_id, thresholds=THRESHOLDS, clock=clock),
        "timeseries day, 90 days": lambda: service.timeseries(
            session,
            account_id=account_id,
            granularity="day",
            date_from=NOW.date() - timedelta(days=89),
            date_to=NOW.date(),
            clock=clock,
        ),
        "timeseries week, 1 year": lambda: service.timeseries(
            session,
            account_id=account_id,
            granularity="week",
            date_from=NOW.date() - timedelta(days=364),
            date_to=NOW.date(),
            clock=clock,
        ),
        "timeseries month, 2 years": lambda: service.timeseries(
            session,
            account_id=account_id,
            granularity="month",
            date_from=NOW.date() - timedelta(days=729),
            date_to=NOW.date(),
            clock=clock,
        ),
        "timeseries day, 2 years": lambda: service.timeseries(
            session,
            account_id=account_id,
            granularity="day",
            date_from=NOW.date() - timedelta(days=729),
            date_to=NOW.date(),
            clock=clock,
        ),
        "client insights": lambda: service.client_insights(
            session, account_id=account_id, client_id=busiest, thresholds=THRESHOLDS, clock=clock
        ),
        "invoice prediction": lambda: service.invoice_prediction(
            session, account_id=account_id, invoice_id=open_invoice, thresholds=THRESHOLDS, clock=clock
        ),
    }
    return [timed(name, run, repeat, sql) for name, run in cases.items()]


# --- backtest -----------------------------------------------------------------------------


@dataclass
class Errors:
    predicted: list[int] = field(default_factory=list)
    baseline: list[int] = field(default_factory=list)
    oracle: list[int] = field(default_factory=list)
    inside_interval: int = 0

    def add(self, predicted: int, baseline: int, oracle: int | None, inside: bool) -> None:
        self.predicted.append(predicted)
        self.baseline.append(baseline)
        if oracle is not None:
            self.oracle.append(oracle)
        self.inside_interval += inside


def _stats_by_client(session: Session, account_id: int, as_of: datetime) -> dict[int, DelayStats]:
    return behaviour.stats_by_client(session, account_id=account_id, timezone=TIMEZONE, as_of=as_of)


def backtest(
    session: Session, account_id: int, archetype_of: dict[int, Archetype] | None
) -> tuple[dict[str, Errors], int]:
    """Replay week by week: predict each paid invoice as of the start of its issue week."""
    zone = ZoneInfo(TIMEZONE)
    first_issue, last_issue = session.execute(
        select(sa.func.min(Invoice.issue_date), sa.func.max(Invoice.issue_date)).where(Invoice.account_id == account_id)
    ).one()
    groups: dict[str, Errors] = {}
    unpaid = 0
    week = first_issue - timedelta(days=first_issue.weekday())
    while week <= last_issue:
        as_of = datetime.combine(week, clock_time(0), zone).astimezone(UTC)
        clients = _stats_by_client(session, account_id, as_of)
        account = behaviour.account_stats(session, account_id=account_id, timezone=TIMEZONE, as_of=as_of)
        issued = session.execute(
            select(Invoice.client_id, Invoice.due_date, Invoice.paid_at, Invoice.status).where(
                Invoice.account_id == account_id,
                Invoice.issue_date >= week,
                Invoice.issue_date < week + timedelta(days=7),
            )
        ).all()
        for client_id, due, paid_at, status in issued:
            if status != "paid" or paid_at is None:
                unpaid += 1
                continue
            actual = paid_at.astimezone(zone).date()
            prediction = forecast.predict(
                due_date=due,
                client=clients.get(client_id, DelayStats()),
                account=account,
                today=week,
                min_paid_invoices=THRESHOLDS.min_paid_invoices,
            )
            kind = archetype_of[client_id] if archetype_of else None
            oracle = abs((due + timedelta(days=round(kind.mean_days)) - actual).days) if kind else None
            inside = prediction.earliest_date <= actual <= prediction.latest_date
            error = abs((prediction.predicted_date - actual).days)
            baseline = abs((due - actual).days)
            for key in ("all", f"basis: {prediction.basis}", f"client: {kind.name}" if kind else None):
                if key:
                    groups.setdefault(key, Errors()).add(error, baseline, oracle, inside)
        week += timedelta(days=7)
    return groups, unpaid


def backtest_demo(session: Session) -> tuple[dict[str, Errors], int]:
    account_id = _account(session, "Demo replay")
    demo.fill_account(session, account_id=account_id, clock=FixedClock(NOW))
    session.flush()
    return backtest(session, account_id, None)


# --- report -------------------------------------------------------------------------------


def _mae(values: list[int]) -> str:
    return f"{statistics.fmean(values):6.2f}" if values else "     -"


def print_backtest(title: str, groups: dict[str, Errors], unpaid: int) -> None:
    print(f"\n{title} (predicted as of the issue week; {unpaid} invoices never paid are not scored)")
    print(f"{'group':<24} {'invoices':>9} {'MAE model':>10} {'MAE due date':>13} {'MAE oracle':>11} {'in ±1 sd':>9}")
    order = (
        ["all"]
        + sorted(k for k in groups if k.startswith("basis"))
        + [f"client: {a.name}" for a in ARCHETYPES if f"client: {a.name}" in groups]
    )
    for key in order:
        errors = groups[key]
        count = len(errors.predicted)
        print(
            f"{key:<24} {count:>9} {_mae(errors.predicted):>10} {_mae(errors.baseline):>13} "
            f"{_mae(errors.oracle):>11} {errors.inside_interval / count:>8.0%}"
        )


def run(kind: str, invoices: int, repeat: int) -> None:
    print(f"\n=== {kind}: {invoices:,} invoices, {CLIENTS} clients, account timezone {TIMEZONE}")
    with database(kind) as engine:
        factory = make_session_factory(engine)
        started = time.perf_counter()
        with factory() as session:
            data = build_synthetic(session, invoices=invoices)
            session.commit()
        print(
            f"built {data.invoices:,} invoices, {data.payments:,} payments, {data.reminders:,} reminder emails "
            f"in {time.perf_counter() - started:.1f} s"
        )
        if kind == "postgresql":
            with engine.connect() as conn:
                conn.execute(sa.text("ANALYZE"))
                conn.commit()
        sql = SqlTimer()
        sql.attach(engine)
        with factory() as session:
            load = os.getloadavg()[0]
            print(f"\nload average {load:.1f} on {os.cpu_count()} CPUs, {repeat} runs; SQL = time in the driver")
            print(f"{'query':<28} {'best ms':>8} {'median ms':>10} {'p95 ms':>8} {'SQL ms':>8} {'statements':>11}")
            for t in time_queries(session, data, repeat, sql):
                print(
                    f"{t.name:<28} {t.best_ms:>8.1f} {t.median_ms:>10.1f} {t.p95_ms:>8.1f} {t.sql_ms:>8.1f} "
                    f"{t.statements:>11}"
                )
                record(
                    f"insights, {invoices:,} invoices ({kind})",
                    t.name,
                    f"median {t.median_ms:.1f} ms, p95 {t.p95_ms:.1f} ms, {t.statements} statements",
                )
            started = time.perf_counter()
            groups, unpaid = backtest(session, data.account_id, data.archetype_of)
            print_backtest(f"Backtest, synthetic history ({time.perf_counter() - started:.1f} s)", groups, unpaid)
            overall = groups["all"]
            record(
                f"insights, {invoices:,} invoices ({kind})",
                "payment-date prediction, mean abs. error",
                f"{_mae(overall.predicted).strip()} days (due date alone: {_mae(overall.baseline).strip()} days)",
                target="better than the due date",
                met=statistics.fmean(overall.predicted) < statistics.fmean(overall.baseline),
            )
            groups, unpaid = backtest_demo(session)
            print_backtest("Backtest, demo history (6 clients, 13 months)", groups, unpaid)
            session.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--database", choices=("postgresql", "sqlite", "both"), default="postgresql")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per query")
    args = parser.parse_args()
    for kind in ("postgresql", "sqlite") if args.database == "both" else (args.database,):
        run(kind, args.invoices, args.repeat)


if __name__ == "__main__":
    main()
