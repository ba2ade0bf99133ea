"""Seed N invoices through the CSV importer (files of at most 100,000 rows, a fresh PostgreSQL database),
then EXPLAIN (ANALYZE, BUFFERS) the overdue list's statements (total + page of 50, sort due_date and
-due_date) before statistics exist and after ANALYZE, each with and without ix_invoices_unsettled_due.

    PYTHONPATH=backend/src .venv/bin/python bench/plans/explain_overdue.py 50000 bench/plans/overdue_50k_branch.txt
"""

import sys
import time
import uuid

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2]))
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from duespark import db as dbmod
from duespark import migrate
from duespark.clock import FixedClock
from duespark.db import make_engine
from duespark.invoices import importer, service
from duespark.invoices.schemas import EffectiveStatus
from duespark.pagination import PageParams
from duespark.settings import Settings
from duespark.wiring import connect_domains
from sqlalchemy import event
from sqlalchemy.orm import sessionmaker

from bench.api_load import make_csv

n, out = int(sys.argv[1]), sys.argv[2]
dbmod.refresh_statistics = lambda bind, tables=None: (
    None
)  # "before statistics": nothing analyzed yet
importer.analyze_after_commit = lambda *a, **k: None
now = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)
clock = FixedClock(now)
name = f"perf_explain_{uuid.uuid4().hex[:8]}"
admin = make_engine("postgresql://postgres@127.0.0.1:5432/postgres")
with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
    c.execute(sa.text(f'CREATE DATABASE "{name}"'))
url = f"postgresql://postgres@127.0.0.1:5432/{name}"
engine = make_engine(url)
migrate.upgrade(engine)
with engine.begin() as c:  # no autovacuum between the import and the "before" plans
    for t in ("invoices", "clients", "reminders", "reminder_send_slots"):
        c.execute(sa.text(f"ALTER TABLE {t} SET (autovacuum_enabled = off)"))
settings = Settings(
    env="test",
    data_dir="/tmp/perf-data/d",
    database_url=url,
    secret_keys=["test-only-signing-key-0123456789abcdefghijklmnopqrstuvwxyz"],
    email_provider="file",
    email_from="r@duespark.test",
    public_url="http://testserver",
    run_worker_in_process=False,
)
connect_domains(settings)
Factory = sessionmaker(bind=engine, expire_on_commit=False)
from duespark.models import Account

with Factory() as s:
    a = Account(
        name="Acme",
        default_currency="EUR",
        timezone="Europe/Berlin",
        locale="en",
        sender_name="Acme",
        sender_email="o@acme.test",
        test_mode=True,
        created_at=now,
        updated_at=now,
    )
    s.add(a)
    s.commit()
    account_id = a.id
step = 100_000
for part in range(0, n, step):
    rows = min(step, n - part)
    data = make_csv(rows, max(1, rows // 100), now.date(), seed=part)
    data = data.replace(b"INV-", f"P{part // step}-".encode())
    t0 = time.perf_counter()
    with Factory() as s, s.begin():
        rep = importer.import_invoices(
            s, account_id=account_id, data=data, dry_run=False, clock=clock
        )
    print(f"imported {rep.created} in {time.perf_counter() - t0:.1f}s", flush=True)


def plans(label):
    return (
        plans_with(label + ", with ix_invoices_unsettled_due", False)
        + "\n"
        + plans_with(
            label
            + ", WITHOUT ix_invoices_unsettled_due (dropped in the EXPLAIN's rolled-back transaction)",
            True,
        )
    )


def plans_with(label, drop):
    lines = [f"== {label}"]
    for sort in ("due_date", "-due_date"):
        captured = []

        def rec(
            conn, cursor, statement, parameters, context, executemany, captured=captured
        ):
            if statement.lstrip().upper().startswith("SELECT"):
                captured.append((statement, parameters))

        with Factory() as s:
            conn = s.connection()
            event.listen(conn, "before_cursor_execute", rec)
            service.list_invoices(
                s,
                account_id,
                today=now.date(),
                statuses=[EffectiveStatus.overdue],
                client_id=None,
                due_from=None,
                due_to=None,
                q=None,
                sort=sort,
                paging=PageParams(page=1, page_size=50),
            )
            event.remove(conn, "before_cursor_execute", rec)
            if drop:
                conn.exec_driver_sql("DROP INDEX ix_invoices_unsettled_due")
            for statement, params in captured:
                plan = (
                    conn.exec_driver_sql(
                        "EXPLAIN (ANALYZE, BUFFERS) " + statement, params
                    )
                    .scalars()
                    .all()
                )
                lines.append(f"-- sort={sort}\n{statement}\n" + "\n".join(plan) + "\n")
            s.rollback()
    return "\n".join(lines)


text = [
    f"# overdue list, page 1 of 50, {n:,} invoices (500 clients per 50,000), seeded through the CSV import\n"
]
text.append(
    plans(
        "before statistics (no ANALYZE since the import, autovacuum off on these tables)"
    )
)
with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
    c.exec_driver_sql("ANALYZE")
text.append(plans("after ANALYZE"))
Path(out).write_text("\n".join(text))
engine.dispose()
with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
    c.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
