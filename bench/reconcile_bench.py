"""Bank statement reconciliation at the issue's "done when": a CAMT.053 file of 1,000 entries against the demo.

    python bench/reconcile_bench.py [--entries 1000] [--database sqlite|postgresql|both]

Makes the demo account (`duespark demo`'s clients, a year of invoices, its EUR bank account) in a database
it creates and drops (a temporary SQLite file, or PostgreSQL at DUESPARK_BENCH_POSTGRES_URL), then a
statement of N entries shaped like a business account's: each open invoice paid by transfer (its number,
its transfer reference or just the amount and name; some in part), transfers for invoices paid long ago,
batch bookings, debits, reversals and unrelated credits. Times the import (parse + store), the match
(every proposal with its explanation, as GET /statements/{id} computes them) and confirming every strong
match at once, and prints how the entries were matched with a few explanations.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from tests.reconciliation.samples import Ntry, Tx, camt053

from duespark import demo, migrate
from duespark.auth.security import password_hasher
from duespark.banktransfer.service import bank_account_for, reference_for
from duespark.clock import FixedClock
from duespark.db import make_engine, make_session_factory, transaction
from duespark.models import Client, Invoice
from duespark.reconciliation import confirm, service
from duespark.settings import Settings

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
NOISE_NAMES = ("Stadtwerke München", "Jürgen Weiß", "Amazon Payments", "Finanzamt", "Lieferando", "Zoë Dubois")
NOISE_TEXT = ("Erstattung", "Miete Dezember", "Gutschrift", "Rückzahlung Kaution", "Zinsen", "Bonus")


def _settings(url: str, data_dir: Path) -> Settings:
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=url,
        secret_keys=["bench-only-signing-key-0123456789abcdefghijklmnopqrstuvwxyz"],
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        email_provider="file",
        email_from="reminders@duespark.test",
        public_url="http://bench",
        run_worker_in_process=False,
    )


def _statement(session, account_id: int, entries: int, rng: random.Random) -> tuple[bytes, int]:
    """The file's bytes and how many entries pay an open invoice."""
    bank = bank_account_for(session, account_id=account_id, currency="EUR")
    rows = session.execute(
        select(Invoice, Client.name, Client.company).join(Client).where(Invoice.account_id == account_id)
    ).all()
    open_rows = [r for r in rows if r[0].status in ("open", "partially_paid") and r[0].balance_minor > 0]
    paid_rows = [r for r in rows if r[0].status == "paid"]
    ntries: list[Ntry] = []
    booked = (NOW - timedelta(days=1)).date().isoformat()

    def amount(minor: int) -> str:
        return f"{minor // 100}.{minor % 100:02d}"

    for invoice, name, company in open_rows:
        payer = (company or name).upper().replace("Ä", "AE").replace("Ü", "UE").replace("Ö", "OE")
        style = rng.choice(("number", "reference", "amount+name", "partial"))
        reference = reference_for(bank, invoice.number)[0] if bank and invoice.currency == "EUR" else invoice.number
        text = {
            "number": [f"Rechnung {invoice.number}"],
            "reference": [reference],
            "amount+name": ["Danke"],
            "partial": [f"Teilzahlung {invoice.number}"],
        }[style]
        minor = invoice.balance_minor // 2 if style == "partial" else invoice.balance_minor
        ntries.append(
            Ntry(
                amount(minor),
                ccy=invoice.currency,
                booked=booked,
                acct_svcr_ref=uuid.uuid4().hex[:16],
                txs=[Tx(payer=payer, ustrd=text)],
            )
        )
    paying = len(ntries)
    while len(ntries) < entries:
        kind = rng.random()
        ref = uuid.uuid4().hex[:16]
        if kind < 0.40 and paid_rows:  # a transfer for an invoice paid (and recorded) long ago
            invoice, name, company = rng.choice(paid_rows)
            ntries.append(
                Ntry(
                    amount(invoice.total_minor),
                    ccy=invoice.currency,
                    booked=booked,
                    acct_svcr_ref=ref,
                    txs=[Tx(payer=company or name, ustrd=[f"Rechnung {invoice.number}"])],
                )
            )
        elif kind < 0.55:
            ntries.append(
                Ntry(
                    amount(rng.randrange(500, 90_000)),
                    credit=False,
                    booked=booked,
                    acct_svcr_ref=ref,
                    txs=[Tx(ustrd=[rng.choice(NOISE_TEXT)])],
                )
            )
        elif kind < 0.60:
            ntries.append(
                Ntry(
                    amount(rng.randrange(500, 90_000)),
                    reversal=True,
                    booked=booked,
                    acct_svcr_ref=ref,
                    txs=[Tx(payer=rng.choice(NOISE_NAMES), ustrd=["Rückbuchung"])],
                )
            )
        elif kind < 0.70:  # a batch booking of three transfers, each in its own TxDtls
            parts = [rng.randrange(1_000, 50_000) for _ in range(3)]
            txs = [
                Tx(
                    amount=amount(p),
                    payer=rng.choice(NOISE_NAMES),
                    ustrd=[rng.choice(NOISE_TEXT)],
                    acct_svcr_ref=f"{ref}-{i}",
                )
                for i, p in enumerate(parts)
            ]
            ntries.append(Ntry(amount(sum(parts)), booked=booked, acct_svcr_ref=ref, txs=txs))
        else:
            ntries.append(
                Ntry(
                    amount(rng.randrange(500, 90_000)),
                    booked=booked,
                    acct_svcr_ref=ref,
                    txs=[Tx(payer=rng.choice(NOISE_NAMES), ustrd=[rng.choice(NOISE_TEXT)])],
                )
            )
    return camt053(ntries[:entries], version=8), paying


def run(url: str, entries: int) -> dict[str, object]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    clock = FixedClock(NOW)
    with tempfile.TemporaryDirectory() as data_dir:
        settings = _settings(url, Path(data_dir))
        with transaction(factory) as session:
            account_id = demo.ensure_demo_user(
                session, email="demo@example.com", hasher=password_hasher(settings), clock=clock
            )
        demo.fill_account(factory, account_id=account_id, settings=settings, clock=clock, replay=False)
        with transaction(factory) as session:
            data, paying = _statement(session, account_id, entries, random.Random(18))
        results: dict[str, object] = {"file": f"{len(data) / 1024:.0f} KiB, {entries} entries", "paying": paying}
        with transaction(factory) as session:
            started = time.perf_counter()
            imported = service.import_statement(
                session, account_id=account_id, user_id=None, data=data, file_name="bench.xml", clock=clock
            )
            results["import_s"] = time.perf_counter() - started
            statement_id = imported.statement.id
        with transaction(factory, write=False) as session:
            started = time.perf_counter()
            detail = service.statement_detail(session, account_id=account_id, statement_id=statement_id)
            results["match_s"] = time.perf_counter() - started
        levels = Counter(
            (e.proposal.level if e.proposal else ("no proposal" if e.status == "open" else e.status))
            for e in detail.entries
        )
        results["levels"] = dict(levels)
        results["stored"] = len(detail.entries)
        results["examples"] = [e.proposal.explanation for e in detail.entries if e.proposal][:4] + [
            e.match_note for e in detail.entries if e.match_note
        ][:1]
        strong = [confirm.Choice(e.id, None) for e in detail.entries if e.proposal and e.proposal.level == "strong"]
        with transaction(factory) as session:
            started = time.perf_counter()
            done = confirm.confirm_entries(
                session, account_id=account_id, choices=strong, user_id=None, clock=clock, atomic=False
            )
            results["confirm_s"] = time.perf_counter() - started
        results["confirmed"] = sum(1 for error in done.values() if error is None)
    engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    for kind in kinds:
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                results = run(f"sqlite:///{tmp}/bench.db", args.entries)
        else:
            from tests.conftest import create_postgres_database, drop_postgres_database

            server = os.environ.get("DUESPARK_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
            url = create_postgres_database(server)
            try:
                results = run(url, args.entries)
            finally:
                drop_postgres_database(server, url)
        print(f"\n{kind}: {results['file']} ({results['stored']} stored after splitting batches)")
        print(f"  import (parse + store)     {results['import_s'] * 1000:8.0f} ms")
        print(f"  match (all proposals)      {results['match_s'] * 1000:8.0f} ms")
        print(f"  import + match             {(results['import_s'] + results['match_s']) * 1000:8.0f} ms")
        print(f"  confirm strong ({results['confirmed']:>3})      {results['confirm_s'] * 1000:8.0f} ms")
        print(f"  entries paying open invoices: {results['paying']}; by outcome: {results['levels']}")
        for example in results["examples"]:
            print(f"    - {example}")


if __name__ == "__main__":
    main()
